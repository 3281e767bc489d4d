import { describe, expect, it } from 'vitest';
import {
  type LeapDayRule,
  birthdayMonthDay,
  birthdayWindow,
  celebrationDate,
  nextBirthday,
  parseLeapDayRule,
  sortBirthdays,
  upcomingBirthdays,
  withinDays,
} from '../../src/domain/birthdays.js';
import { addDays, daysInMonth } from '../../src/domain/dates.js';
import { UsageError, ValidationError } from '../../src/errors.js';

describe('nextBirthday', () => {
  it.each<[string, string, LeapDayRule | undefined, string, number, number | null]>([
    // birthday, today, rule, next, in_days, turns
    ['1980-05-10', '2026-05-10', undefined, '2026-05-10', 0, 46], // today is the day: 0, not next year
    ['1980-05-10', '2026-05-09', undefined, '2026-05-10', 1, 46],
    ['1980-05-10', '2026-05-11', undefined, '2027-05-10', 364, 47], // just missed
    ['--05-10', '2026-05-10', undefined, '2026-05-10', 0, null], // year-less: no age
    ['--05-10', '2026-05-11', undefined, '2027-05-10', 364, null],
    // year wrap: from 28 December into January
    ['1990-01-03', '2026-12-28', undefined, '2027-01-03', 6, 37],
    ['1990-12-31', '2026-12-28', undefined, '2026-12-31', 3, 36],
    ['1990-12-27', '2026-12-28', undefined, '2027-12-27', 364, 37],
    ['--01-01', '2026-12-31', undefined, '2027-01-01', 1, null],
    // 29 February, in common years (2026, 2027) and a leap year (2028)
    ['2000-02-29', '2026-02-01', undefined, '2026-02-28', 27, 26],
    ['2000-02-29', '2026-02-28', undefined, '2026-02-28', 0, 26],
    ['2000-02-29', '2026-03-01', undefined, '2027-02-28', 364, 27],
    ['2000-02-29', '2027-12-31', undefined, '2028-02-29', 60, 28],
    ['2000-02-29', '2028-02-28', undefined, '2028-02-29', 1, 28], // leap year: the day itself
    ['2000-02-29', '2028-02-29', undefined, '2028-02-29', 0, 28],
    ['2000-02-29', '2028-03-01', undefined, '2029-02-28', 364, 29],
    ['--02-29', '2027-02-28', undefined, '2027-02-28', 0, null],
    ['--02-29', '2028-02-28', undefined, '2028-02-29', 1, null],
    // mar1 rule
    ['2000-02-29', '2026-02-28', 'mar1', '2026-03-01', 1, 26],
    ['2000-02-29', '2026-03-01', 'mar1', '2026-03-01', 0, 26],
    ['2000-02-29', '2026-03-02', 'mar1', '2027-03-01', 364, 27],
    ['2000-02-29', '2028-02-28', 'mar1', '2028-02-29', 1, 28],
    ['--02-29', '2027-03-01', 'mar1', '2027-03-01', 0, null],
    // a 28 February or 1 March birthday is not moved by either rule
    ['1999-02-28', '2026-02-28', 'mar1', '2026-02-28', 0, 27],
    ['1999-03-01', '2028-02-29', 'feb28', '2028-03-01', 1, 29],
    // ages: a centenarian, a first birthday; the day of birth is not a birthday
    ['1926-07-01', '2026-06-30', undefined, '2026-07-01', 1, 100],
    ['2025-07-01', '2026-06-30', undefined, '2026-07-01', 1, 1],
    ['2026-06-30', '2026-06-30', undefined, '2027-06-30', 365, 1],
    ['2062-06-30', '2026-06-30', undefined, '2063-06-30', 13514, 1], // a typo'd future year
  ])('%s on %s (%s) → %s, in %i days, turns %s', (birthday, today, rule, next, inDays, turns) => {
    expect(nextBirthday(birthday, today, rule)).toEqual({ next, in_days: inDays, turns });
  });

  it.each(['', '1980-02-30', '--02-30', '--13-01', '10.05.1980', '1980-5-1'])(
    'rejects the birthday %j without echoing it',
    (birthday) => {
      const call = () => nextBirthday(birthday, '2026-01-01');
      expect(call).toThrow(ValidationError);
      try {
        call();
      } catch (e) {
        expect((e as Error).message).toMatch(/^birthday: /);
        if (birthday) expect((e as Error).message).not.toContain(birthday);
      }
    },
  );

  it('rejects a today that is not an ISO date', () => {
    expect(() => nextBirthday('1980-05-10', '2026-02-30')).toThrow(RangeError);
  });
});

