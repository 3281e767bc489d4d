/**
 * Birthdays as an iCalendar file (RFC 5545): one all-day, yearly, transparent VEVENT per birthday.
 *
 * Choices, for calendars to import it well:
 * - UID `custfile-birthday-<profile id>@custfile`: importing the file again updates the events
 *   instead of duplicating them (and a changed birthday moves its event).
 * - DTSTART is the date of birth when its year is known. When it is not (`--MM-DD`), the event
 *   starts in 1900 (YEARLESS_START_YEAR): early enough that every year anyone looks at has the
 *   event, and not a real year of birth; neither SUMMARY nor DESCRIPTION then states an age or year.
 * - 29 February: RFC 5545 skips a yearly recurrence on a date the year lacks, so a DTSTART of
 *   29 February with a bare `FREQ=YEARLY` would show only every fourth year. These events use
 *   `FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=-1`, the last day of February: 29 February in leap years,
 *   28 February otherwise, which is the SPEC's rule and what Google, Apple and Outlook support.
 *   A year-less one starts on 28 February 1900 (1900 is no leap year), the rule's first day.
 *   With the `mar1` rule it is `BYYEARDAY=60` instead (29 February, or 1 March), which fewer
 *   calendars understand (Outlook does not), hence not the default.
 * - DTEND is the next day: RFC 5545 already takes a DATE event without one to last a day, but
 *   some importers insist on it.
 * - TRANSP:TRANSPARENT (a birthday does not make anyone busy) and CATEGORIES:BIRTHDAY.
 */
import { ValidationError } from '../errors.js';
import { type LeapDayRule, DEFAULT_LEAP_DAY_RULE } from '../domain/birthdays.js';
import { addDays, formatIsoDate, parseBirthday, pad2 } from '../domain/dates.js';

export interface BirthdayIcsEntry {
  id: number;
  name: string;
  company: string | null;
  birthday: string;
}

export interface BirthdayIcsOptions {
  prodId?: string;
  /** ISO timestamp written as every event's DTSTAMP (the export's time; passed in, no clock here). */
  now: string;
  /** How a 29 February birthday recurs in common years; default feb28 (SPEC.md). */
  leapDay?: LeapDayRule;
  /** X-WR-CALNAME, the name calendars give the imported calendar. */
  calendarName?: string;
}

export const DEFAULT_PRODID = '-//custfile//custfile birthdays//EN';
export const YEARLESS_START_YEAR = 1900;
const CRLF = '\r\n';
const MAX_LINE_OCTETS = 75;

/** The stable UID of a profile's birthday event. */
export function birthdayUid(profileId: number): string {
  return `custfile-birthday-${profileId}@custfile`;
}

/** RFC 5545 3.3.11 TEXT: escape `\ ; ,` and newlines; drop other control characters (not allowed). */
export function escapeText(value: string): string {
  return value
    .replace(/\r\n|\r|\n/g, '\n')
    .replace(/[\u0000-\u0008\u000b-\u001f\u007f]/g, '')
    .replace(/[\\;,\n]/g, (c) => (c === '\n' ? '\\n' : `\\${c}`));
}

/**
 * RFC 5545 3.1: lines of at most 75 octets (without the CRLF), continued on lines that start
 * with one space. Counts UTF-8 octets and cuts only between code points, never inside a
 * multi-byte character or a surrogate pair.
 */
export function foldLine(line: string): string {
  const parts: string[] = [];
  let current = '';
  let octets = 0;
  let limit = MAX_LINE_OCTETS;
  for (const ch of line) {
    const size = utf8Octets(ch.codePointAt(0)!);
    if (octets + size > limit) {
      parts.push(current);
      current = '';
      octets = 0;
      limit = MAX_LINE_OCTETS - 1; // the leading space of a continuation line is one of its 75
    }
    current += ch;
    octets += size;
  }
  parts.push(current);
  return parts.join(`${CRLF} `);
}

