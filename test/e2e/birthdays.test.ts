/**
 * `custfile birthdays` end to end, against the built binary: every date is fixed with `--on`.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunResult, type Sandbox, json, sandbox } from './helpers.js';

interface Birthday {
  id: number;
  name: string;
  company: string | null;
  birthday: string;
  next: string;
  in_days: number;
  turns: number | null;
}

let box: Sandbox;
const ids: Record<string, number> = {};

function ok(r: RunResult): RunResult {
  if (r.code !== 0) throw new Error(`exit ${r.code}: ${r.stderr}`);
  return r;
}

function add(name: string, args: string[]): void {
  ids[name] = Number(ok(box.run(['add', ...args])).stdout.trim());
}

function birthdays(...args: string[]): Birthday[] {
  const r = box.run(['birthdays', '--format', 'json', ...args]);
  expect(r.stderr).toBe('');
  expect(r.code).toBe(0);
  return json<Birthday[]>(r);
}

/** [name, next, in_days, turns], the order kept. */
const brief = (list: Birthday[]) => list.map((b) => [b.name, b.next, b.in_days, b.turns]);

beforeAll(() => {
  box = sandbox();
  add('Elbwerk GmbH', ['company', '--name', 'Elbwerk GmbH', '--city', 'Dresden', '--tag', 'vip']);
  add('Jens Koch', ['contact', '--company', 'Elbwerk GmbH', '--name', 'Jens Koch', '--role', 'CEO', '--decision-maker', 'true', '--birthday', '1975-01-03', '--tag', 'vip']);
  add('Anna Müller', ['person', '--name', 'Anna Müller', '--birthday', '--12-30']);
  add('Bert Early', ['person', '--name', 'Bert Early', '--birthday', '1990-12-28', '--city', 'Leipzig']);
  add('Leap Li', ['person', '--name', 'Leap Li', '--birthday', '2000-02-29']);
  add('Carla März', ['person', '--name', 'Carla März', '--birthday', '1980-03-01']);
  add('Dora Summer', ['person', '--name', 'Dora Summer', '--birthday', '1985-06-15', '--tag', 'vip']);
  add('No Birthday', ['person', '--name', 'No Birthday']);
});

afterAll(() => box.cleanup());

describe('custfile birthdays --format json', () => {
  it('reaches across the year end: from 28 December into January, soonest first', () => {
    expect(birthdays('--on', '2026-12-28', '--within', '14d')).toEqual([
      { id: ids['Bert Early'], name: 'Bert Early', company: null, birthday: '1990-12-28', next: '2026-12-28', in_days: 0, turns: 36 },
      { id: ids['Anna Müller'], name: 'Anna Müller', company: null, birthday: '--12-30', next: '2026-12-30', in_days: 2, turns: null },
      { id: ids['Jens Koch'], name: 'Jens Koch', company: 'Elbwerk GmbH', birthday: '1975-01-03', next: '2027-01-03', in_days: 6, turns: 52 },
    ]);
  });

  it.each<[string, string[], (string | number | null)[][]]>([
    ['today only (0d): in_days 0', ['--on', '2026-12-28', '--within', '0d'], [['Bert Early', '2026-12-28', 0, 36]]],
    ['a year-less birthday has turns null', ['--on', '2026-12-30', '--within', '0d'], [['Anna Müller', '2026-12-30', 0, null]]],
    ['29 February in a common year: on 28 February', ['--on', '2027-02-27', '--within', '2d'], [['Leap Li', '2027-02-28', 1, 27], ['Carla März', '2027-03-01', 2, 47]]],
    ['29 February in a leap year: on the day', ['--on', '2028-02-28', '--within', '2d'], [['Leap Li', '2028-02-29', 1, 28], ['Carla März', '2028-03-01', 2, 48]]],
    ['a leap year has no 28 February party', ['--on', '2028-02-28', '--within', '0d'], []],
    ['--leap-day mar1 moves it to 1 March', ['--on', '2027-02-28', '--within', '1d', '--leap-day', 'mar1'], [['Carla März', '2027-03-01', 1, 47], ['Leap Li', '2027-03-01', 1, 27]]],
    ['a window of 1w', ['--on', '2026-06-10', '--within', '1w'], [['Dora Summer', '2026-06-15', 5, 41]]],
    ['nothing in the window is an empty array', ['--on', '2026-04-01', '--within', '14d'], []],
  ])('%s', (_label, args, expected) => {
    expect(brief(birthdays(...args))).toEqual(expected);
  });

  it('a window of 365 days holds every person with a birthday once, and no company', () => {
    const list = birthdays('--on', '2026-06-15', '--within', '365d');
    expect(brief(list)).toEqual([
      ['Dora Summer', '2026-06-15', 0, 41],
      ['Bert Early', '2026-12-28', 196, 36],
      ['Anna Müller', '2026-12-30', 198, null],
      ['Jens Koch', '2027-01-03', 202, 52],
      ['Leap Li', '2027-02-28', 258, 27],
      ['Carla März', '2027-03-01', 259, 47],
    ]);
  });

  it('defaults to 14 days', () => {
    expect(brief(birthdays('--on', '2026-12-20'))).toEqual([
      ['Bert Early', '2026-12-28', 8, 36],
      ['Anna Müller', '2026-12-30', 10, null],
      ['Jens Koch', '2027-01-03', 14, 52], // the last day of the window is in it
    ]);
  });

  it.each<[string, string[], string[]]>([
    ['--tag vip', ['--tag', 'vip'], ['Dora Summer', 'Jens Koch']],
    ['--where on the key contact', ['--where', 'decision_maker = true'], ['Jens Koch']],
    ['--city', ['--city', 'Leipzig'], ['Bert Early']],
    ['--kind company (companies have no birthday)', ['--kind', 'company'], []],
  ])('applies filters: %s', (_label, args, names) => {
    expect(birthdays('--on', '2026-06-15', '--within', '365d', ...args).map((b) => b.name)).toEqual(names);
  });

  it('lists a key contact with their company', () => {
    const [jens] = birthdays('--on', '2027-01-01', '--within', '2d');
    expect(jens).toMatchObject({ name: 'Jens Koch', company: 'Elbwerk GmbH', next: '2027-01-03', in_days: 2, turns: 52 });
  });
});

