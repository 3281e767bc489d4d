/** `custfile backup FILE` and `custfile check`. */
import { DatabaseError, FileError } from '../errors.js';
import type { AppContext } from './context.js';

export function backup(ctx: AppContext, target: string): Promise<{ bytes: number }> {
  return ctx.store.backupTo(target);
}

export function check(ctx: AppContext): { ok: true } {
  // a mistyped --db must not be told "ok"
  if (ctx.store.db.ephemeral) throw new FileError(`${ctx.store.path} does not exist; there is nothing to check.`);
  const findings = ctx.store.check();
  if (findings.length > 0) {
    throw new DatabaseError(`${ctx.store.path} failed its check: ${findings.slice(0, 5).join('; ')}${findings.length > 5 ? ` (and ${findings.length - 5} more)` : ''}.`);
  }
  return { ok: true };
}
