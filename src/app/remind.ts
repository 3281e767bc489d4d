/**
 * `custfile remind`: what is due, for a morning cron job. Three lists from one read snapshot:
 * - birthdays in [today, today + window] (as `custfile birthdays`);
 * - follow-ups: profiles whose `next_contact` is on or before the window's end; those before
 *   today are overdue;
 * - stale profiles: not reviewed and not changed for the `--stale` span (default 180 days), i.e.
 *   the later of `reviewed_at` and the local day of `updated_at` lies before today − span.
 *   Only the count and the oldest few are read: a file of 1M profiles may hold 1M stale ones.
 */
import { UsageError } from '../errors.js';
import { type LeapDayRule, withinDays } from '../domain/birthdays.js';
import { addDays, daysBetween, localDayOf, parseDuration, shiftDate } from '../domain/dates.js';
import type { Kind } from '../domain/fields.js';
import type { AppContext } from './context.js';
import { type UpcomingBirthday, birthdaysWithin, reminderRepo } from './birthdays.js';
import { type FilterOptions, compileFilters } from './filters.js';

export const DEFAULT_REMIND_WINDOW = '7d';
export const DEFAULT_STALE_SPAN = '180d';
/** How many stale profiles are listed by name; the rest are counted. */
export const DEFAULT_STALE_LIMIT = 20;

export interface RemindInput {
  filters: FilterOptions;
  /** `--within`: birthdays and follow-ups this far ahead; default 7 days. */
  within?: string;
  /** `--stale`: a span such as `180d`, `6m`, `1y`, or `off`; default 180 days. */
  stale?: string;
  leapDay?: LeapDayRule;
  /** At most this many stale profiles by name (default 20). */
  staleLimit?: number;
}

export interface DueFollowup {
  id: number;
  kind: Kind;
  name: string;
  company: string | null;
  next_contact: string;
  /** Days from today to `next_contact`: negative when overdue, 0 today. */
  in_days: number;
  overdue: boolean;
  email: string | null;
  phone: string | null;
}

export interface StaleProfile {
  id: number;
  kind: Kind;
  name: string;
  company: string | null;
  /** The last day it was reviewed or changed. */
  untouched_since: string;
  days_untouched: number;
}

export interface StaleReport {
  /** How many profiles are stale (all of them, not only those listed). */
  count: number;
  /** Stale means untouched since before this date; null with `--stale off`. */
  before: string | null;
  /** The oldest ones, oldest first, at most `staleLimit`. */
  profiles: StaleProfile[];
}

export interface Reminders {
  today: string;
  /** The window's last day (today + `--within`). */
  until: string;
  birthdays: UpcomingBirthday[];
  followups: DueFollowup[];
  stale: StaleReport;
}

/** `--stale`: `off`, or the span after which an untouched profile is stale; returns the cutoff date or null. */
export function staleCutoff(text: string, today: string): string | null {
  const t = text.trim().toLowerCase();
  if (t === 'off' || t === 'no' || t === 'never') return null;
  const duration = parseDuration(t);
  if (!duration || duration.amount === 0) {
    throw new UsageError(`--stale "${text}" is not a span; write a number of days, weeks, months or years such as 180d, 26w, 6m or 1y (at most 100 years), or off.`);
  }
  return shiftDate(today, duration, -1);
}

/** True when nothing at all is due: `remind` then prints nothing. */
export function nothingDue(r: Reminders): boolean {
  return r.birthdays.length === 0 && r.followups.length === 0 && r.stale.count === 0;
}

export function remind(ctx: AppContext, input: RemindInput): Reminders {
  const today = ctx.clock.today();
  const days = withinDays(input.within ?? DEFAULT_REMIND_WINDOW, today);
  const until = addDays(today, days);
  const before = staleCutoff(input.stale ?? DEFAULT_STALE_SPAN, today);
  const limit = input.staleLimit ?? DEFAULT_STALE_LIMIT;
  const repo = reminderRepo(ctx);
  return ctx.store.read(() => {
    const filter = compileFilters(ctx.store, input.filters, today);
    const birthdays = birthdaysWithin(repo, today, days, filter, input.leapDay);
    const followups = repo.followupsDue(until, filter).map((f): DueFollowup => {
      const inDays = daysBetween(today, f.next_contact.slice(0, 10));
      return { ...f, in_days: inDays, overdue: inDays < 0 };
    });
    const stale: StaleReport = { count: 0, before, profiles: [] };
    if (before !== null) {
      stale.count = repo.staleCount(before, filter);
      if (stale.count > 0 && limit > 0) {
        stale.profiles = repo.staleOldest(before, filter, limit).map((s) => {
          // the local day it was last looked after (fresh_on holds the UTC day of updated_at)
          const local = localDayOf(s.updated_at);
          const since = s.reviewed_at !== null && s.reviewed_at > local ? s.reviewed_at : local;
          return { id: s.id, kind: s.kind, name: s.name, company: s.company, untouched_since: since, days_untouched: daysBetween(since, today) };
        });
      }
    }
    return { today, until, birthdays, followups, stale };
  });
}
