/** `custfile history [REF] [--field F] [--since DATE|30d] [--trend]`. */
import { UsageError } from '../errors.js';
import { localDayStart, resolveDateInput } from '../domain/dates.js';
import { FIELD_NAMES, fieldByName } from '../domain/fields.js';
import { parseInteger, parseMoneyCents } from '../domain/values.js';
import type { HistoryEntry } from '../storage/history-repo.js';
import type { TrendEntry } from '../storage/stats-repo.js';
import type { AppContext } from './context.js';
import { resolveSubject } from './profiles.js';

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

function checkField(field: string | undefined): void {
  if (field !== undefined && !field.startsWith('custom.') && !fieldByName(field)) {
    throw new UsageError(`--field: "${field}" is not a field; use one of ${FIELD_NAMES.filter((f) => f !== 'custom').join(', ')}, or custom.NAME.`);
  }
}

function resolveSince(text: string | undefined, today: string): string | undefined {
  if (text === undefined) return undefined;
  const d = resolveDateInput(text, today, 'past');
  if (d === null) throw new UsageError('--since must be a date such as 2026-01-31, or a span such as 30d, 6m or 1y.');
  return d;
}

/** The profile a `history REF` is about: a profile, or a removed one by its id (app/profiles.ts resolveSubject). */
function historySubject(ctx: AppContext, ref: string): number {
  const subject = resolveSubject(ctx, ref);
  return 'removed' in subject ? subject.removed.id : subject.profile.id;
}

export function readHistory(ctx: AppContext, input: HistoryInput): HistoryLine[] {
  checkField(input.field);
  const since = resolveSince(input.since, ctx.clock.today());
  return ctx.store.read(() => {
    const profileId = input.ref !== undefined ? historySubject(ctx, input.ref) : undefined;
    const entries = ctx.store.history.query({
      profileId,
      field: input.field,
      // a day is a local one; history times are UTC instants
      since: since === undefined ? undefined : localDayStart(since),
      limit: input.limit,
      order: profileId !== undefined || input.field !== undefined ? 'oldest' : 'newest',
    });
    return toLines(entries, input.field);
  });
}

// ---------------------------------------------------------------------------------------------
// Trends: `history --field revenue --since 1y --trend`

/**
 * One profile's course of a numeric field over the window. Values are integer units of the
 * field: cents for money fields and custom fields (read as exact decimals), the number itself
 * for whole-number fields (headcount).
 */
export interface TrendLine {
  profile_id: number;
  name: string;
  field: string;
  /** The value in force when the window opened; for a profile created in it (or empty at its start), its first value in it. */
  start: number | null;
  /** The value in force at the end: the last one recorded. */
  end: number | null;
  change: number | null;
  /** change / start in percent, one decimal; null when start is 0 or unknown. */
  percent: number | null;
  direction: 'up' | 'down' | 'same' | null;
  /** Changes of the field recorded in the window. */
  changes: number;
  first_at: string;
  last_at: string;
}

export interface TrendResult {
  field: string;
  /** The field counts in cents (money, custom fields) rather than whole units. */
  cents: boolean;
  since: string | null;
  lines: TrendLine[];
}

/** How a field's history text becomes a number; null when it is not a numeric field. */
export function trendParser(field: string): { cents: boolean; parse: (text: string | null) => number | null } | null {
  const money = (text: string | null) => (text === null ? null : parseMoneyCents(text));
  if (field.startsWith('custom.')) return { cents: true, parse: money };
  const def = fieldByName(field);
  if (def?.type === 'money') return { cents: true, parse: money };
  if (def?.type === 'int') return { cents: false, parse: (text) => (text === null ? null : parseInteger(text)) };
  return null;
}

/** Folds one profile's entries (in recorded order) into its trend; null when the window holds none for it. */
export function foldTrend(entries: readonly TrendEntry[], field: string, parse: (text: string | null) => number | null): TrendLine | null {
  // a deletion (of an earlier profile with this id) starts the course afresh
  let lastReset = -1;
  entries.forEach((e, i) => {
    if (e.action === 'delete') lastReset = i;
  });
  const course = entries.slice(lastReset + 1);
  const first = course[0];
  const last = course[course.length - 1];
  if (!first || !last) return null;
  const values = course.map((e) => parse(e.new_value));
  // the value at the window's start: before its first change, or what the profile was created
  // with; empty there is empty (a revenue set later is no "same": its change is unknown)
  const start = first.action === 'update' ? parse(first.old_value) : (values[0] ?? null);
  const end = values[values.length - 1] ?? null;
  const change = start !== null && end !== null ? end - start : null;
  // one decimal, half away from zero (Math.round alone would take -9.95 to -9.9)
  const percent =
    change !== null && start !== null && start !== 0 ? (Math.sign(change) * Math.round((Math.abs(change) * 1000) / Math.abs(start))) / 10 : null;
  return {
    profile_id: first.profile_id,
    name: first.name,
    field,
    start,
    end,
    change,
    percent,
    direction: change === null ? null : change > 0 ? 'up' : change < 0 ? 'down' : 'same',
    changes: course.filter((e) => e.action === 'update').length,
    first_at: first.at,
    last_at: last.at,
  };
}

/** Biggest rise first, biggest fall last, unknown changes after them; ties by name. */
export function compareTrends(a: TrendLine, b: TrendLine): number {
  if (a.change === null || b.change === null) {
    if (a.change !== b.change) return a.change === null ? 1 : -1;
  } else if (a.change !== b.change) return b.change - a.change;
  return a.name.localeCompare(b.name) || a.profile_id - b.profile_id;
}

/**
 * Per profile, the field's value at the start and the end of the window, the change and the
 * percentage, sorted by change. Only profiles with the field recorded in the window (changed,
 * or created with it) appear; removed profiles do not.
 */
export function readTrends(ctx: AppContext, input: HistoryInput): TrendResult {
  if (input.field === undefined) throw new UsageError('--trend needs --field, e.g. --field revenue.');
  checkField(input.field);
  const field = input.field;
  const parser = trendParser(field);
  if (!parser) throw new UsageError(`--trend needs a numeric field such as revenue or headcount (or a custom field holding numbers), not ${field}.`);
  const since = resolveSince(input.since, ctx.clock.today()) ?? null;
  const { store } = ctx;
  const repo = store.stats;
  const lines = store.read(() => {
    const profileId = input.ref !== undefined ? historySubject(ctx, input.ref) : null;
    const out: TrendLine[] = [];
    let group: TrendEntry[] = [];
    const flush = () => {
      const line = foldTrend(group, field, parser.parse);
      // a profile whose only entry in the window is a creation without the field has no course
      if (line && (line.start !== null || line.end !== null || line.changes > 0)) out.push(line);
      group = [];
    };
    for (const entry of repo.trendEntries(field, since === null ? null : localDayStart(since), profileId)) {
      if (group.length > 0 && group[0]!.profile_id !== entry.profile_id) flush();
      group.push(entry);
    }
    if (group.length > 0) flush();
    return out;
  });
  lines.sort(compareTrends);
  return { field, cents: parser.cents, since, lines: input.limit !== undefined ? lines.slice(0, input.limit) : lines };
}
