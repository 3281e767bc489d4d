/**
 * Field-level history: one row per changed field, or one row with field `*` and a JSON snapshot
 * for a creation or deletion (so an import of 1M profiles writes 1M history rows, not 15M).
 */
import type { SqliteDatabase } from './db.js';

export type HistoryAction = 'create' | 'update' | 'delete';

export interface NewHistoryEntry {
  profile_id: number;
  action: HistoryAction;
  field: string;
  old_value: string | null;
  new_value: string | null;
  at: string;
  source: string;
}

/** A stored entry: what was written, its id, and the profile's name to show with it. */
export interface HistoryEntry extends NewHistoryEntry {
  id: number;
  /** The profile's current name, or the name it had when it was removed. */
  profile_name: string | null;
}

export interface HistoryQuery {
  profileId?: number;
  field?: string;
  /** ISO date or timestamp; entries at or after it. */
  since?: string;
  limit?: number;
  /** Newest first (default) or oldest first. */
  order?: 'newest' | 'oldest';
}

const NAME_OF = `coalesce(p.name,
  json_extract(h2.old_value, '$.name'))`;

export class HistoryRepo {
  private readonly insertStmt;
  constructor(private readonly db: SqliteDatabase) {
    this.insertStmt = db.prepare('INSERT INTO history (profile_id, action, field, old_value, new_value, at, source) VALUES (?, ?, ?, ?, ?, ?, ?)');
  }

  add(e: NewHistoryEntry): void {
    this.insertStmt.run(e.profile_id, e.action, e.field, e.old_value, e.new_value, e.at, e.source);
  }

  query(q: HistoryQuery): HistoryEntry[] {
    const where: string[] = [];
    const params: unknown[] = [];
    if (q.profileId !== undefined) {
      where.push('h.profile_id = ?');
      params.push(q.profileId);
    }
    if (q.field !== undefined) {
      // a field's course starts with the value it was created with
      where.push(`(h.field = ? OR (h.field = '*' AND json_extract(coalesce(h.new_value, h.old_value), ?) IS NOT NULL))`);
      params.push(q.field, `$."${q.field.replace(/"/g, '""')}"`);
    }
    if (q.since !== undefined) {
      where.push('h.at >= ?');
      params.push(q.since);
    }
    const sql = `SELECT h.id, h.profile_id, ${NAME_OF} AS profile_name, h.action, h.field, h.old_value, h.new_value, h.at, h.source
      FROM history h
      LEFT JOIN profiles p ON p.id = h.profile_id
      LEFT JOIN history h2 ON p.id IS NULL AND h2.profile_id = h.profile_id AND h2.action = 'delete'
      ${where.length ? `WHERE ${where.join(' AND ')}` : ''}
      ORDER BY h.id ${q.order === 'oldest' ? 'ASC' : 'DESC'}
      ${q.limit !== undefined ? `LIMIT ${Math.max(0, Math.floor(q.limit))}` : ''}`;
    return this.db.prepare(sql).all(...params) as HistoryEntry[];
  }

  /**
   * Every name a company had before its current one (any ASCII case differing from it), with the
   * company: a key contact's row that still names its company by an old name belongs there. One
   * pass over the name changes, for the caller to keep (an import asks per row).
   */
  formerCompanyNames(): { name: string; id: number }[] {
    return this.db
      .prepare(
        `SELECT DISTINCT h.old_value AS name, h.profile_id AS id FROM history h JOIN profiles p ON p.id = h.profile_id AND p.kind = 'company'
         WHERE h.field = 'name' AND h.action = 'update' AND h.old_value IS NOT NULL AND h.old_value <> p.name COLLATE NOCASE`,
      )
      .all() as { name: string; id: number }[];
  }

  deleteForProfile(profileId: number): number {
    return this.db.prepare('DELETE FROM history WHERE profile_id = ?').run(profileId).changes;
  }
}
