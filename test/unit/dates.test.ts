/**
 * Civil-date arithmetic: parsing that refuses days which do not exist, day and month arithmetic
 * across month, year and leap-day boundaries, and the relative dates users type (`30d`, `+7d`).
 */
import { describe, expect, it } from 'vitest';
import {
  type Duration,
  addDays,
  addMonths,
  daysBetween,
  daysInMonth,
  formatBirthday,
  formatIsoDate,
  isIsoDate,
  isLeapYear,
  parseBirthday,
  parseDuration,
  parseIsoDate,
  resolveDateInput,
  shiftDate,
} from '../../src/domain/dates.js';

describe('isLeapYear and daysInMonth', () => {
  it.each<[number, boolean]>([
    [2024, true],
    [2026, false],
    [2028, true],
    [1900, false], // divisible by 100, not by 400
    [2000, true], // divisible by 400
    [2100, false],
    [4, true],
  ])('isLeapYear(%i) is %s', (year, leap) => {
    expect(isLeapYear(year)).toBe(leap);
  });

  it.each<[number, number, number]>([
    [2026, 1, 31],
    [2026, 2, 28],
    [2028, 2, 29],
    [1900, 2, 28],
    [2000, 2, 29],
    [2026, 4, 30],
    [2026, 6, 30],
    [2026, 9, 30],
    [2026, 11, 30],
    [2026, 12, 31],
    [2026, 7, 31],
    [2026, 8, 31],
  ])('daysInMonth(%i, %i) is %i', (year, month, days) => {
    expect(daysInMonth(year, month)).toBe(days);
  });
});

describe('parseIsoDate', () => {
  it.each<[string, { year: number; month: number; day: number } | null]>([
    ['2026-11-22', { year: 2026, month: 11, day: 22 }],
    ['2026-01-01', { year: 2026, month: 1, day: 1 }],
    ['2026-12-31', { year: 2026, month: 12, day: 31 }],
    ['2028-02-29', { year: 2028, month: 2, day: 29 }], // leap year
    ['2000-02-29', { year: 2000, month: 2, day: 29 }],
    ['0001-01-01', { year: 1, month: 1, day: 1 }], // the first year there is
    ['2027-02-29', null], // not a leap year
    ['1900-02-29', null],
    ['2026-02-30', null],
    ['2026-04-31', null],
    ['2026-13-01', null],
    ['2026-00-10', null],
    ['2026-01-00', null],
    ['2026-01-32', null],
    ['0000-01-01', null], // there is no year 0
    ['26-01-01', null],
    ['2026-1-1', null],
    ['2026/01/01', null],
    ['22.11.2026', null],
    [' 2026-11-22', null], // callers trim; the parser does not guess
    ['2026-11-22T10:00', null],
    ['--11-22', null], // year-less is a birthday, not a date
    ['', null],
  ])('%j → %j', (text, expected) => {
    expect(parseIsoDate(text)).toEqual(expected);
    expect(isIsoDate(text)).toBe(expected !== null);
  });

  it('formatIsoDate pads year, month and day', () => {
    expect(formatIsoDate({ year: 1, month: 2, day: 3 })).toBe('0001-02-03');
    expect(formatIsoDate({ year: 2026, month: 11, day: 22 })).toBe('2026-11-22');
  });
});

describe('parseBirthday', () => {
  it.each<[string, { year: number | null; month: number; day: number } | null]>([
    ['1976-02-29', { year: 1976, month: 2, day: 29 }],
    ['1977-02-29', null],
    ['1980-12-31', { year: 1980, month: 12, day: 31 }],
    ['--03-12', { year: null, month: 3, day: 12 }],
    ['--02-29', { year: null, month: 2, day: 29 }], // year-less 29 February is a real birthday
    ['--02-30', null],
    ['--04-31', null],
    ['--13-01', null],
    ['--00-10', null],
    ['--12-00', null],
    ['--1-5', null],
    ['-02-29', null],
    ['0000-05-05', null],
    ['', null],
  ])('%j → %j', (text, expected) => {
    expect(parseBirthday(text)).toEqual(expected);
  });

  it.each(['1976-02-29', '--02-29', '--03-12', '2026-11-22'])('formatBirthday round-trips %s', (text) => {
    expect(formatBirthday(parseBirthday(text)!)).toBe(text);
  });
});

