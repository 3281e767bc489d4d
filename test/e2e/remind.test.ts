/**
 * `custfile remind` end to end, as cron runs it: no terminal, stdin closed, dates fixed with
 * `--on`. Profiles' `updated_at` is the real now, so the stale checks look from 2099, and the
 * profiles that must be fresh then are reviewed (`reviewed_at`) in 2099.
 */
import { spawnSync } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import Database from 'better-sqlite3';
import { BIN, type RunResult, type Sandbox, json, sandbox } from './helpers.js';

interface RemindJson {
  today: string;
  until: string;
  birthdays: { id: number; name: string; company: string | null; birthday: string; next: string; in_days: number; turns: number | null }[];
  followups: { id: number; kind: string; name: string; company: string | null; next_contact: string; in_days: number; overdue: boolean; email: string | null; phone: string | null }[];
  stale: { count: number; before: string | null; profiles: { id: number; kind: string; name: string; company: string | null; untouched_since: string; days_untouched: number }[] };
}

const ON = ['--on', '2099-06-10'];
const REVIEWED = ['--reviewed-at', '2099-06-01'];

function ok(r: RunResult): RunResult {
  if (r.code !== 0) throw new Error(`exit ${r.code}: ${r.stderr}`);
  return r;
}

function addTo(box: Sandbox, ids: Record<string, number>, name: string, args: string[]): void {
  ids[name] = Number(ok(box.run(['add', ...args])).stdout.trim());
}

