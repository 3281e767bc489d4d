/**
 * Birthdays: the next celebration of a birthday, the month-day ranges an indexed window query
 * reads, and the `--within` durations. Pure: "today" is always a parameter (an ISO date).
 *
 * A birthday is `YYYY-MM-DD`, or `--MM-DD` when the year is unknown (SPEC.md). A 29 February
 * birthday is celebrated on 28 February in years that have none (rule `feb28`, the SPEC's
 * default); `mar1` is for those who prefer 1 March.
 */
import { UsageError, ValidationError } from '../errors.js';
import {
  type Birthday,
  type CivilDate,
  addDays,
  daysBetween,
  formatIsoDate,
  isLeapYear,
  parseBirthday,
  parseDuration,
  parseIsoDate,
  shiftDate,
} from './dates.js';

export type LeapDayRule = 'feb28' | 'mar1';
export const LEAP_DAY_RULES: readonly LeapDayRule[] = ['feb28', 'mar1'];
export const DEFAULT_LEAP_DAY_RULE: LeapDayRule = 'feb28';

/** `--leap-day feb28|mar1`; anything else is a usage error naming the flag. */
export function parseLeapDayRule(text: string, flag = '--leap-day'): LeapDayRule {
  const t = text.trim().toLowerCase();
  if ((LEAP_DAY_RULES as readonly string[]).includes(t)) return t as LeapDayRule;
  throw new UsageError(`${flag} "${text}" is not a rule; write feb28 or mar1.`);
}

export interface NextBirthday {
  /** The date of the next celebration on or after today. */
  next: string;
  /** Days from today to `next`; 0 is today. */
  in_days: number;
  /** The age on `next`; null when the year of birth is unknown. */
  turns: number | null;
}

/** An inclusive range of month-day numbers (month*100+day), as in the `birthday_md` column. */
export interface MonthDayRange {
  from: number;
  to: number;
}

/** The first and last month-day numbers of a year. */
const FIRST_MD = 101;
const LAST_MD = 1231;
const LEAP_DAY_MD = 229;

function mustParseToday(today: string): CivilDate {
  const d = parseIsoDate(today);
  if (!d) throw new RangeError(`today is not an ISO date: ${today}`);
  return d;
}

function mustParseBirthday(birthday: string): Birthday {
  const b = parseBirthday(birthday);
  // No value in the message: it is personal data (errors.ts, SPEC "no personal data").
  if (!b) throw new ValidationError('birthday', 'is not a valid birthday; write YYYY-MM-DD, or --MM-DD when the year is unknown.');
  return b;
}

/** month*100+day of a birthday, whatever its year: the SQL column `birthday_md` (229 for 29 Feb). */
export function birthdayMonthDay(birthday: string): number {
  const b = mustParseBirthday(birthday);
  return b.month * 100 + b.day;
}

/** The day a birthday is celebrated in `year`: itself, except 29 February in a common year. */
export function celebrationDate(month: number, day: number, year: number, rule: LeapDayRule = DEFAULT_LEAP_DAY_RULE): string {
  if (month === 2 && day === 29 && !isLeapYear(year)) {
    return rule === 'mar1' ? formatIsoDate({ year, month: 3, day: 1 }) : formatIsoDate({ year, month: 2, day: 28 });
  }
  return formatIsoDate({ year, month, day });
}

/**
 * The next celebration of `birthday` on or after `today`, the days until it and the age then.
 *
 * When the year of birth is known, the first celebration is the first anniversary: the day of
 * birth itself is not a birthday, and a date of birth after today (a typo such as 2062 for 1962)
 * gives its first anniversary rather than a negative age. Such a `next` lies beyond any window
 * the same month-day would suggest, which is why window queries filter with this function.
 */