describe('addDays', () => {
  it.each<[string, number, string]>([
    ['2026-11-22', 0, '2026-11-22'],
    ['2026-11-22', 1, '2026-11-23'],
    ['2026-11-30', 1, '2026-12-01'], // month end
    ['2026-12-31', 1, '2027-01-01'], // year end
    ['2027-01-01', -1, '2026-12-31'],
    ['2026-02-28', 1, '2026-03-01'], // common year: no 29 February
    ['2028-02-28', 1, '2028-02-29'], // leap year
    ['2028-02-29', 1, '2028-03-01'],
    ['2028-03-01', -1, '2028-02-29'],
    ['2026-03-01', -1, '2026-02-28'],
    ['2026-01-01', 365, '2027-01-01'],
    ['2028-01-01', 365, '2028-12-31'], // 366 days in 2028
    ['2026-11-22', -30, '2026-10-23'],
    ['2026-03-28', 2, '2026-03-30'], // across the EU daylight-saving change: still whole days
    ['2026-10-24', 2, '2026-10-26'],
    ['1900-02-28', 1, '1900-03-01'],
    ['2000-02-28', 1, '2000-02-29'],
    ['0050-03-01', -1, '0050-02-28'], // years below 100 are not years of the 1900s
    ['0099-12-31', 1, '0100-01-01'],
  ])('%s plus %i days = %s', (date, days, expected) => {
    expect(addDays(date, days)).toBe(expected);
  });

  it('refuses a date that does not exist', () => {
    expect(() => addDays('2026-02-30', 1)).toThrow(RangeError);
    expect(() => addDays('today', 1)).toThrow(RangeError);
  });
});

describe('daysBetween', () => {
  it.each<[string, string, number]>([
    ['2026-11-22', '2026-11-22', 0],
    ['2026-11-22', '2026-11-23', 1],
    ['2026-11-23', '2026-11-22', -1],
    ['2026-01-01', '2027-01-01', 365],
    ['2028-01-01', '2029-01-01', 366],
    ['2028-02-28', '2028-03-01', 2],
    ['2026-02-28', '2026-03-01', 1],
    ['2026-03-28', '2026-03-30', 2], // a 23-hour day still counts one
    ['0001-01-01', '0001-01-02', 1],
    ['0050-01-01', '1950-01-01', 693_960], // 1900 years, not 0
  ])('from %s to %s is %i', (from, to, expected) => {
    expect(daysBetween(from, to)).toBe(expected);
  });

  it('is the inverse of addDays', () => {
    for (const n of [-400, -31, -1, 0, 1, 59, 60, 366, 1000]) {
      expect(daysBetween('2028-02-29', addDays('2028-02-29', n))).toBe(n);
    }
  });
});

describe('addMonths', () => {
  it.each<[string, number, string]>([
    ['2026-01-15', 1, '2026-02-15'],
    ['2026-01-31', 1, '2026-02-28'], // clamped to the month's last day
    ['2028-01-31', 1, '2028-02-29'], // leap year
    ['2026-03-31', 1, '2026-04-30'],
    ['2026-03-31', -1, '2026-02-28'],
    ['2026-12-15', 1, '2027-01-15'], // across the year
    ['2026-01-15', -1, '2025-12-15'],
    ['2026-01-15', -13, '2024-12-15'],
    ['2026-11-22', 12, '2027-11-22'],
    ['2028-02-29', 12, '2029-02-28'], // a year after a leap day
    ['2028-02-29', 48, '2032-02-29'],
    ['2026-11-22', 0, '2026-11-22'],
  ])('%s plus %i months = %s', (date, months, expected) => {
    expect(addMonths(date, months)).toBe(expected);
  });
});