describe('custfile birthdays, other formats', () => {
  it('writes CSV when piped, with the JSON columns', () => {
    const r = box.run(['birthdays', '--on', '2026-12-28', '--within', '14d']);
    expect(r.code).toBe(0);
    expect(r.stderr).toBe('');
    expect(r.stdout).toBe(
      'id,name,company,birthday,next,in_days,turns\n' +
        `${ids['Bert Early']},Bert Early,,1990-12-28,2026-12-28,0,36\n` +
        `${ids['Anna Müller']},Anna Müller,,'--12-30,2026-12-30,2,\n` +
        `${ids['Jens Koch']},Jens Koch,Elbwerk GmbH,1975-01-03,2027-01-03,6,52\n`,
    );
  });

  it('writes one JSON object a line with --format ndjson', () => {
    const r = box.run(['birthdays', '--on', '2026-12-28', '--within', '3d', '--format', 'ndjson']);
    expect(r.code).toBe(0);
    expect(r.stdout.trimEnd().split('\n').map((line) => (JSON.parse(line) as Birthday).name)).toEqual(['Bert Early', 'Anna Müller']);
  });

  it('draws a table with --format table, and says so when there is nothing', () => {
    const r = box.run(['birthdays', '--on', '2026-12-28', '--within', '6d', '--format', 'table']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/next\s.*when\s.*name\s.*company\s.*turns\s.*id/);
    expect(r.stdout).toMatch(/2027-01-03\s.*in 6 days\s.*Jens Koch\s.*Elbwerk GmbH\s.*52/);
    expect(r.stdout).toMatch(/2026-12-28\s.*today\s.*Bert Early/);
    const none = box.run(['birthdays', '--on', '2026-04-01', '--within', '0d', '--format', 'table']);
    expect(none).toEqual({ code: 0, stdout: 'No birthdays today.\n', stderr: '' });
  });
});

describe('the birthday calendar: custfile export --format ics', () => {
  it('writes one yearly event per birthday of the filtered persons, to a file', () => {
    const r = box.run(['export', '--format', 'ics', '--tag', 'vip', '--out', 'birthdays.ics']);
    expect(r.code).toBe(0);
    const ics = fs.readFileSync(path.join(box.dir, 'birthdays.ics'), 'utf8');
    expect(ics.match(/BEGIN:VEVENT\r\n/g)).toHaveLength(2);
    expect(ics.match(/RRULE:FREQ=YEARLY\r\n/g)).toHaveLength(2);
    expect(ics).toContain(`UID:custfile-birthday-${ids['Jens Koch']}@custfile\r\n`);
    expect(ics).toContain(`UID:custfile-birthday-${ids['Dora Summer']}@custfile\r\n`);
    expect(ics).toContain('SUMMARY:Birthday: Jens Koch (Elbwerk GmbH)\r\n');
  });
});

describe('custfile birthdays, bad input', () => {
  it.each<[string, string[], RegExp]>([
    ['--within 3x', ['--within', '3x'], /--within "3x" is not a duration/],
    ['--within -2d', ['--within', '-2d'], /--within "-2d" is not a duration/],
    ['--within empty', ['--within', ''], /--within "" is not a duration/],
    ['--on not a date', ['--on', '2026-02-30'], /--on must be a date/],
    ['--on too far ahead', ['--on', '9999-12-20', '--within', '30d'], /--on must be a date such as 2026-11-22 \(from 1000-01-01 to 9899-12-31\)/],
    ['--on too far back', ['--on', '0500-01-01'], /--on must be a date such as 2026-11-22 \(from 1000-01-01 to 9899-12-31\)/],
    ['--within over a century', ['--within', '9999y'], /--within "9999y" is not a duration.*at most 100 years/],
    ['--leap-day', ['--leap-day', 'feb29'], /--leap-day "feb29" is not a rule/],
    ['--format xlsx', ['--format', 'xlsx'], /--format must be one of/],
    ['--kind', ['--kind', 'robot'], /--kind must be company or person/],
  ])('%s is a usage error (exit 2)', (_label, args, message) => {
    const r = box.run(['birthdays', '--on', '2026-01-01', ...args]);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(message);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
  });

  it('a --where that does not parse is rejected input (exit 4)', () => {
    const r = box.run(['birthdays', '--where', 'city = = 1']);
    expect(r.code).toBe(4);
    expect(r.stdout).toBe('');
  });

  it('reads a file that does not exist as an empty one, and creates nothing', () => {
    const other = sandbox();
    try {
      const r = other.run(['birthdays', '--format', 'json', '--on', '2026-12-28']);
      expect(r).toEqual({ code: 0, stdout: '[]\n', stderr: '' });
      expect(() => other.query('SELECT 1')).toThrow();
    } finally {
      other.cleanup();
    }
  });
});
