/**
 * The portfolio view end to end: `stats` (counts and exact sums per group, a totals row, every
 * format) and `history --trend` (who went up, who went down).
 */
import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { type RunResult, type Sandbox, json, sandbox } from './helpers.js';

const PROFILES = `kind,external_id,name,first_name,last_name,industry,city,region,lifecycle,revenue,tags,customer_since,email,branch
company,C1,Elbwerk GmbH,,,Maschinenbau,Dresden,Sachsen,customer,0.10,"vip,north",2025-01-15,info@elbwerk.example,Ost
company,C2,Nordlicht AG,,,IT,Berlin,Berlin,customer,0.20,north,2025-01-20,info@nordlicht.example,Nord
company,C3,Südhang KG,,,maschinenbau,München,Bayern,prospect,0.01,vip,2025-02-03,kontakt@suedhang.example,Süd
company,C4,Leer GmbH,,,,dresden,Sachsen,lead,,,,leer@example.org,
person,P1,,Anna,Müller,,Dresden,Sachsen,customer,,north,2025-02-10,anna@example.org,Ost
person,P2,,Jens,Koch,,Leipzig,Sachsen,former,,,,jens@example.org,
`;

interface Line {
  group: string | null;
  total: boolean;
  count: number;
  revenue_count: number;
  revenue_sum: number;
  revenue_mean: number | null;
  sales_count: number;
  sales_total: number;
}
interface Stats {
  by: string | null;
  groups: Line[];
  total: Line;
}

function ok(r: RunResult): RunResult {
  if (r.code !== 0) throw new Error(`exit ${r.code}: ${r.stderr}`);
  return r;
}

function seed(sb: Sandbox): void {
  const profiles = path.join(sb.dir, 'profiles.csv');
  fs.writeFileSync(profiles, PROFILES);
  ok(sb.run(['import', profiles]));
  // ten sales of 0.10 and one of 0.20 for Elbwerk (a float sum of ten 0.1 is 0.9999999999999999),
  // 0.10 + 0.20 for Anna (0.30000000000000004 in floats), 0.07 for Nordlicht
  const rows = ['external_id;date;amount', ...Array.from({ length: 10 }, (_, i) => `C1;2025-03-${String(i + 1).padStart(2, '0')};0,10`), 'C1;2025-04-01;0,20', 'P1;2025-04-02;0,10', 'P1;2025-04-03;0,20', 'C2;2025-04-04;0,07'];
  const sales = path.join(sb.dir, 'sales.csv');
  fs.writeFileSync(sales, `${rows.join('\n')}\n`);
  ok(sb.run(['import', sales, '--sales']));
}

const stats = (sb: Sandbox, ...args: string[]): Stats => json<Stats>(ok(sb.run(['--format', 'json', 'stats', ...args])));
const brief = (s: Stats) => s.groups.map((g) => [g.group, g.count, g.revenue_sum, g.sales_total]);