describe('celebrationDate and birthdayMonthDay', () => {
  it.each<[number, number, number, LeapDayRule, string]>([
    [2, 29, 2026, 'feb28', '2026-02-28'],
    [2, 29, 2026, 'mar1', '2026-03-01'],
    [2, 29, 2028, 'feb28', '2028-02-29'],
    [2, 29, 2028, 'mar1', '2028-02-29'],
    [2, 29, 2100, 'feb28', '2100-02-28'], // 2100 is no leap year
    [2, 29, 2000, 'feb28', '2000-02-29'],
    [12, 31, 2026, 'mar1', '2026-12-31'],
  ])('%i/%i in %i (%s) → %s', (month, day, year, rule, expected) => {
    expect(celebrationDate(month, day, year, rule)).toBe(expected);
  });

  it.each([
    ['1980-05-10', 510],
    ['--02-29', 229],
    ['2000-12-31', 1231],
    ['--01-01', 101],
  ])('%s has month-day %i, as the SQL column', (birthday, md) => {
    expect(birthdayMonthDay(birthday)).toBe(md);
  });
});

describe('birthdayWindow', () => {
  it.each<[string, number, LeapDayRule | undefined, { from: number; to: number }[]]>([
    ['2026-05-10', 0, undefined, [{ from: 510, to: 510 }]], // today only
    ['2026-05-10', 14, undefined, [{ from: 510, to: 524 }]],
    ['2026-05-25', 14, undefined, [{ from: 525, to: 608 }]], // across a month end: 532..600 are no dates
    // year wrap: 28 December + 7 days reaches 4 January
    ['2026-12-28', 7, undefined, [{ from: 101, to: 104 }, { from: 1228, to: 1231 }]],
    ['2026-12-31', 0, undefined, [{ from: 1231, to: 1231 }]],
    ['2026-12-31', 1, undefined, [{ from: 101, to: 101 }, { from: 1231, to: 1231 }]],
    // 365 days and more: the whole year
    ['2026-05-10', 365, undefined, [{ from: 101, to: 1231 }]],
    ['2028-01-01', 365, undefined, [{ from: 101, to: 1231 }]],
    ['2026-05-10', 1000, 'mar1', [{ from: 101, to: 1231 }]],
    // 364 days from 1 January of a common year is the whole year too (29 Feb kept on 28 Feb)
    ['2027-01-01', 364, undefined, [{ from: 101, to: 1231 }]],
    // 29 February in a common year, rule feb28: a window holding 28 Feb takes in 229
    ['2027-02-28', 0, undefined, [{ from: 228, to: 229 }]],
    ['2027-02-20', 8, undefined, [{ from: 220, to: 229 }]],
    ['2027-03-01', 5, undefined, [{ from: 301, to: 306 }]],
    ['2027-02-28', 1, undefined, [{ from: 228, to: 301 }]],
    // rule mar1: 1 March takes in 229, 28 February alone does not
    ['2027-03-01', 5, 'mar1', [{ from: 229, to: 306 }]],
    ['2027-02-28', 0, 'mar1', [{ from: 228, to: 228 }]],
    ['2027-02-20', 8, 'mar1', [{ from: 220, to: 228 }]],
    ['2027-02-28', 1, 'mar1', [{ from: 228, to: 301 }]],
    // a leap year: 229 is a real day, under either rule
    ['2028-02-28', 0, undefined, [{ from: 228, to: 228 }]],
    ['2028-02-29', 0, 'mar1', [{ from: 229, to: 229 }]],
    ['2028-03-01', 0, 'mar1', [{ from: 301, to: 301 }]],
    // a wrap into a common year's February
    ['2026-12-20', 70, undefined, [{ from: 101, to: 229 }, { from: 1220, to: 1231 }]],
    ['2026-12-20', 70, 'mar1', [{ from: 101, to: 228 }, { from: 1220, to: 1231 }]],
    // wrap ranges that touch are merged (229 meets 228)
    ['2027-03-01', 364, 'mar1', [{ from: 101, to: 1231 }]],
  ])('%s + %i days (%s) → %j', (today, days, rule, expected) => {
    expect(birthdayWindow(today, days, rule)).toEqual(expected);
  });

  it.each([-1, 1.5, Number.NaN])('rejects a window of %s days', (days) => {
    expect(() => birthdayWindow('2026-05-10', days)).toThrow(RangeError);
  });

  // Brute force: the ranges must select every birthday whose next celebration is in the window.
  const allMonthDays: number[] = [];
  for (let month = 1; month <= 12; month++) {
    for (let day = 1; day <= daysInMonth(2028, month); day++) allMonthDays.push(month * 100 + day);
  }
  const asYearless = (md: number) =>
    `--${String(Math.floor(md / 100)).padStart(2, '0')}-${String(md % 100).padStart(2, '0')}`;
  const inRanges = (md: number, ranges: { from: number; to: number }[]) =>
    ranges.some((r) => r.from <= md && md <= r.to);

  it.each<[number, LeapDayRule]>([
    [2027, 'feb28'],
    [2027, 'mar1'],
    [2028, 'feb28'],
    [2028, 'mar1'],
  ])('selects exactly the birthdays due, for every day of %i as today (%s)', (year, rule) => {
    const failures: string[] = [];
    let checked = 0;
    for (let today = `${year}-01-01`; today.startsWith(String(year)); today = addDays(today, 1)) {
      for (const days of [0, 1, 7, 14, 30, 365]) {
        const ranges = birthdayWindow(today, days, rule);
        for (const md of allMonthDays) {
          const due = nextBirthday(asYearless(md), today, rule).in_days <= days;
          const selected = inRanges(md, ranges);
          // ⊇ is the contract; for year-less birthdays the ranges are in fact exact.
          if (due !== selected) failures.push(`${today}+${days} md ${md}: due ${due}, selected ${selected}`);
          checked++;
        }
      }
    }
    expect(failures.slice(0, 5)).toEqual([]);
    expect(checked).toBe((year === 2028 ? 366 : 365) * 6 * 366);
  });
});

