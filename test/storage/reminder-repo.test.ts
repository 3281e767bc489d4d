/**
 * ReminderRepo against a real (temporary) customer file: what each query returns, and that each
 * one is an index range, never a scan of every profile (EXPLAIN QUERY PLAN).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { birthdayWindow } from '../../src/domain/birthdays.js';
import type { SqlFragment } from '../../src/storage/filter-sql.js';
import { ReminderRepo } from '../../src/storage/reminder-repo.js';
import { type Store, openStore } from '../../src/storage/store.js';

interface Row {
  kind?: 'company' | 'person';
  name: string;
  company_id?: number | null;
  birthday?: string | null;
  next_contact?: string | null;
  reviewed_at?: string | null;
  updated_at?: string;
  tags?: string[];
  city?: string | null;
}

const VIP: SqlFragment = { sql: 'EXISTS (SELECT 1 FROM profile_tags t WHERE t.profile_id = p.id AND t.tag = ?)', params: ['vip'] };
const IN_DRESDEN: SqlFragment = { sql: 'p.city = ? COLLATE NOCASE', params: ['Dresden'] };
/** A filter on the company's side of the join (`c`), as `--where "company = …"` compiles. */
const AT_ELBWERK: SqlFragment = { sql: "(CASE WHEN p.kind = 'company' THEN p.name ELSE c.name END) = ? COLLATE NOCASE", params: ['Elbwerk GmbH'] };

let dir: string;
let store: Store;
let repo: ReminderRepo;
const ids: Record<string, number> = {};

function insert(row: Row): number {
  const updated = row.updated_at ?? '2026-01-01T09:00:00.000Z';
  const info = store.db.sqlite
    .prepare(`INSERT INTO profiles (kind, name, company_id, birthday, next_contact, reviewed_at, tags, city, created_at, updated_at)
      VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`)
    .run(row.kind ?? 'person', row.name, row.company_id ?? null, row.birthday ?? null, row.next_contact ?? null, row.reviewed_at ?? null,
      JSON.stringify(row.tags ?? []), row.city ?? null, updated, updated);
  ids[row.name] = Number(info.lastInsertRowid);
  return ids[row.name]!;
}

beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'custfile-reminder-repo-'));
  store = openStore(path.join(dir, 'customers.db'), { write: true });
  repo = new ReminderRepo(store.db.sqlite);
  const elbwerk = insert({ kind: 'company', name: 'Elbwerk GmbH', city: 'Dresden', next_contact: '2026-12-20', updated_at: '2024-05-01T10:00:00.000Z', tags: ['vip'] });
  // A company never has a birthday through the app; one written behind its back is still left out.
  insert({ kind: 'company', name: 'Odd AG', birthday: '1999-12-30', updated_at: '2025-06-01T10:00:00.000Z' });
  insert({ name: 'Jens Koch', company_id: elbwerk, birthday: '1975-01-03', city: 'Dresden', tags: ['vip'], next_contact: '2027-01-02', reviewed_at: '2023-01-01', updated_at: '2022-03-01T10:00:00.000Z' });
  insert({ name: 'Anna Müller', birthday: '--12-30', next_contact: '2026-12-28', reviewed_at: '2026-06-01', updated_at: '2020-01-01T00:00:00.000Z' });
  insert({ name: 'Bert Early', birthday: '1990-12-28', city: 'Leipzig', updated_at: '2026-11-01T08:00:00.000Z' });
  insert({ name: 'Leap Li', birthday: '2000-02-29', next_contact: '2027-03-01' });
  insert({ name: 'Summer Sam', birthday: '1980-07-01', tags: ['vip'] });
  insert({ name: 'No Birthday', updated_at: '2019-01-01T00:00:00.000Z' });
});

