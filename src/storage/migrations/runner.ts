/**
 * Schema versions through `PRAGMA user_version`, numbered in tens (0010, 0020, …) so a step can
 * be slotted in between. All pending steps run in one IMMEDIATE transaction and `user_version`
 * is set once, at the end: a crash leaves the old version whole. A file from a newer custfile is
 * refused, never "migrated" down.
 */
import type Database from 'better-sqlite3';
import { DatabaseError } from '../../errors.js';

export interface Migration {
  readonly version: number;
  readonly name: string;
  /** SQL to run, or a function for data migrations. */
  readonly up: string | ((db: Database.Database) => void);
}

export function checkOrder(migrations: readonly Migration[]): void {
  for (let i = 1; i < migrations.length; i++) {
    if (migrations[i]!.version <= migrations[i - 1]!.version) {
      throw new Error(`migration ${migrations[i]!.version} is out of order`);
    }
  }
}

export function latestVersion(migrations: readonly Migration[]): number {
  return migrations.length === 0 ? 0 : migrations[migrations.length - 1]!.version;
}

/** Applies what is pending; returns the versions applied. */
export function migrate(db: Database.Database, migrations: readonly Migration[], label: string): number[] {
  checkOrder(migrations);
  const latest = latestVersion(migrations);
  const current = db.pragma('user_version', { simple: true }) as number;
  if (current > latest) {
    throw new DatabaseError(
      `${label} was written by a newer custfile (schema ${current}; this one knows up to ${latest}); upgrade custfile to open it.`,
    );
  }
  if (current === latest) return [];
  const applied: number[] = [];
  db.transaction(() => {
    // read again inside the lock: another process may have migrated meanwhile
    const now = db.pragma('user_version', { simple: true }) as number;
    for (const m of migrations) {
      if (m.version <= now) continue;
      if (typeof m.up === 'string') db.exec(m.up);
      else m.up(db);
      applied.push(m.version);
    }
    if (applied.length > 0) db.pragma(`user_version = ${latest}`);
  }).immediate();
  return applied;
}