describe('withinDays', () => {
  it.each<[string, string, number]>([
    ['0d', '2026-05-10', 0],
    ['14d', '2026-05-10', 14],
    ['14', '2026-05-10', 14], // a bare number is days
    ['2w', '2026-05-10', 14],
    ['1w', '2026-12-28', 7],
    ['1m', '2026-01-31', 28], // calendar months, clamped to the month's end
    ['1m', '2028-01-31', 29],
    ['1m', '2026-05-10', 31],
    ['3m', '2026-05-10', 92],
    ['3M', '2026-05-10', 92],
    ['1y', '2026-05-10', 365],
    ['1y', '2028-01-01', 366],
    [' 7d ', '2026-05-10', 7],
  ])('%j from %s is %i days', (text, today, days) => {
    expect(withinDays(text, today)).toBe(days);
  });

  it.each(['abc', '-3d', '0x', '', 'd', '3.5d', '1e3d', '14 days', '+7d'])('%j is a usage error naming --within', (text) => {
    expect(() => withinDays(text, '2026-05-10')).toThrow(UsageError);
    expect(() => withinDays(text, '2026-05-10')).toThrow(/--within/);
  });

  it('names another flag when asked', () => {
    expect(() => withinDays('soon', '2026-05-10', '--stale')).toThrow(/^--stale "soon"/);
  });
});

describe('parseLeapDayRule', () => {
  it.each([
    ['feb28', 'feb28'],
    ['MAR1', 'mar1'],
  ])('%s → %s', (text, rule) => {
    expect(parseLeapDayRule(text)).toBe(rule);
  });
  it('rejects anything else naming --leap-day', () => {
    expect(() => parseLeapDayRule('feb29')).toThrow(UsageError);
    expect(() => parseLeapDayRule('feb29')).toThrow(/--leap-day/);
  });
});

describe('sortBirthdays and upcomingBirthdays', () => {
  it('sorts soonest first, ties by name regardless of case and accents, then id', () => {
    const sorted = sortBirthdays([
      { id: 1, name: 'Zoe', in_days: 3 },
      { id: 2, name: 'bert', in_days: 0 },
      { id: 3, name: 'Änne', in_days: 0 },
      { id: 4, name: 'Anna', in_days: 0 },
      { id: 5, name: 'Anna', in_days: 0 },
      { id: 6, name: 'Carl', in_days: 1 },
    ]);
    expect(sorted.map((e) => e.id)).toEqual([4, 5, 3, 2, 6, 1]);
  });

  it('does not change its input', () => {
    const input = [
      { name: 'B', in_days: 1 },
      { name: 'A', in_days: 0 },
    ];
    sortBirthdays(input);
    expect(input.map((e) => e.name)).toEqual(['B', 'A']);
  });

  it('keeps the rows due in the window, with next, in_days and turns, soonest first', () => {
    const rows = [
      { id: 1, name: 'Anna', birthday: '1990-01-03' },
      { id: 2, name: 'Bert', birthday: '--12-30' },
      { id: 3, name: 'Cleo', birthday: '1985-01-05' }, // outside a 7-day window from 28 Dec
      { id: 4, name: 'Dora', birthday: null },
      { id: 5, name: 'Emil', birthday: '2027-01-02' }, // born in the window: no birthday yet
    ];
    expect(upcomingBirthdays(rows, '2026-12-28', 7)).toEqual([
      { id: 2, name: 'Bert', birthday: '--12-30', next: '2026-12-30', in_days: 2, turns: null },
      { id: 1, name: 'Anna', birthday: '1990-01-03', next: '2027-01-03', in_days: 6, turns: 37 },
    ]);
  });
});

describe('far dates', () => {
  it('a birth year typed far in the future is celebrated past every window, without a crash', () => {
    const next = nextBirthday('9999-12-01', '2026-11-27');
    expect(next.in_days).toBeGreaterThan(withinDays('100y', '2026-11-27'));
    expect(next.turns).toBeNull();
  });

  it('windows longer than a century are refused with their flag named', () => {
    expect(() => withinDays('9999y', '2026-11-27')).toThrow(/--within "9999y" is not a duration.*at most 100 years/);
    expect(withinDays('100y', '9899-12-31')).toBeGreaterThan(36000);
  });
});
