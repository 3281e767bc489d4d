/** The communication log: calls, mails, meetings and notes, with their dates. */
import type { SqliteDatabase } from './db.js';

export interface Communication {
  id: number;
  profile_id: number;
  at: string;
  channel: string;
  body: string;
  source: string;
  created_at: string;
}

export class CommunicationRepo {
  constructor(private readonly db: SqliteDatabase) {}

  add(entry: Omit<Communication, 'id'>): number {
    const info = this.db
      .prepare('INSERT INTO communications (profile_id, at, channel, body, source, created_at) VALUES (@profile_id, @at, @channel, @body, @source, @created_at)')
      .run(entry);
    return Number(info.lastInsertRowid);
  }

  forProfile(profileId: number, limit?: number): Communication[] {
    return this.db
      .prepare(`SELECT * FROM communications WHERE profile_id = ? ORDER BY at DESC, id DESC${limit !== undefined ? ` LIMIT ${Math.floor(limit)}` : ''}`)
      .all(profileId) as Communication[];
  }

  countForProfile(profileId: number): number {
    return (this.db.prepare('SELECT count(*) AS n FROM communications WHERE profile_id = ?').get(profileId) as { n: number }).n;
  }
}
