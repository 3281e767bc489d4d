/**
 * Ids given once are never given again. `remove` keeps a profile's history under its id, and a
 * new profile there would inherit it (ProfileRepo.insert steps past every id in the history); but
 * `forget` erases that history too, and then only this record of the highest id forgotten keeps a
 * script's `forget`-ed id 7 (or a segment `id in (7)`) from naming somebody new. An id is no
 * personal data.
 */
import type { Migration } from './runner.js';

export const retiredIds: Migration = {
  version: 40,
  name: 'retired-ids',
  up: `CREATE TABLE custfile_meta (key TEXT PRIMARY KEY, value INTEGER NOT NULL) WITHOUT ROWID;`,
};
