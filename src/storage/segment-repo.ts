/** Saved segments: a name and a `--where` expression. */
import type { SqliteDatabase } from './db.js';

export interface Segment {
  name: string;
  expr: string;
  created_at: string;
  updated_at: string;
}

export class SegmentRepo {
  constructor(private readonly db: SqliteDatabase) {}

  get(name: string): Segment | undefined {
    return this.db.prepare('SELECT * FROM segments WHERE name = ?').get(name) as Segment | undefined;
  }

  all(): Segment[] {
    return this.db.prepare('SELECT * FROM segments ORDER BY name').all() as Segment[];
  }

  save(name: string, expr: string, now: string): void {
    this.db
      .prepare('INSERT INTO segments (name, expr, created_at, updated_at) VALUES (?, ?, ?, ?) ON CONFLICT (name) DO UPDATE SET expr = excluded.expr, updated_at = excluded.updated_at')
      .run(name, expr, now, now);
  }

  delete(name: string): boolean {
    return this.db.prepare('DELETE FROM segments WHERE name = ?').run(name).changes > 0;
  }
}
