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
