/**
 * Civil dates as ISO strings (`2026-11-22`). Pure: "today" is always a parameter.
 * Arithmetic goes through UTC midnight so no time zone or DST can shift a day.
 */

const ISO_DATE = /^(\d{4})-(\d{2})-(\d{2})$/;
const YEARLESS = /^--(\d{2})-(\d{2})$/;

export function isLeapYear(year: number): boolean {
  return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
}

export function daysInMonth(year: number, month: number): number {
  if (month === 2) return isLeapYear(year) ? 29 : 28;
  return [4, 6, 9, 11].includes(month) ? 30 : 31;
}

export interface CivilDate {
  year: number;
  month: number;
  day: number;
}

/** Parses `YYYY-MM-DD` and checks the day exists (2026-02-30 is null). */
export function parseIsoDate(text: string): CivilDate | null {
  const m = ISO_DATE.exec(text);
  if (!m) return null;
  const year = Number(m[1]);
  const month = Number(m[2]);
  const day = Number(m[3]);
  if (year < 1 || month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month)) return null;
  return { year, month, day };
}

export function isIsoDate(text: string): boolean {
  return parseIsoDate(text) !== null;
}

export function formatIsoDate(d: CivilDate): string {
  return `${String(d.year).padStart(4, '0')}-${pad2(d.month)}-${pad2(d.day)}`;
}

export function pad2(n: number): string {
  return String(n).padStart(2, '0');
}

export interface Birthday {
  /** null when the year is unknown (`--MM-DD`). */
  year: number | null;
  month: number;
  day: number;
}

/** `YYYY-MM-DD` or `--MM-DD`; a year-less 29 February is allowed. */
export function parseBirthday(text: string): Birthday | null {
  const y = YEARLESS.exec(text);
  if (y) {
    const month = Number(y[1]);
    const day = Number(y[2]);
    if (month < 1 || month > 12 || day < 1 || day > daysInMonth(2000, month)) return null;
    return { year: null, month, day };
  }
  const d = parseIsoDate(text);
  return d ? { year: d.year, month: d.month, day: d.day } : null;
}

export function formatBirthday(b: Birthday): string {
  return b.year === null ? `--${pad2(b.month)}-${pad2(b.day)}` : formatIsoDate(b as CivilDate);
}

function toEpochDays(d: CivilDate): number {
  // not Date.UTC: it reads years 0–99 as 1900–1999
  return Math.round(new Date(0).setUTCFullYear(d.year, d.month - 1, d.day) / 86_400_000);
}

function fromEpochDays(days: number): CivilDate {
  const t = new Date(days * 86_400_000);
  return { year: t.getUTCFullYear(), month: t.getUTCMonth() + 1, day: t.getUTCDate() };
}

function mustParse(text: string): CivilDate {
  const d = parseIsoDate(text);
  if (!d) throw new RangeError(`not an ISO date: ${text}`);
  return d;
}

export function addDays(date: string, days: number): string {
  return formatIsoDate(fromEpochDays(toEpochDays(mustParse(date)) + days));
}

/**
 * The instant a local day begins, as a stored timestamp is written (ISO 8601 in UTC): what
 * `created_at`, `updated_at` and history times are compared with, since "today" and every date a
 * user gives are local days. Depends on the process's time zone (TZ), not on the clock. Where
 * midnight does not exist (a clock change at 00:00), the day begins at the first local time it has.
 */
export function localDayStart(date: string): string {
  const d = mustParse(date);
  const start = new Date(2000, 0, 1);
  start.setFullYear(d.year, d.month - 1, d.day);
  start.setHours(0, 0, 0, 0);
  return start.toISOString();
}

/** The local civil date (YYYY-MM-DD) of an instant, in the process's time zone (TZ). */
export function localDateOf(d: Date): string {
  return `${String(d.getFullYear()).padStart(4, '0')}-${pad2(d.getMonth() + 1)}-${pad2(d.getDate())}`;
}

/** The local day of a stored timestamp (ISO 8601 in UTC). */
export function localDayOf(iso: string): string {
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? iso.slice(0, 10) : localDateOf(d);
}

/** Whole days from `from` to `to` (positive when `to` is later). */
export function daysBetween(from: string, to: string): number {
  return toEpochDays(mustParse(to)) - toEpochDays(mustParse(from));
}

/** Adds months, clamping to the month's last day (31 Jan + 1m = 28/29 Feb). */
export function addMonths(date: string, months: number): string {
  const d = mustParse(date);
  const index = d.year * 12 + (d.month - 1) + months;
  const year = Math.floor(index / 12);
  const month = (index % 12) + 1;
  return formatIsoDate({ year, month, day: Math.min(d.day, daysInMonth(year, month)) });
}

export type DurationUnit = 'd' | 'w' | 'm' | 'y';
export interface Duration {
  amount: number;
  unit: DurationUnit;
}

const DURATION = /^(\d{1,5})\s*([dwmy])$/i;

/** `14d`, `2w`, `3m`, `1y`; a bare number means days. */
export function parseDuration(text: string): Duration | null {
  const t = text.trim();
  const m = /^\d{1,5}$/.test(t) ? [t, t, 'd'] : DURATION.exec(t);
  if (!m) return null;
  const duration = { amount: Number(m[1]), unit: m[2]!.toLowerCase() as DurationUnit };
  // at most a century: dates shifted from any "today" (--on goes up to 9899) keep four-digit years
  return duration.amount <= MAX_DURATION[duration.unit] ? duration : null;
}

/** The longest duration of each unit: 100 years. */
const MAX_DURATION: Record<DurationUnit, number> = { d: 36_525, w: 5_218, m: 1_200, y: 100 };

/** `date` moved forward (sign 1) or back (sign -1) by a duration. */
export function shiftDate(date: string, duration: Duration, sign: 1 | -1): string {
  const n = duration.amount * sign;
  switch (duration.unit) {
    case 'd':
      return addDays(date, n);
    case 'w':
      return addDays(date, n * 7);
    case 'm':
      return addMonths(date, n);
    case 'y':
      return addMonths(date, n * 12);
  }
}

/**
 * A date as users type it on the command line: ISO, `today`, or relative to today
 * (`30d` and `-30d` mean 30 days ago for `--since`; `+7d` is 7 days ahead).
 */
export function resolveDateInput(
  text: string,
  today: string,
  bareMeans: 'past' | 'future' = 'past',
): string | null {
  const t = text.trim();
  if (t === 'today') return today;
  if (isIsoDate(t)) return t;
  const m = /^([+-])?(.+)$/.exec(t);
  if (!m) return null;
  const duration = parseDuration(m[2]!);
  if (!duration) return null;
  const sign = m[1] === '+' ? 1 : m[1] === '-' ? -1 : bareMeans === 'past' ? -1 : 1;
  return shiftDate(today, duration, sign);
}