export function nextBirthday(birthday: string, today: string, rule: LeapDayRule = DEFAULT_LEAP_DAY_RULE): NextBirthday {
  const b = mustParseBirthday(birthday);
  const t = mustParseToday(today);
  let year = t.year;
  if (b.year !== null && year <= b.year) year = b.year + 1;
  // a birth date typed far in the future (9999-12-01) is celebrated past any window
  if (year > 9998) return { next: '9999-12-31', in_days: daysBetween(today, '9999-12-31') + 1, turns: null };
  let next = celebrationDate(b.month, b.day, year, rule);
  if (next < today) {
    year += 1;
    next = celebrationDate(b.month, b.day, year, rule);
  }
  return {
    next,
    in_days: daysBetween(today, next),
    turns: b.year === null ? null : year - b.year,
  };
}

/**
 * The `birthday_md` ranges whose birthdays are celebrated in [today, today + days], for an
 * indexed lookup (`birthday_md BETWEEN ? AND ? OR …`); sorted, non-overlapping.
 *
 * On month-day the ranges are exact: the year end splits the window into two ranges; a window
 * of 365 days or more is the whole year (366 consecutive days hold every month-day, and a
 * 29 February birthday is celebrated on one of them); and in a common year the range that holds
 * the day a 29 February birthday is celebrated on (28 February, or 1 March with `mar1`) is
 * widened by one to take in 229 (no valid month-day lies between 228, 229 and 301, so this
 * selects nothing else). They still over-select: a date of birth in the future shares its
 * month-day but is not celebrated until its first anniversary. So callers compute
 * `nextBirthday()` for each row selected and keep those with `in_days <= days`.
 */
export function birthdayWindow(today: string, days: number, rule: LeapDayRule = DEFAULT_LEAP_DAY_RULE): MonthDayRange[] {
  if (!Number.isInteger(days) || days < 0) throw new RangeError(`a birthday window needs a whole number of days >= 0, not ${days}`);
  const start = mustParseToday(today);
  if (days >= 365) return [{ from: FIRST_MD, to: LAST_MD }];
  const end = parseIsoDate(addDays(today, days))!;
  const md = (d: CivilDate) => d.month * 100 + d.day;

  // One segment per calendar year the window touches (at most two, as days < 365).
  const segments: { year: number; from: number; to: number }[] =
    start.year === end.year
      ? [{ year: start.year, from: md(start), to: md(end) }]
      : [
          { year: start.year, from: md(start), to: LAST_MD },
          { year: end.year, from: FIRST_MD, to: md(end) },
        ];

  const ranges = segments.map(({ year, from, to }) => {
    if (isLeapYear(year)) return { from, to };
    const leapDayIsKeptOn = rule === 'mar1' ? 301 : 228;
    if (from <= leapDayIsKeptOn && leapDayIsKeptOn <= to) {
      return { from: Math.min(from, LEAP_DAY_MD), to: Math.max(to, LEAP_DAY_MD) };
    }
    return { from, to };
  });
  return mergeRanges(ranges);
}

function mergeRanges(ranges: MonthDayRange[]): MonthDayRange[] {
  const sorted = [...ranges].sort((a, b) => a.from - b.from);
  const merged: MonthDayRange[] = [];
  for (const r of sorted) {
    const last = merged[merged.length - 1];
    if (last && r.from <= last.to + 1) last.to = Math.max(last.to, r.to);
    else merged.push({ ...r });
  }
  return merged;
}

/**
 * Days in a `--within` window: `14d`, `2w`, `3m` (also `1y`, and a bare number of days).
 * Months and years are calendar months from today: `1m` on 31 January reaches 28 (or 29)
 * February, so `1m` is 28 to 31 days. `0d` is today only.
 */
export function withinDays(text: string, today: string, flag = '--within'): number {
  mustParseToday(today);
  const duration = parseDuration(text);
  if (!duration) {
    throw new UsageError(
      `${flag} "${text}" is not a duration; write a number of days, weeks or months such as 14d, 2w or 3m (at most 100 years).`,
    );
  }
  return daysBetween(today, shiftDate(today, duration, 1));
}

/** Soonest first; on the same day by name (case- and accent-insensitive), then by id. */
export function compareBirthdays(
  a: { in_days: number; name: string; id?: number },
  b: { in_days: number; name: string; id?: number },
): number {
  return a.in_days - b.in_days || compareNames(foldName(a.name), a, foldName(b.name), b);
}