describe('stats', () => {
  let sb: Sandbox;
  beforeAll(() => {
    sb = sandbox();
    seed(sb);
  });
  afterAll(() => sb.cleanup());

  it('totals without --by: counts and sums exact to the cent', () => {
    const s = stats(sb);
    expect(s.by).toBeNull();
    expect(s.groups).toEqual([]);
    expect(s.total).toEqual({ group: null, total: true, count: 6, revenue_count: 3, revenue_sum: 0.31, revenue_mean: 0.1, sales_count: 14, sales_total: 1.57 });
    // the same figures straight from the file, in integer cents
    expect(sb.query('SELECT sum(sales_total_cents) AS s, sum(revenue_cents) AS r FROM profiles')).toEqual([{ s: 157, r: 31 }]);
  });

  it('--by industry, city (case folded into one group), region, lifecycle and kind, with the empty group last', () => {
    expect(brief(stats(sb, '--by', 'industry'))).toEqual([
      ['Maschinenbau', 2, 0.11, 1.2],
      ['IT', 1, 0.2, 0.07],
      [null, 3, 0, 0.3],
    ]);
    expect(brief(stats(sb, '--by', 'city'))).toEqual([
      ['Dresden', 3, 0.1, 1.5],
      ['Berlin', 1, 0.2, 0.07],
      ['Leipzig', 1, 0, 0],
      ['München', 1, 0.01, 0],
    ]);
    expect(brief(stats(sb, '--by', 'region')).map((g) => [g[0], g[1]])).toEqual([['Sachsen', 4], ['Bayern', 1], ['Berlin', 1]]);
    expect(brief(stats(sb, '--by', 'lifecycle')).map((g) => [g[0], g[1]])).toEqual([['customer', 3], ['former', 1], ['lead', 1], ['prospect', 1]]);
    const kind = stats(sb, '--by', 'kind');
    expect(brief(kind)).toEqual([['company', 4, 0.31, 1.27], ['person', 2, 0, 0.3]]);
    expect(kind.total).toMatchObject({ count: 6, sales_total: 1.57 });
  });

  it('the mean is over the profiles with a revenue, rounded half away from zero to the cent', () => {
    const s = stats(sb, '--by', 'industry');
    const machines = s.groups.find((g) => g.group === 'Maschinenbau')!;
    expect(machines).toMatchObject({ count: 2, revenue_count: 2, revenue_sum: 0.11, revenue_mean: 0.06 }); // 0.055 → 0.06
    expect(s.groups.find((g) => g.group === null)).toMatchObject({ revenue_count: 0, revenue_mean: null });
  });

  it('--by tag counts a profile under each of its tags; the totals row counts it once', () => {
    const s = stats(sb, '--by', 'tag');
    expect(brief(s)).toEqual([
      ['north', 3, 0.3, 1.57],
      ['vip', 2, 0.11, 1.2],
      [null, 2, 0, 0],
    ]);
    expect(s.groups.reduce((n, g) => n + g.count, 0)).toBe(7);
    expect(s.total.count).toBe(6);
  });

  it('--by tag: a tag spelt in two cases on two profiles is one group', () => {
    const other = sandbox();
    try {
      ok(other.run(['add', 'company', '--name', 'A', '--tag', 'VIP']));
      ok(other.run(['add', 'company', '--name', 'B', '--tag', 'vip']));
      expect(brief(stats(other, '--by', 'tag'))).toEqual([['VIP', 2, 0, 0]]);
    } finally {
      other.cleanup();
    }
  });

  it('--by custom.NAME and --by month (of customer_since)', () => {
    expect(brief(stats(sb, '--by', 'custom.branch')).map((g) => [g[0], g[1]])).toEqual([['Ost', 2], ['Nord', 1], ['Süd', 1], [null, 2]]);
    expect(brief(stats(sb, '--by', 'month')).map((g) => [g[0], g[1]])).toEqual([['2025-01', 2], ['2025-02', 2], [null, 2]]);
    expect(brief(stats(sb, '--by', 'year')).map((g) => [g[0], g[1]])).toEqual([['2025', 4], [null, 2]]);
  });

  it('FILTERS narrow the portfolio first', () => {
    const s = stats(sb, '--by', 'city', '--kind', 'company', '--where', 'sales_total > 0');
    expect(brief(s)).toEqual([['Berlin', 1, 0.2, 0.07], ['Dresden', 1, 0.1, 1.2]]);
    expect(s.total).toMatchObject({ count: 2, sales_total: 1.27, sales_count: 12 });
    const none = stats(sb, '--by', 'city', '--city', 'Nowhere');
    expect(none.groups).toEqual([]);
    expect(none.total).toMatchObject({ count: 0, revenue_sum: 0, revenue_mean: null, sales_total: 0 });
  });

  it('CSV (piped), ndjson and table carry the same figures, with a totals line', () => {
    const csv = ok(sb.run(['stats', '--by', 'industry'])).stdout.trim().split('\n');
    expect(csv).toEqual([
      'group,total,count,revenue_count,revenue_sum,revenue_mean,sales_count,sales_total',
      'Maschinenbau,false,2,2,0.11,0.06,11,1.20',
      'IT,false,1,1,0.20,0.20,1,0.07',
      ',false,3,0,0.00,,2,0.30',
      ',true,6,3,0.31,0.10,14,1.57',
    ]);
    const nd = ok(sb.run(['--format', 'ndjson', 'stats', '--by', 'industry'])).stdout.trim().split('\n').map((l) => JSON.parse(l) as Line);
    expect(nd.map((l) => [l.group, l.total, l.sales_total])).toEqual([['Maschinenbau', false, 1.2], ['IT', false, 0.07], [null, false, 0.3], [null, true, 1.57]]);
    const table = ok(sb.run(['--format', 'table', 'stats', '--by', 'industry'])).stdout;
    expect(table).toMatch(/industry/);
    expect(table).toMatch(/\(none\)/);
    expect(table).toMatch(/total .*│ 6 .*│ 1\.57/);
  });

  it('an unknown --by is exit 2 and names the choices', () => {
    const r = sb.run(['stats', '--by', 'colour']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--by cannot group by "colour"; use one of kind, industry, city/);
  });

  it('sums stay exact over ten thousand sales of cents (0.10, 0.20, 0.03)', () => {
    const big = sandbox();
    try {
      fs.writeFileSync(path.join(big.dir, 'p.csv'), 'kind,external_id,name\ncompany,A,Alpha\ncompany,B,Beta\n');
      ok(big.run(['import', path.join(big.dir, 'p.csv')]));
      const rows = ['external_id,date,amount'];
      for (let i = 0; i < 10_000; i++) rows.push(`${i % 2 === 0 ? 'A' : 'B'},2025-01-01,${i % 3 === 0 ? '0.10' : i % 3 === 1 ? '0.20' : '0.03'}`);
      fs.writeFileSync(path.join(big.dir, 's.csv'), `${rows.join('\n')}\n`);
      ok(big.run(['import', path.join(big.dir, 's.csv'), '--sales']));
      // 3334 × 0.10 + 3333 × 0.20 + 3333 × 0.03 = 333.40 + 666.60 + 99.99
      const s = stats(big, '--by', 'kind');
      expect(s.total).toMatchObject({ sales_count: 10_000, sales_total: 1099.99 });
      const csv = ok(big.run(['stats'])).stdout.trim().split('\n');
      expect(csv[1]).toBe(',true,2,0,0.00,,10000,1099.99');
    } finally {
      big.cleanup();
    }
  }, 30_000);
});

