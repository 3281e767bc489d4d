/**
 * Bulk loading: inside the caller's transaction, set indexes and triggers aside, and build them
 * again at the end in one pass each (the first profile import, the first sales import). Keeping nine indexes up to date row by
 * row costs more than parsing and validating the row; building an index from a full table is a
 * sort. DDL is transactional in SQLite: if the process dies before COMMIT, the indexes and the
 * trigger come back with the rollback, so a file is never left without them.
 */
import { READ_CACHE_KIB, type SqliteDatabase } from './db.js';

interface SchemaObject {
  type: 'index' | 'trigger';
  name: string;
  sql: string;
}

const SORT_THREADS = 2;
/**
 * The page cache while the indexes are built, in KiB (SQLite's default). Each of the sorter's
 * tasks holds up to a cache's worth of keys before it writes a sorted run: with the writer's 16 MiB
 * the rebuild of 1M profiles' indexes took 7.6 s and 48 MiB more memory (three tasks), with 2 MiB
 * 4.9 s and 7 MiB more (measured on the bench's 1M file, 2 cores).
 */
const SORT_CACHE_KIB = READ_CACHE_KIB;

export interface BulkLoad {
  /** Puts back what was set aside and brings what it kept in step up to date for the rows loaded. */
  finish(): void;
}

/**
 * Drops the secondary indexes of `tables` and the triggers `triggers` inside the open
 * transaction; `rebuild` creates them again (an index is a sort: SQLite's sorter may use helper
 * threads for it). UNIQUE constraints' own indexes have no SQL and stay.
 */
function setAside(db: SqliteDatabase, tables: string[], triggers: string[]): { rebuild(): void } {
  if (!db.inTransaction) throw new Error('a bulk load needs an open transaction');
  const aside = (db
    .prepare(`SELECT type, name, sql FROM sqlite_schema WHERE tbl_name IN (${tables.map(() => '?').join(', ')}) AND type IN ('index', 'trigger') AND sql IS NOT NULL`)
    .all(...tables) as SchemaObject[]).filter((o) => o.type === 'index' || triggers.includes(o.name));
  for (const o of aside) db.exec(`DROP ${o.type === 'index' ? 'INDEX' : 'TRIGGER'} "${o.name.replace(/"/g, '""')}"`);
  return {
    rebuild() {
      const cache = db.pragma('cache_size', { simple: true }) as number;
      try {
        db.pragma(`threads = ${SORT_THREADS}`);
        db.pragma(`cache_size = -${SORT_CACHE_KIB}`);
        for (const o of aside) db.exec(o.sql);
      } finally {
        db.pragma('threads = 0');
        db.pragma(`cache_size = ${cache}`);
      }
    },
  };
}

/**
 * Sets aside the secondary indexes of `profiles` and `history` (a load only appends to history,
 * and three indexes per row cost more than one pass each at the end) and the trigger that keeps
 * `profile_tags` in step (the load finds its rows without them: app/id-index.ts). Call inside a
 * write transaction.
 */
export function beginBulkLoad(db: SqliteDatabase): BulkLoad {
  const firstNewId = ((db.prepare('SELECT coalesce(max(id), 0) AS n FROM profiles').get() as { n: number }).n) + 1;
  const aside = setAside(db, ['profiles', 'history'], ['profiles_tags_insert']);
  return {
    finish() {
      db.prepare("INSERT OR IGNORE INTO profile_tags (tag, profile_id) SELECT j.value, p.id FROM profiles p, json_each(p.tags) j WHERE p.id >= ? AND p.tags <> '[]'").run(firstNewId);
      aside.rebuild();
    },
  };
}

/**
 * A first sales import as a bulk load: the sales indexes and the trigger that adds each sale to
 * its profile's sales fields are set aside, and `finish` adds each profile's new sales to its
 * fields in one pass over the profiles (in id order), then puts them back. With the trigger,
 * every sale rewrote its profile's row: on 1M profiles the commits wrote ~1M pages of a 1.2 GB
 * file, most of a 50 s import.
 */
export function beginSalesBulkLoad(db: SqliteDatabase): BulkLoad {
  const maxIdBefore = (db.prepare('SELECT coalesce(max(id), 0) AS n FROM sales').get() as { n: number }).n;
  const aside = setAside(db, ['sales'], ['sales_insert']);
  return {
    finish() {
      // what the trigger did row by row (sales_insert in 0010-initial.ts), once a profile
      db.prepare(
        `UPDATE profiles SET
           sales_total_cents = sales_total_cents + a.total,
           sales_count = sales_count + a.n,
           last_sale = CASE WHEN last_sale IS NULL OR a.last > last_sale THEN a.last ELSE last_sale END
         FROM (SELECT profile_id, sum(amount_cents) AS total, count(*) AS n, max(date) AS last FROM sales WHERE id > ? GROUP BY profile_id) AS a
         WHERE profiles.id = a.profile_id`,
      ).run(maxIdBefore);
      aside.rebuild();
    },
  };
}
