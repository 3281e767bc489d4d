/** `custfile history [REF] [--field F] [--since DATE|30d]`. */
import { UsageError } from '../errors.js';
import { resolveDateInput } from '../domain/dates.js';
import { fieldByName } from '../domain/fields.js';
import type { HistoryEntry } from '../storage/history-repo.js';
import type { AppContext } from './context.js';
import { resolveRef } from './resolve-ref.js';

export interface HistoryInput {
  ref?: string;
  field?: string;
  since?: string;
  limit?: number;
}

export interface HistoryLine {
  id: number;
  at: string;
  profile_id: number;
  name: string | null;
  action: string;
  field: string;
  old: string | null;
  new: string | null;
  source: string;
}

/** A creation or deletion row carries a snapshot; for one field's course, show that field. */
export function toLines(entries: HistoryEntry[], field?: string): HistoryLine[] {
  return entries.map((e) => {
    let old = e.old_value;
    let now = e.new_value;
    let shownField = e.field;
    if (e.field === '*' && field !== undefined) {
      shownField = field;
      old = e.old_value === null ? null : ((JSON.parse(e.old_value) as Record<string, string>)[field] ?? null);
      now = e.new_value === null ? null : ((JSON.parse(e.new_value) as Record<string, string>)[field] ?? null);
    } else if (e.field === '*') {
      shownField = e.action === 'create' ? '(created)' : '(removed)';
      old = null;
      now = null;
    }
    return { id: e.id, at: e.at, profile_id: e.profile_id, name: e.profile_name, action: e.action, field: shownField, old, new: now, source: e.source };
  });
}

export function readHistory(ctx: AppContext, input: HistoryInput): HistoryLine[] {
  if (input.field !== undefined && !input.field.startsWith('custom.') && !fieldByName(input.field)) {
    throw new UsageError(`--field: "${input.field}" is not a field; see custfile help fields.`);
  }
  let since: string | undefined;
  if (input.since !== undefined) {
    const d = resolveDateInput(input.since, ctx.clock.today(), 'past');
    if (d === null) throw new UsageError('--since must be a date such as 2026-01-31, or a span such as 30d, 6m or 1y.');
    since = d;
  }
  return ctx.store.read(() => {
    const profileId = input.ref !== undefined ? resolveRef(ctx.store, input.ref).id : undefined;
    const entries = ctx.store.history.query({
      profileId,
      field: input.field,
      since,
      limit: input.limit,
      order: profileId !== undefined || input.field !== undefined ? 'oldest' : 'newest',
    });
    return toLines(entries, input.field);
  });
}
