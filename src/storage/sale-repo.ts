/** Transactions: what a customer bought, when, for how much (integer cents). */
import type Database from 'better-sqlite3';
import type { SqliteDatabase } from './db.js';

export interface Sale {
  id: number;
  profile_id: number;
  profile_name: string | null;
  date: string;
  amount_cents: number;
  item: string | null;
  source: string;
  created_at: string;
}

export type NewSale = Omit<Sale, 'id' | 'profile_name'>;

export interface SaleQuery {
  profileId?: number;
  since?: string;
  limit?: number;
}

/** A profile's derived sales fields, as the triggers of 0010-initial keep them. */
export interface SalesSummary {
  sales_count: number;
  sales_total_cents: number;
  last_sale: string | null;
}

export class SaleRepo {
  private readonly insertStmt: Database.Statement<[NewSale]>;
  private readonly identicalStmt: Database.Statement<unknown[]>;
  private readonly summaryStmt: Database.Statement<[number]>;
  private readonly keyStmts = new Map<string, Database.Statement<unknown[]>>();

  constructor(private readonly db: SqliteDatabase) {
    this.insertStmt = db.prepare(
      'INSERT INTO sales (profile_id, date, amount_cents, item, source, created_at) VALUES (@profile_id, @date, @amount_cents, @item, @source, @created_at)',
    );
    // sales_profile (profile_id, date) narrows this to one customer's day
    this.identicalStmt = db.prepare(
      'SELECT id FROM sales WHERE profile_id = ? AND date = ? AND amount_cents = ? AND item IS ? AND id <= ? ORDER BY id',
    );
    this.summaryStmt = db.prepare('SELECT sales_count, sales_total_cents, last_sale FROM profiles WHERE id = ?');
  }

  add(sale: NewSale): number {
    return Number(this.insertStmt.run(sale).lastInsertRowid);
  }

  byId(id: number): Sale | undefined {
    return this.db
      .prepare('SELECT s.*, p.name AS profile_name FROM sales s JOIN profiles p ON p.id = s.profile_id WHERE s.id = ?')
      .get(id) as Sale | undefined;
  }

  /**
   * A first sales import, into a file without sales, as a bulk load inside the caller's transaction: the sales
   * indexes and the trigger that keeps each profile's sales fields in step are set aside, and
   * `finish` adds each profile's new sales to its fields in one pass over the profiles (in id
   * order), then builds the indexes and puts the trigger back. With the trigger, every sale
   * rewrote its profile's row: on 1M profiles the commits wrote ~1M pages of a 1.2 GB file, most of
   * a 50 s import. DDL is transactional: a load that dies takes the drops with it.
   */
  beginBulkLoad(): { finish(): void } {
    if (!this.db.inTransaction) throw new Error('beginBulkLoad needs an open transaction');
    const maxIdBefore = this.maxId();
    const aside = this.db
      .prepare("SELECT type, name, sql FROM sqlite_schema WHERE tbl_name = 'sales' AND ((type = 'index' AND sql IS NOT NULL) OR (type = 'trigger' AND name = 'sales_insert'))")
      .all() as { type: string; name: string; sql: string }[];
    for (const o of aside) this.db.exec(`DROP ${o.type === 'index' ? 'INDEX' : 'TRIGGER'} "${o.name.replace(/"/g, '""')}"`);
    return {
      finish: () => {
        // what the trigger did row by row (sales_insert in 0010-initial.ts), once a profile
        this.db
          .prepare(
            `UPDATE profiles SET
               sales_total_cents = sales_total_cents + a.total,
               sales_count = sales_count + a.n,
               last_sale = CASE WHEN last_sale IS NULL OR a.last > last_sale THEN a.last ELSE last_sale END
             FROM (SELECT profile_id, sum(amount_cents) AS total, count(*) AS n, max(date) AS last FROM sales WHERE id > ? GROUP BY profile_id) AS a
             WHERE profiles.id = a.profile_id`,
          )
          .run(maxIdBefore);
        for (const o of aside) this.db.exec(o.sql);
      },
    };
  }

