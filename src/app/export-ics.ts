/**
 * `custfile export --format ics [FILTERS]`: every matching person's birthday as a yearly all-day
 * event (io/ics.ts holds the calendar choices: stable UIDs, year-less birthdays, 29 February).
 * The export command calls `birthdaysIcs` and writes the text to `--out` or stdout.
 */
import { type LeapDayRule, DEFAULT_LEAP_DAY_RULE } from '../domain/birthdays.js';
import { type BirthdayIcsEntry, birthdaysToIcs } from '../io/ics.js';
import type { AppContext } from './context.js';
import { reminderRepo } from './birthdays.js';
import { type FilterOptions, compileFilters } from './filters.js';

/** The persons with a birthday that match the filters, by id, read from one snapshot. */
export function birthdayIcsEntries(ctx: AppContext, filters: FilterOptions): BirthdayIcsEntry[] {
  const today = ctx.clock.today();
  const repo = reminderRepo(ctx);
  return ctx.store.read(() => {
    const filter = compileFilters(ctx.store, filters, today);
    return [...repo.allBirthdays(filter)];
  });
}

/**
 * The whole VCALENDAR (CRLF line ends, folded). Companies have no birthday and persons without
 * one are left out; no matching birthday gives a valid, empty calendar. DTSTAMP is the clock's now.
 */
export function birthdaysIcs(ctx: AppContext, filters: FilterOptions, leapDay: LeapDayRule = DEFAULT_LEAP_DAY_RULE): string {
  const entries = birthdayIcsEntries(ctx, filters);
  return birthdaysToIcs(entries, { now: ctx.clock.now(), leapDay });
}