/** Runs the binary the way cron does: stdin closed (`<&-`), stdout and stderr pipes, no TTY. */
function runLikeCron(box: Sandbox, args: string[]): RunResult {
  const quoted = ['--db', box.db, ...args].map((a) => `'${a.replace(/'/g, "'\\''")}'`).join(' ');
  const r = spawnSync('/bin/sh', ['-c', `exec "${process.execPath}" "${BIN}" ${quoted} <&-`], {
    cwd: box.dir,
    env: { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: box.dir, TZ: 'UTC' },
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

describe('custfile remind with nothing due', () => {
  let quiet: Sandbox;
  beforeAll(() => {
    quiet = sandbox();
    const ids: Record<string, number> = {};
    addTo(quiet, ids, 'Elbwerk GmbH', ['company', '--name', 'Elbwerk GmbH', '--next-contact', '2099-08-01', ...REVIEWED]);
    addTo(quiet, ids, 'Jens Koch', ['contact', '--company', 'Elbwerk GmbH', '--name', 'Jens Koch', '--birthday', '1975-01-03', ...REVIEWED]);
    addTo(quiet, ids, 'Anna Müller', ['person', '--name', 'Anna Müller', '--birthday', '--06-18', ...REVIEWED]);
  });
  afterAll(() => quiet.cleanup());

  it('prints nothing at all and exits 0', () => {
    expect(quiet.run(['remind', ...ON])).toEqual({ code: 0, stdout: '', stderr: '' });
  });

  it('stays silent with stdin closed and no terminal (cron)', () => {
    expect(runLikeCron(quiet, ['remind', ...ON, '--within', '7d'])).toEqual({ code: 0, stdout: '', stderr: '' });
  });

  it('stays silent on a file that does not exist yet, and creates none', () => {
    const empty = sandbox();
    try {
      expect(runLikeCron(empty, ['remind'])).toEqual({ code: 0, stdout: '', stderr: '' });
      expect(() => empty.query('SELECT 1')).toThrow();
    } finally {
      empty.cleanup();
    }
  });

  it('the window ends where --within says: one day more and a birthday is due', () => {
    expect(quiet.run(['remind', ...ON, '--within', '8d']).stdout).toMatch(/^Birthdays \(1\)\n {2}in 8 days {2}2099-06-18 {2}Anna Müller {2}#\d+\n$/);
  });

  it('prints nothing in JSON and NDJSON either (a cron line with --format json mails only when something is due)', () => {
    for (const format of ['json', 'ndjson']) {
      const r = quiet.run(['remind', ...ON, '--format', format]);
      expect(r.code).toBe(0);
      expect(r.stderr).toBe('');
      expect(r.stdout).toBe('');
    }
  });
});

describe('custfile remind with a birthday, follow-ups and a stale profile due', () => {
  let box: Sandbox;
  const ids: Record<string, number> = {};
  let ottoSince = '';

  beforeAll(() => {
    box = sandbox();
    addTo(box, ids, 'Elbwerk GmbH', ['company', '--name', 'Elbwerk GmbH', '--next-contact', '2099-06-05', ...REVIEWED]);
    addTo(box, ids, 'Jens Koch', ['contact', '--company', 'Elbwerk GmbH', '--name', 'Jens Koch', '--birthday', '1975-06-12', '--tag', 'vip', ...REVIEWED]);
    addTo(box, ids, 'Anna Müller', ['person', '--name', 'Anna Müller', '--next-contact', '2099-06-15', ...REVIEWED]);
    addTo(box, ids, 'Bert Later', ['person', '--name', 'Bert Later', '--next-contact', '2099-06-30', '--birthday', '1990-06-20', ...REVIEWED]);
    addTo(box, ids, 'Otto Old', ['person', '--name', 'Otto Old']); // never reviewed: stale by 2099
    ottoSince = box.query<{ d: string }>('SELECT substr(updated_at, 1, 10) AS d FROM profiles WHERE id = ?', ids['Otto Old'])[0]!.d;
  });
  afterAll(() => box.cleanup());

  const birthdaySection = () =>
    'Birthdays (1)\n' +
    `  in 2 days  2099-06-12  Jens Koch (Elbwerk GmbH), turns 124  #${ids['Jens Koch']}\n`;
  const followupSection = () =>
    'Follow-ups due (2, 1 overdue)\n' +
    `  OVERDUE 5 days  2099-06-05  Elbwerk GmbH  #${ids['Elbwerk GmbH']}\n` +
    `  in 5 days       2099-06-15  Anna Müller   #${ids['Anna Müller']}\n`;
  const staleSection = () =>
    'Stale profiles (1 not reviewed or changed since 2098-12-12)\n' +
    `  ${ottoSince}  Otto Old  #${ids['Otto Old']}\n` +
    '  (custfile update REF --reviewed marks one reviewed)\n';

  it('lists them under three headings, in plain text', () => {
    const r = box.run(['remind', ...ON]);
    expect(r.code).toBe(0);
    expect(r.stderr).toBe('');
    expect(r.stdout).toBe(`${birthdaySection()}\n${followupSection()}\n${staleSection()}`);
  });

  it('prints the same with stdin closed and no terminal, without colour', () => {
    const r = runLikeCron(box, ['remind', ...ON, '--within', '7d']);
    expect(r).toEqual({ code: 0, stdout: `${birthdaySection()}\n${followupSection()}\n${staleSection()}`, stderr: '' });
    expect(r.stdout).not.toContain('\u001b[');
  });

  it('colours only when asked to (FORCE_COLOR), marking overdue ones in red', () => {
    const r = box.run(['remind', ...ON], { env: { FORCE_COLOR: '1' } });
    expect(r.stdout).toContain('\u001b[31mOVERDUE 5 days\u001b[39m');
    expect(box.run(['remind', ...ON, '--no-color'], { env: { FORCE_COLOR: '1' } }).stdout).not.toContain('\u001b[');
  });

  it('--stale-limit names as many stale profiles as asked, the count staying whole', () => {
    const json = (args: string[]) => JSON.parse(box.run(['remind', ...ON, '--format', 'json', ...args]).stdout) as RemindJson;
    // every profile is stale ten years on; the oldest (first added) first
    const all = json(['--on', '2109-06-10', '--stale', '1y']);
    expect(all.stale.count).toBe(5);
    expect(json(['--on', '2109-06-10', '--stale', '1y', '--stale-limit', '2']).stale.profiles.map((p) => p.id)).toEqual(all.stale.profiles.slice(0, 2).map((p) => p.id));
    expect(json(['--on', '2109-06-10', '--stale', '1y', '--stale-limit', '2']).stale.count).toBe(5);
    expect(box.run(['remind', ...ON, '--stale-limit', 'x']).code).toBe(2);
  });

  it('--stale off leaves stale profiles out', () => {
    expect(box.run(['remind', ...ON, '--stale', 'off'])).toEqual({ code: 0, stdout: `${birthdaySection()}\n${followupSection()}`, stderr: '' });
  });

  it('--stale takes a longer span', () => {
    // Otto was last changed in the 2020s: not stale for 100 years
    expect(box.run(['remind', ...ON, '--stale', '100y']).stdout).toBe(`${birthdaySection()}\n${followupSection()}`);
  });

  it('--within 0d: today only, overdue follow-ups still shown', () => {
    const r = box.run(['remind', ...ON, '--within', '0d', '--stale', 'off']);
    expect(r.stdout).toBe('Follow-ups due (1, 1 overdue)\n' + `  OVERDUE 5 days  2099-06-05  Elbwerk GmbH  #${ids['Elbwerk GmbH']}\n`);
  });

  it('--within 14d reaches the later birthday and follow-up', () => {
    const out = json<RemindJson>(box.run(['remind', ...ON, '--within', '14d', '--format', 'json']));
    expect(out.birthdays.map((b) => [b.name, b.in_days])).toEqual([['Jens Koch', 2], ['Bert Later', 10]]);
    expect(out.followups.map((f) => f.name)).toEqual(['Elbwerk GmbH', 'Anna Müller']);
  });

  it('applies filters to every section', () => {
    expect(box.run(['remind', ...ON, '--tag', 'vip']).stdout).toBe(birthdaySection());
    expect(box.run(['remind', ...ON, '--kind', 'company']).stdout).toBe(
      'Follow-ups due (1, 1 overdue)\n' + `  OVERDUE 5 days  2099-06-05  Elbwerk GmbH  #${ids['Elbwerk GmbH']}\n`,
    );
  });

  it('gives the whole object with --format json', () => {
    const r = box.run(['remind', ...ON, '--format', 'json']);
    expect(r.code).toBe(0);
    expect(json<RemindJson>(r)).toEqual({
      today: '2099-06-10',
      until: '2099-06-17',
      birthdays: [{ id: ids['Jens Koch'], name: 'Jens Koch', company: 'Elbwerk GmbH', birthday: '1975-06-12', next: '2099-06-12', in_days: 2, turns: 124 }],
      followups: [
        { id: ids['Elbwerk GmbH'], kind: 'company', name: 'Elbwerk GmbH', company: 'Elbwerk GmbH', next_contact: '2099-06-05', in_days: -5, overdue: true, email: null, phone: null },
        { id: ids['Anna Müller'], kind: 'person', name: 'Anna Müller', company: null, next_contact: '2099-06-15', in_days: 5, overdue: false, email: null, phone: null },
      ],
      stale: {
        count: 1,
        before: '2098-12-12',
        profiles: [{ id: ids['Otto Old'], kind: 'person', name: 'Otto Old', company: null, untouched_since: ottoSince, days_untouched: expect.any(Number) as number }],
      },
    });
    const ndjson = box.run(['remind', ...ON, '--format', 'ndjson']);
    expect(ndjson.stdout.trimEnd().split('\n')).toHaveLength(1);
    expect((JSON.parse(ndjson.stdout) as RemindJson).stale.count).toBe(1);
  });

  it('a review makes a stale profile fresh', () => {
    // `update --reviewed` would write the real today, which 2099 finds stale too; set the date
    ok(box.run(['update', 'Otto Old', '--set', 'reviewed_at=2099-06-09']));
    try {
      expect(json<RemindJson>(box.run(['remind', ...ON, '--format', 'json'])).stale.count).toBe(0);
    } finally {
      ok(box.run(['update', 'Otto Old', '--unset', 'reviewed_at']));
    }
  });

  it.each<[string, string[], RegExp]>([
    ['--within 3x', ['--within', '3x'], /--within "3x" is not a duration/],
    ['--stale soon', ['--stale', 'soon'], /--stale "soon" is not a span/],
    ['--on 2099-13-01', ['--on', '2099-13-01'], /--on must be a date/],
    ['--leap-day', ['--leap-day', 'never'], /--leap-day "never" is not a rule/],
    ['--format csv', ['--format', 'csv'], /--format must be one of table, json, ndjson/],
  ])('%s is a usage error (exit 2), with nothing on stdout', (_label, args, message) => {
    const r = box.run(['remind', ...args]);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(message);
  });
});

describe('custfile remind with many stale profiles', () => {
  let box: Sandbox;
  beforeAll(() => {
    box = sandbox();
    ok(box.run(['add', 'person', '--name', 'First Profile', '--reviewed-at', '2099-06-01']));
    // 25 profiles last changed long ago, written directly: the cheapest way to get many
    const db = new Database(box.db);
    try {
      const insert = db.prepare("INSERT INTO profiles (kind, name, created_at, updated_at) VALUES ('person', ?, ?, ?)");
      db.transaction(() => {
        for (let i = 0; i < 25; i++) {
          const at = `20${String(10 + i).padStart(2, '0')}-03-01T10:00:00.000Z`;
          insert.run(`Stale ${String(i).padStart(2, '0')}`, at, at);
        }
      })();
    } finally {
      db.close();
    }
  });
  afterAll(() => box.cleanup());

  it('shows the count, the 20 oldest first, and how many more', () => {
    const lines = box.run(['remind', ...ON]).stdout.split('\n');
    expect(lines[0]).toBe('Stale profiles (25 not reviewed or changed since 2098-12-12)');
    expect(lines.slice(1, 21).map((l) => l.replace(/ {2}#\d+$/, ''))).toEqual(
      Array.from({ length: 20 }, (_, i) => `  20${String(10 + i).padStart(2, '0')}-03-01  Stale ${String(i).padStart(2, '0')}`),
    );
    expect(lines.slice(21)).toEqual(['  and 5 more', '  (custfile update REF --reviewed marks one reviewed)', '']);
    const out = json<RemindJson>(box.run(['remind', ...ON, '--format', 'json']));
    expect(out.stale.count).toBe(25);
    expect(out.stale.profiles).toHaveLength(20);
    expect(out.stale.profiles[0]).toMatchObject({ name: 'Stale 00', untouched_since: '2010-03-01', days_untouched: 32_608 });
  });
});