  /** The highest sale id so far (0 when there are none): sales recorded later have higher ids. */
  maxId(): number {
    const row = this.db.prepare('SELECT coalesce(max(id), 0) AS id FROM sales').get() as { id: number };
    return row.id;
  }

  /** Ids of the sales equal in profile, date, amount and item, among those with an id up to `maxId`. */
  identical(sale: Pick<NewSale, 'profile_id' | 'date' | 'amount_cents' | 'item'>, maxId: number): number[] {
    const rows = this.identicalStmt.all(sale.profile_id, sale.date, sale.amount_cents, sale.item, maxId) as { id: number }[];
    return rows.map((r) => r.id);
  }

  /**
   * Ids of the profiles whose `field` equals `value` (a sales import's --key), at most two: enough
   * to tell one from ambiguous. Only the id is read, not the whole profile, since this runs once
   * per imported sale. `field` comes from the catalogue (checked by the caller), never from user
   * text; the matching rules are ProfileRepo.byKey's.
   */
  profileIdsByKey(field: string, value: string | number): number[] {
    let stmt = this.keyStmts.get(field);
    if (!stmt) {
      let where: string;
      if (field === 'id') where = 'id = ?';
      else if (field === 'email' || field === 'name') where = `${field} = ? COLLATE NOCASE`;
      else if (field === 'revenue') where = 'revenue_cents = ?';
      else if (/^[a-z_]+$/.test(field)) where = `${field} = ?`;
      else throw new Error(`not a key field: ${field}`);
      stmt = this.db.prepare(`SELECT id FROM profiles WHERE ${where} ORDER BY id LIMIT 2`).pluck();
      this.keyStmts.set(field, stmt);
    }
    return stmt.all(value) as number[];
  }

  /**
   * Settings for a bulk import on this connection; `endBulk` restores them. Every sale's trigger
   * rewrites its profile's row, so a big import dirties pages all over a large file: a bigger
   * page cache (64 MiB, taken only as pages are read) keeps them at hand between batches, and
   * checkpointing every 50,000 WAL pages instead of every 1,000 writes a page that several
   * batches changed back into the file once (measured on 1M profiles: about a third faster).
   */
  beginBulk(): { cacheSize: number; autocheckpoint: number } {
    const saved = {
      cacheSize: this.db.pragma('cache_size', { simple: true }) as number,
      autocheckpoint: this.db.pragma('wal_autocheckpoint', { simple: true }) as number,
    };
    this.db.pragma('cache_size = -65536');
    this.db.pragma('wal_autocheckpoint = 50000');
    return saved;
  }

  /** Restores the settings and gives the WAL's space back to the disk (outside a transaction). */
  endBulk(saved: { cacheSize: number; autocheckpoint: number }): void {
    this.db.pragma(`cache_size = ${Math.trunc(saved.cacheSize)}`);
    this.db.pragma(`wal_autocheckpoint = ${Math.trunc(saved.autocheckpoint)}`);
    if (!this.db.inTransaction) this.db.pragma('wal_checkpoint(TRUNCATE)');
  }

  summary(profileId: number): SalesSummary | undefined {
    return this.summaryStmt.get(profileId) as SalesSummary | undefined;
  }

  private select(q: SaleQuery): { sql: string; params: unknown[] } {
    const where: string[] = [];
    const params: unknown[] = [];
    if (q.profileId !== undefined) {
      where.push('s.profile_id = ?');
      params.push(q.profileId);
    }
    if (q.since !== undefined) {
      where.push('s.date >= ?');
      params.push(q.since);
    }
    const sql = `SELECT s.*, p.name AS profile_name FROM sales s JOIN profiles p ON p.id = s.profile_id
        ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY s.date DESC, s.id DESC
        ${q.limit !== undefined ? `LIMIT ${Math.max(0, Math.floor(q.limit))}` : ''}`;
    return { sql, params };
  }

  query(q: SaleQuery): Sale[] {
    const { sql, params } = this.select(q);
    return this.db.prepare(sql).all(...params) as Sale[];
  }

  /** The same rows as `query`, streamed (newest first). */
  iterate(q: SaleQuery): IterableIterator<Sale> {
    const { sql, params } = this.select(q);
    return this.db.prepare(sql).iterate(...params) as IterableIterator<Sale>;
  }
}
