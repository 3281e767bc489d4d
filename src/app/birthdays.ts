/**
 * `custfile birthdays`: the persons (private customers and key contacts of companies) whose next
 * birthday falls in [today, today + N days], soonest first.
 *
 * The window becomes month-day ranges (`birthdayWindow`) that the `birthday_md` index answers;
 * the domain then computes each row's next celebration and drops what the ranges over-select.
 */
import {
  type LeapDayRule,
  type NextBirthday,
  DEFAULT_LEAP_DAY_RULE,
  birthdayWindow,
  celebrations,
  sortBirthdays,
  withinDays,
} from '../domain/birthdays.js';
import type { SqlFragment } from '../storage/filter-sql.js';
import type { BirthdayRow, ReminderRepo } from '../storage/reminder-repo.js';
import type { AppContext } from './context.js';
import { type FilterOptions, compileFilters } from './filters.js';

export const DEFAULT_BIRTHDAY_WINDOW = '14d';

export interface BirthdaysInput {
  filters: FilterOptions;
  /** `--within`: `14d`, `2w`, `3m`; default 14 days. */
  within?: string;
  /** `--leap-day`: how 29 February is kept in common years; default feb28. */
  leapDay?: LeapDayRule;
}

/** One line of `birthdays`: the JSON shape of SPEC.md. */
export type UpcomingBirthday = BirthdayRow & NextBirthday;

export interface BirthdaysResult {
  today: string;
  /** The window's length in days (`--within` resolved from today). */
  days: number;
  birthdays: UpcomingBirthday[];
}

/** The repository over the context's connection (the store builds no reminder repo itself). */
export function reminderRepo(ctx: AppContext): ReminderRepo {
  return ctx.store.reminders;
}

/**
 * The birthdays of the window [today, today + days], soonest first. Runs inside the caller's
 * transaction (remind reads birthdays, follow-ups and stale profiles from one snapshot).
 */
export function birthdaysWithin(
  repo: ReminderRepo,
  today: string,
  days: number,
  filter: SqlFragment | null,
  rule: LeapDayRule = DEFAULT_LEAP_DAY_RULE,
): UpcomingBirthday[] {
  const rows = repo.birthdaysIn(birthdayWindow(today, days, rule), filter);
  // SPEC.md's shape, built once per person (a window of 14 days on 1M profiles is ~27k people)
  const celebrate = celebrations(today, days, rule);
  const out: UpcomingBirthday[] = [];
  for (const b of rows) {
    const next = celebrate(b.birthday);
    if (next !== null) out.push({ id: b.id, name: b.name, company: b.company, birthday: b.birthday, next: next.next, in_days: next.in_days, turns: next.turns });
  }
  return sortBirthdays(out);
}

export function listBirthdays(ctx: AppContext, input: BirthdaysInput): BirthdaysResult {
  const today = ctx.clock.today();
  const days = withinDays(input.within ?? DEFAULT_BIRTHDAY_WINDOW, today);
  const repo = reminderRepo(ctx);
  return ctx.store.read(() => {
    const filter = compileFilters(ctx.store, input.filters, today);
    return { today, days, birthdays: birthdaysWithin(repo, today, days, filter, input.leapDay) };
  });
}
