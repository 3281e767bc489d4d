/**
 * Bulk loading: inside the caller's transaction, set the profile indexes and the tag trigger
 * aside, and build them again at the end in one pass each. Keeping nine indexes up to date row by
 * row costs more than parsing and validating the row; building an index from a full table is a
 * sort. DDL is transactional in SQLite: if the process dies before COMMIT, the indexes and the
 * trigger come back with the rollback, so a file is never left without them.
 */
import type { SqliteDatabase } from './db.js';

interface SchemaObject {
  type: 'index' | 'trigger';
  name: string;
  sql: string;
}

const SORT_THREADS = 2;

export interface BulkLoad {
  /** Rebuilds what was set aside and fills the tag index for the rows loaded. */
  finish(): void;
}

/**
 * Sets aside the secondary indexes of `profiles` and `history` and the trigger that keeps
 * `profile_tags` in step (the load finds its rows without them: app/id-index.ts). UNIQUE
 * constraints' own indexes stay. Call inside a write transaction.
 */
export function beginBulkLoad(db: SqliteDatabase): BulkLoad {
  if (!db.inTransaction) throw new Error('beginBulkLoad needs an open transaction');
  const objects = db
    // history's indexes too: a load only appends to history, and three indexes per row cost more
    // than one pass each at the end
    .prepare("SELECT type, name, sql FROM sqlite_schema WHERE tbl_name IN ('profiles', 'history') AND type IN ('index', 'trigger') AND sql IS NOT NULL")
    .all() as SchemaObject[];
  const aside = objects.filter((o) => o.type === 'index' || o.name === 'profiles_tags_insert');
  const firstNewId = ((db.prepare('SELECT coalesce(max(id), 0) AS n FROM profiles').get() as { n: number }).n) + 1;
  for (const o of aside) db.exec(`DROP ${o.type === 'index' ? 'INDEX' : 'TRIGGER'} "${o.name.replace(/"/g, '""')}"`);
  return {
    finish() {
      try {
        db.prepare("INSERT OR IGNORE INTO profile_tags (tag, profile_id) SELECT j.value, p.id FROM profiles p, json_each(p.tags) j WHERE p.id >= ? AND p.tags <> '[]'").run(firstNewId);
        // building an index is a sort; SQLite's sorter may use helper threads for it
        db.pragma(`threads = ${SORT_THREADS}`);
        for (const o of aside) db.exec(o.sql);
      } finally {
        db.pragma('threads = 0');
      }
    },
  };
}
