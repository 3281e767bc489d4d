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

/**
 * Switches a file from WAL to a rollback journal for a bulk load, and back. In WAL every page of
 * a load is written twice (to the log, then by the checkpoint into the file); with a rollback
 * journal the new pages of a nearly empty file are written once, and only the few old pages are
 * journalled. Measured on 1M rows: insert 9.6 s → 7.4 s, commit 1.1 s → 0.3 s. Atomicity is the
 * same in both modes (a crash leaves a hot journal, rolled back on the next open).
 *
 * Call outside a transaction. Leaving WAL needs the file to itself: when another connection has
 * it open the switch fails and the load keeps the WAL (null). The restore may find a reader
 * arrived meanwhile (it waits the busy timeout); should it still fail, every open sets WAL again
 * (db.ts), so the file never stays without it for long.
 */
export function useRollbackJournal(db: SqliteDatabase): (() => void) | null {
  let mode: string;
  try {
    mode = String(db.pragma('journal_mode = DELETE', { simple: true }));
  } catch {
    return null;
  }
  if (mode.toLowerCase() !== 'delete') return null;
  return () => {
    try {
      db.pragma('journal_mode = WAL');
    } catch {
      // the next open sets WAL again (see above)
    }
  };
}
