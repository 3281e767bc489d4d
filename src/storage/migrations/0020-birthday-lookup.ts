/**
 * The birthday window reads name, birthday and employer straight from the index: on a 1M-profile
 * file a 14-day window (27k people) was 27k random row reads (0.13 s warm, seconds cold); from
 * this index it is one contiguous range (0.05 s). It replaces the plain month-day index.
 */
import type { Migration } from './runner.js';

export const birthdayLookup: Migration = {
  version: 20,
  name: 'birthday-lookup',
  up: `
DROP INDEX IF EXISTS profiles_birthday_md;
CREATE INDEX profiles_birthdays ON profiles (birthday_md, kind, birthday, name, company_id) WHERE birthday_md IS NOT NULL;
`,
};
