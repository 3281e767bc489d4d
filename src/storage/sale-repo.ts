/** Transactions: what a customer bought, when, for how much (integer cents). */
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

export interface SaleQuery {
  profileId?: number;
  since?: string;
  limit?: number;
}

export class SaleRepo {
  constructor(private readonly db: SqliteDatabase) {}

  add(sale: Omit<Sale, 'id' | 'profile_name'>): number {
    const info = this.db
      .prepare('INSERT INTO sales (profile_id, date, amount_cents, item, source, created_at) VALUES (@profile_id, @date, @amount_cents, @item, @source, @created_at)')
      .run(sale);
    return Number(info.lastInsertRowid);
  }

  query(q: SaleQuery): Sale[] {
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
    return this.db
      .prepare(`SELECT s.*, p.name AS profile_name FROM sales s JOIN profiles p ON p.id = s.profile_id
        ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY s.date DESC, s.id DESC
        ${q.limit !== undefined ? `LIMIT ${Math.floor(q.limit)}` : ''}`)
      .all(...params) as Sale[];
  }
}