describe('history --trend', () => {
  let sb: Sandbox;
  beforeEach(() => {
    sb = sandbox();
    seed(sb);
  });
  afterEach(() => sb.cleanup());

  /** Moves every history row recorded so far back to a day long ago (as if a year had passed). */
  function ageHistory(at: string): void {
    const conn = new Database(sb.db);
    try {
      conn.prepare('UPDATE history SET at = ?').run(`${at}T09:00:00.000Z`);
    } finally {
      conn.close();
    }
  }

  interface Trend {
    id: number;
    name: string;
    start: number | null;
    end: number | null;
    change: number | null;
    percent: number | null;
    direction: string | null;
    changes: number;
  }

  it('shows who went up and who went down, biggest rise first; the value before the window is the start', () => {
    ok(sb.run(['update', 'C1', '--set', 'revenue=1000']));
    ok(sb.run(['update', 'C2', '--set', 'revenue=2000']));
    ok(sb.run(['update', 'C3', '--set', 'revenue=500']));
    ageHistory('2020-01-01');
    // in the window: Elbwerk rises 1000 → 1100 → 1300, Nordlicht falls 2000 → 1500, Südhang unchanged
    ok(sb.run(['update', 'C1', '--set', 'revenue=1100']));
    ok(sb.run(['update', 'C1', '--set', 'revenue=1300']));
    ok(sb.run(['update', 'C2', '--set', 'revenue=1500.50']));
    ok(sb.run(['add', 'company', '--name', 'Neu GmbH', '--revenue', '700']));

    const trends = json<Trend[]>(ok(sb.run(['--format', 'json', 'history', '--field', 'revenue', '--since', '1y', '--trend'])));
    expect(trends.map((t) => [t.name, t.start, t.end, t.change, t.percent, t.direction, t.changes])).toEqual([
      ['Elbwerk GmbH', 1000, 1300, 300, 30, 'up', 2],
      ['Neu GmbH', 700, 700, 0, 0, 'same', 0],
      ['Nordlicht AG', 2000, 1500.5, -499.5, -25, 'down', 1],
    ]);
    // without a window the course starts at the first recorded value
    const all = json<Trend[]>(ok(sb.run(['--format', 'json', 'history', '--field', 'revenue', '--trend'])));
    expect(all.find((t) => t.name === 'Elbwerk GmbH')).toMatchObject({ start: 0.1, end: 1300, changes: 3 });
    expect(all.find((t) => t.name === 'Südhang KG')).toMatchObject({ start: 0.01, end: 500, direction: 'up' });
    // one profile, and the other formats
    expect(json<Trend[]>(ok(sb.run(['--format', 'json', 'history', 'C2', '--field', 'revenue', '--since', '1y', '--trend']))).map((t) => t.name)).toEqual(['Nordlicht AG']);
    const table = ok(sb.run(['--format', 'table', 'history', '--field', 'revenue', '--since', '1y', '--trend'])).stdout;
    expect(table).toMatch(/Elbwerk GmbH .*│ 1000\.00 .*│ 1300\.00 .*│ \+300\.00 .*│ \+30\.0%/);
    expect(table).toMatch(/Nordlicht AG .*│ -499\.50 .*│ -25\.0% .*down/);
    const csv = ok(sb.run(['history', '--field', 'revenue', '--since', '1y', '--trend'])).stdout.trim().split('\n');
    expect(csv[0]).toBe('id,name,field,start,end,change,percent,direction,changes');
    expect(csv[3]).toBe('2,Nordlicht AG,revenue,2000.00,1500.50,-499.50,-25,down,1');
  });

  it('whole-number fields and custom fields holding numbers; removed profiles drop out', () => {
    ok(sb.run(['update', 'C1', '--set', 'headcount=40', '--set', 'custom.machines=14']));
    ok(sb.run(['update', 'C2', '--set', 'headcount=10']));
    ageHistory('2020-01-01');
    ok(sb.run(['update', 'C1', '--set', 'headcount=35', '--set', 'custom.machines=16,5']));
    ok(sb.run(['update', 'C2', '--set', 'headcount=12']));
    const heads = json<Trend[]>(ok(sb.run(['--format', 'json', 'history', '--field', 'headcount', '--since', '30d', '--trend'])));
    expect(heads.map((t) => [t.name, t.start, t.end, t.change, t.percent])).toEqual([
      ['Nordlicht AG', 10, 12, 2, 20],
      ['Elbwerk GmbH', 40, 35, -5, -12.5],
    ]);
    const machines = json<Trend[]>(ok(sb.run(['--format', 'json', 'history', '--field', 'custom.machines', '--since', '30d', '--trend'])));
    expect(machines.map((t) => [t.name, t.start, t.end, t.change])).toEqual([['Elbwerk GmbH', 14, 16.5, 2.5]]);
    ok(sb.run(['remove', 'C2', '--yes']));
    expect(json<Trend[]>(ok(sb.run(['--format', 'json', 'history', '--field', 'headcount', '--since', '30d', '--trend']))).map((t) => t.name)).toEqual(['Elbwerk GmbH']);
  });

  it('needs a numeric --field; an empty window prints nothing to scripts', () => {
    expect(sb.run(['history', '--trend']).stderr).toMatch(/--trend needs --field/);
    expect(sb.run(['history', '--trend']).code).toBe(2);
    const city = sb.run(['history', '--field', 'city', '--trend']);
    expect(city.code).toBe(2);
    expect(city.stderr).toMatch(/numeric field/);
    const none = sb.run(['--format', 'json', 'history', '--field', 'revenue', '--since', '2999-01-01', '--trend']);
    expect(none.code).toBe(0);
    expect(json(none)).toEqual([]);
  });
});