function compareNames(ka: string, a: { name: string; id?: number }, kb: string, b: { name: string; id?: number }): number {
  if (ka !== kb) return ka < kb ? -1 : 1;
  if (a.name !== b.name) return a.name < b.name ? -1 : 1;
  return (a.id ?? 0) - (b.id ?? 0);
}

/**
 * A sorted copy: soonest first, ties by name, then id. Each name is folded once: on a busy day
 * thousands share `in_days` 0, and folding (or a collator) per comparison cost more than the query.
 */
export function sortBirthdays<T extends { in_days: number; name: string; id?: number }>(entries: readonly T[]): T[] {
  const keyed = entries.map((entry) => ({ entry, key: foldName(entry.name) }));
  keyed.sort((a, b) => a.entry.in_days - b.entry.in_days || compareNames(a.key, a.entry, b.key, b.entry));
  return keyed.map((k) => k.entry);
}

/** Letters that do not decompose into a base letter and a mark, spelled as their base letters. */
const FOLD_EXTRA: Record<string, string> = { ø: 'o', æ: 'ae', œ: 'oe', ß: 'ss', ł: 'l', đ: 'd', ð: 'd', þ: 'th', ı: 'i' };

/**
 * A name's sort key: accents off, lower case, and ø, æ, ß … spelled out, so "Øberg" sorts with
 * "Oberg" and "Ärzte" with "Arzte" on any machine (no locale data involved).
 */
export function foldName(name: string): string {
  // plain ASCII needs no decomposition
  if (/^[\x20-\x7e]*$/.test(name)) return name.toLowerCase();
  return name
    .normalize('NFD')
    .replace(/\p{M}/gu, '')
    .toLowerCase()
    .replace(/[\u00f8\u00e6\u0153\u00df\u0142\u0111\u00f0\u00fe\u0131]/g, (c) => FOLD_EXTRA[c] ?? c); // the keys of FOLD_EXTRA
}

/**
 * The rows whose next birthday falls in [today, today + days], each with `next`, `in_days` and
 * `turns`, soonest first. This is the exact filter behind `birthdayWindow()`'s ranges. Rows
 * without a birthday are left out.
 */
export function upcomingBirthdays<T extends { name: string; birthday: string | null; id?: number }>(
  rows: readonly T[],
  today: string,
  days: number,
  rule: LeapDayRule = DEFAULT_LEAP_DAY_RULE,
): (T & NextBirthday)[] {
  const celebrate = celebrations(today, days, rule);
  const out: (T & NextBirthday)[] = [];
  for (const row of rows) {
    if (row.birthday === null) continue;
    const next = celebrate(row.birthday);
    if (next !== null) out.push({ ...row, ...next });
  }
  return sortBirthdays(out);
}

/**
 * A function that gives a birthday's next celebration when it falls in [today, today + days],
 * else null. Every birthday with the same month-day is celebrated on the same day, so that is
 * worked out once per month-day (at most 366), not once per person; only `turns` depends on the
 * year. A date of birth this year or later takes the exact path (its first anniversary).
 */
export function celebrations(today: string, days: number, rule: LeapDayRule = DEFAULT_LEAP_DAY_RULE): (birthday: string) => NextBirthday | null {
  const byMonthDay = new Map<string, NextBirthday>();
  const thisYear = Number(today.slice(0, 4));
  return (birthday) => {
    const birthYear = birthday.startsWith('--') ? null : Number(birthday.slice(0, 4));
    let next: NextBirthday;
    if (birthYear !== null && birthYear >= thisYear) {
      next = nextBirthday(birthday, today, rule);
    } else {
      const md = birthday.slice(-5);
      let shared = byMonthDay.get(md);
      if (shared === undefined) {
        shared = nextBirthday(`--${md}`, today, rule);
        byMonthDay.set(md, shared);
      }
      next = { next: shared.next, in_days: shared.in_days, turns: birthYear === null ? null : Number(shared.next.slice(0, 4)) - birthYear };
    }
    return next.in_days <= days ? next : null;
  };
}