describe('parseDuration', () => {
  it.each<[string, Duration | null]>([
    ['30d', { amount: 30, unit: 'd' }],
    ['2w', { amount: 2, unit: 'w' }],
    ['3m', { amount: 3, unit: 'm' }],
    ['1y', { amount: 1, unit: 'y' }],
    ['14D', { amount: 14, unit: 'd' }],
    ['14 d', { amount: 14, unit: 'd' }],
    [' 7 ', { amount: 7, unit: 'd' }], // a bare number means days
    ['0d', { amount: 0, unit: 'd' }],
    ['36525d', { amount: 36525, unit: 'd' }],
    ['36526d', null], // at most a century: shifted dates keep four-digit years
    ['100y', { amount: 100, unit: 'y' }],
    ['101y', null],
    ['1200m', { amount: 1200, unit: 'm' }],
    ['1201m', null],
    ['9999y', null],
    ['100000d', null], // at most five digits
    ['-30d', null], // the sign is resolveDateInput's business
    ['30', { amount: 30, unit: 'd' }],
    ['30h', null],
    ['d', null],
    ['1.5d', null],
    ['', null],
    ['abc', null],
  ])('%j → %j', (text, expected) => {
    expect(parseDuration(text)).toEqual(expected);
  });
});

describe('shiftDate', () => {
  it.each<[string, Duration, 1 | -1, string]>([
    ['2026-11-22', { amount: 30, unit: 'd' }, -1, '2026-10-23'],
    ['2026-11-22', { amount: 30, unit: 'd' }, 1, '2026-12-22'],
    ['2026-11-22', { amount: 2, unit: 'w' }, 1, '2026-12-06'],
    ['2026-11-22', { amount: 2, unit: 'w' }, -1, '2026-11-08'],
    ['2026-03-31', { amount: 1, unit: 'm' }, -1, '2026-02-28'],
    ['2026-01-31', { amount: 1, unit: 'm' }, 1, '2026-02-28'],
    ['2028-02-29', { amount: 1, unit: 'y' }, 1, '2029-02-28'],
    ['2028-02-29', { amount: 4, unit: 'y' }, -1, '2024-02-29'],
    ['2026-11-22', { amount: 0, unit: 'y' }, -1, '2026-11-22'],
  ])('%s by %j × %i = %s', (date, duration, sign, expected) => {
    expect(shiftDate(date, duration, sign)).toBe(expected);
  });
});

describe('resolveDateInput', () => {
  const TODAY = '2026-11-22';
  it.each<[string, 'past' | 'future' | undefined, string | null]>([
    ['today', undefined, TODAY],
    [' today ', undefined, TODAY],
    ['2026-01-31', undefined, '2026-01-31'],
    ['2028-02-29', undefined, '2028-02-29'],
    ['30d', undefined, '2026-10-23'], // bare: in the past by default (--since 30d)
    ['30d', 'past', '2026-10-23'],
    ['30d', 'future', '2026-12-22'],
    ['-30d', undefined, '2026-10-23'],
    ['-30d', 'future', '2026-10-23'], // an explicit sign wins
    ['+7d', undefined, '2026-11-29'],
    ['+7d', 'past', '2026-11-29'],
    ['+2w', undefined, '2026-12-06'],
    ['-3m', undefined, '2026-08-22'],
    ['+1y', undefined, '2027-11-22'],
    ['-0d', undefined, TODAY],
    ['30', undefined, '2026-10-23'],
    ['2026-02-30', undefined, null],
    ['yesterday', undefined, null],
    ['TODAY', undefined, null],
    ['30x', undefined, null],
    ['+-5d', undefined, null],
    ['+', undefined, null],
    ['--30d', undefined, null],
    ['22.11.2026', undefined, null],
    ['', undefined, null],
  ])('%j (%s) → %j', (text, bare, expected) => {
    expect(resolveDateInput(text, TODAY, bare)).toBe(expected);
  });

  it('counts from the today it is given, across a year end and a leap day', () => {
    expect(resolveDateInput('+7d', '2026-12-28')).toBe('2027-01-04');
    expect(resolveDateInput('1d', '2028-03-01')).toBe('2028-02-29');
  });
});