function utf8Octets(codePoint: number): number {
  return codePoint < 0x80 ? 1 : codePoint < 0x800 ? 2 : codePoint < 0x10000 ? 3 : 4;
}

/** `2026-11-22T07:30:00.000Z` (or any timestamp Date parses) as a UTC DATE-TIME `20261122T073000Z`. */
function icsTimestamp(iso: string): string {
  const t = new Date(iso);
  if (Number.isNaN(t.getTime())) throw new RangeError(`not an ISO timestamp: ${iso}`);
  return (
    `${String(t.getUTCFullYear()).padStart(4, '0')}${pad2(t.getUTCMonth() + 1)}${pad2(t.getUTCDate())}` +
    `T${pad2(t.getUTCHours())}${pad2(t.getUTCMinutes())}${pad2(t.getUTCSeconds())}Z`
  );
}

const icsDate = (iso: string): string => iso.replaceAll('-', '');

function birthdayEvent(entry: BirthdayIcsEntry, dtstamp: string, leapDay: LeapDayRule): string[] {
  const b = parseBirthday(entry.birthday);
  if (!b) throw new ValidationError('birthday', `of profile #${entry.id} is not a valid birthday; it cannot be exported to a calendar.`);
  const isLeapDay = b.month === 2 && b.day === 29;
  let start: string;
  if (b.year !== null) start = formatIsoDate({ year: b.year, month: b.month, day: b.day });
  else if (isLeapDay) {
    // 1900 has no 29 February: start on the day the rule falls on that year.
    start = leapDay === 'mar1'
      ? formatIsoDate({ year: YEARLESS_START_YEAR, month: 3, day: 1 })
      : formatIsoDate({ year: YEARLESS_START_YEAR, month: 2, day: 28 });
  } else start = formatIsoDate({ year: YEARLESS_START_YEAR, month: b.month, day: b.day });

  const rrule = !isLeapDay
    ? 'FREQ=YEARLY'
    : leapDay === 'mar1'
      ? 'FREQ=YEARLY;BYYEARDAY=60'
      : 'FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=-1';

  const company = entry.company?.trim();
  const summary = `Birthday: ${entry.name}${company ? ` (${company})` : ''}`;
  const lines = [
    'BEGIN:VEVENT',
    `UID:${birthdayUid(entry.id)}`,
    `DTSTAMP:${dtstamp}`,
    `DTSTART;VALUE=DATE:${icsDate(start)}`,
    `DTEND;VALUE=DATE:${icsDate(addDays(start, 1))}`,
    `RRULE:${rrule}`,
    `SUMMARY:${escapeText(summary)}`,
  ];
  if (b.year !== null) lines.push(`DESCRIPTION:${escapeText(`Born ${entry.birthday}.`)}`);
  lines.push('CATEGORIES:BIRTHDAY', 'TRANSP:TRANSPARENT', 'END:VEVENT');
  return lines;
}

/** A whole VCALENDAR of birthday events, CRLF line ends, folded; entries in the order given. */
export function birthdaysToIcs(entries: readonly BirthdayIcsEntry[], options: BirthdayIcsOptions): string {
  const dtstamp = icsTimestamp(options.now);
  const leapDay = options.leapDay ?? DEFAULT_LEAP_DAY_RULE;
  const lines = [
    'BEGIN:VCALENDAR',
    'VERSION:2.0',
    `PRODID:${escapeText(options.prodId ?? DEFAULT_PRODID)}`,
    'CALSCALE:GREGORIAN',
    'METHOD:PUBLISH',
    `X-WR-CALNAME:${escapeText(options.calendarName ?? 'Birthdays')}`,
  ];
  for (const entry of entries) lines.push(...birthdayEvent(entry, dtstamp, leapDay));
  lines.push('END:VCALENDAR');
  return lines.map(foldLine).join(CRLF) + CRLF;
}