afterAll(() => {
  store.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

const names = (rows: { name: string }[]) => rows.map((r) => r.name).sort();

describe('birthdaysIn', () => {
  it.each<[string, string, number, SqlFragment | null, string[]]>([
    ['a window across the year end', '2026-12-28', 14, null, ['Anna Müller', 'Bert Early', 'Jens Koch']],
    ['the same window, vip only', '2026-12-28', 14, VIP, ['Jens Koch']],
    ['the same window, contacts of Elbwerk (a filter on the join)', '2026-12-28', 14, AT_ELBWERK, ['Jens Koch']],
    ['today only', '2026-12-28', 0, null, ['Bert Early']],
    ['28 February of a common year takes in 29 February', '2027-02-28', 0, null, ['Leap Li']],
    ['the whole year: every person with a birthday, no company', '2026-05-01', 365, null, ['Anna Müller', 'Bert Early', 'Jens Koch', 'Leap Li', 'Summer Sam']],
    ['an empty window', '2026-04-01', 3, null, []],
  ])('%s', (_label, today, days, filter, expected) => {
    expect(names(repo.birthdaysIn(birthdayWindow(today, days), filter))).toEqual(expected);
  });

  it('returns id, name, the employer as company, and the birthday as stored', () => {
    const rows = repo.birthdaysIn([{ from: 101, to: 1231 }], null);
    expect(rows.find((r) => r.name === 'Jens Koch')).toEqual({ id: ids['Jens Koch'], name: 'Jens Koch', company: 'Elbwerk GmbH', birthday: '1975-01-03' });
    expect(rows.find((r) => r.name === 'Anna Müller')).toEqual({ id: ids['Anna Müller'], name: 'Anna Müller', company: null, birthday: '--12-30' });
  });

  it('reads nothing for no ranges', () => {
    expect(repo.birthdaysIn([], null)).toEqual([]);
  });
});

describe('allBirthdays', () => {
  it('lists every person with a birthday by id, filtered', () => {
    expect([...repo.allBirthdays(null)].map((r) => r.name)).toEqual(['Jens Koch', 'Anna Müller', 'Bert Early', 'Leap Li', 'Summer Sam']);
    expect([...repo.allBirthdays(VIP)].map((r) => r.name)).toEqual(['Jens Koch', 'Summer Sam']);
  });
});

describe('followupsDue', () => {
  it('lists next_contact on or before the date, earliest first, with the company', () => {
    expect(repo.followupsDue('2026-12-28', null).map((f) => [f.name, f.kind, f.company, f.next_contact])).toEqual([
      ['Elbwerk GmbH', 'company', 'Elbwerk GmbH', '2026-12-20'],
      ['Anna Müller', 'person', null, '2026-12-28'],
    ]);
    expect(repo.followupsDue('2027-03-01', null).map((f) => f.name)).toEqual(['Elbwerk GmbH', 'Anna Müller', 'Jens Koch', 'Leap Li']);
    expect(repo.followupsDue('2026-12-19', null)).toEqual([]);
  });

  it('applies the filter', () => {
    expect(repo.followupsDue('2027-12-31', VIP).map((f) => f.name)).toEqual(['Elbwerk GmbH', 'Jens Koch']);
    expect(repo.followupsDue('2027-12-31', AT_ELBWERK).map((f) => f.name)).toEqual(['Elbwerk GmbH', 'Jens Koch']);
  });
});

describe('stale profiles', () => {
  // fresh_on: the later of reviewed_at and the day of updated_at
  it.each<[string, SqlFragment | null, number, string[]]>([
    ['2019-01-02', null, 1, ['No Birthday']],
    ['2024-05-01', null, 2, ['No Birthday', 'Jens Koch']], // Elbwerk, changed on 2024-05-01, is not before it
    ['2026-06-02', null, 7, ['No Birthday', 'Jens Koch', 'Elbwerk GmbH', 'Odd AG', 'Leap Li', 'Summer Sam', 'Anna Müller']],
    ['2030-01-01', VIP, 3, ['Jens Koch', 'Elbwerk GmbH', 'Summer Sam']],
    ['2030-01-01', IN_DRESDEN, 2, ['Jens Koch', 'Elbwerk GmbH']],
  ])('before %s (%o): count and the oldest first', (before, filter, count, oldest) => {
    expect(repo.staleCount(before, filter)).toBe(count);
    expect(repo.staleOldest(before, filter, 20).map((s) => s.name)).toEqual(oldest);
  });

  it('keeps to the limit and reports fresh_on', () => {
    const rows = repo.staleOldest('2030-01-01', null, 2);
    expect(rows).toMatchObject([
      { id: ids['No Birthday'], kind: 'person', name: 'No Birthday', company: null, fresh_on: '2019-01-01', reviewed_at: null },
      { id: ids['Jens Koch'], kind: 'person', name: 'Jens Koch', company: 'Elbwerk GmbH', fresh_on: '2023-01-01', reviewed_at: '2023-01-01' },
    ]);
    expect(rows.every((r) => /^\d{4}-\d\d-\d\dT.*Z$/.test(r.updated_at))).toBe(true);
    expect(repo.staleCount('2030-01-01', null)).toBe(8);
  });
});

describe('query plans: index ranges, never a full scan', () => {
  function plan(sql: SqlFragment): string[] {
    return (store.db.sqlite.prepare(`EXPLAIN QUERY PLAN ${sql.sql}`).all(...sql.params) as { detail: string }[]).map((r) => r.detail);
  }

  function expectIndexed(details: string[], index: string): void {
    expect(details.some((d) => d.startsWith('SEARCH p USING') && d.includes(`INDEX ${index} `))).toBe(true);
    // no "SCAN p" / "SCAN profiles": that would read every profile
    expect(details.filter((d) => /^SCAN (p|c|profiles)\b/.test(d))).toEqual([]);
  }

  const cases: [string, string, () => SqlFragment][] = [
    ['birthdays, one range', 'profiles_birthdays', () => repo.birthdaysSql(birthdayWindow('2026-05-01', 14), null)],
    ['birthdays, across the year end', 'profiles_birthdays', () => repo.birthdaysSql(birthdayWindow('2026-12-28', 14), null)],
    ['birthdays, with a tag filter', 'profiles_birthdays', () => repo.birthdaysSql(birthdayWindow('2026-12-28', 14), VIP)],
    ['birthdays, a filter on the company', 'profiles_birthdays', () => repo.birthdaysSql(birthdayWindow('2026-05-01', 0), AT_ELBWERK)],
    ['follow-ups', 'profiles_next_contact', () => repo.followupsSql('2026-12-28', null)],
    ['follow-ups, with a tag filter', 'profiles_next_contact', () => repo.followupsSql('2026-12-28', VIP)],
    ['stale count', 'profiles_fresh_on', () => repo.staleCountSql('2026-06-01', null)],
    ['stale count, with a tag filter', 'profiles_fresh_on', () => repo.staleCountSql('2026-06-01', VIP)],
    ['stale, the oldest', 'profiles_fresh_on', () => repo.staleOldestSql('2026-06-01', null, 20)],
  ];

  it.each(cases)('%s uses %s', (_label, index, sql) => {
    expectIndexed(plan(sql()), index);
  });

  it('the oldest stale profiles come in index order, without a sort', () => {
    expect(plan(repo.staleOldestSql('2026-06-01', null, 20)).some((d) => d.includes('TEMP B-TREE'))).toBe(false);
    expect(plan(repo.followupsSql('2026-12-28', null)).some((d) => d.includes('TEMP B-TREE'))).toBe(false);
  });

  it('keeps to the indexes with statistics of a large file', () => {
    // 3,000 more persons, most with a birthday and a follow-up, then ANALYZE: the planner
    // still prefers the index ranges for a two-week window.
    const sqlite = store.db.sqlite;
    const ins = sqlite.prepare(`INSERT INTO profiles (kind, name, birthday, next_contact, created_at, updated_at) VALUES ('person', ?, ?, ?, ?, ?)`);
    sqlite.transaction(() => {
      for (let i = 0; i < 3000; i++) {
        const md = `${String(1 + (i % 12)).padStart(2, '0')}-${String(1 + (i % 28)).padStart(2, '0')}`;
        const at = `20${String(10 + (i % 16))}-${md}T00:00:00.000Z`;
        ins.run(`Person ${i}`, `19${50 + (i % 50)}-${md}`, `2027-${md}`, at, at);
      }
    })();
    sqlite.exec('ANALYZE');
    try {
      for (const [, index, sql] of cases) expectIndexed(plan(sql()), index);
    } finally {
      sqlite.exec('DELETE FROM profiles WHERE name LIKE \'Person %\'; DROP TABLE IF EXISTS sqlite_stat1; DROP TABLE IF EXISTS sqlite_stat4;');
    }
  });
});
