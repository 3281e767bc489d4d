/**
 * Saved segments end to end (the built binary, a temporary file): saved, listed, shown in every
 * format, used as --segment by list, export, birthdays and stats; cycles and bad expressions
 * refused without writing; and --where injection attempts that match literally or fail with
 * exit 4 while the file stays exactly as it was.
 */
import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { type RunResult, type Sandbox, dumpDatabase, json, sandbox } from './helpers.js';

const PROFILES = `kind,external_id,name,first_name,last_name,industry,city,region,lifecycle,revenue,tags,customer_since,birthday,email,branch
company,C1,Elbwerk GmbH,,,Maschinenbau,Dresden,Sachsen,customer,0.10,"vip,north",2025-01-15,,info@elbwerk.example,Ost
company,C2,Nordlicht AG,,,IT,Berlin,Berlin,customer,0.20,north,2025-01-20,,info@nordlicht.example,Nord
company,C3,Südhang KG,,,Maschinenbau,München,Bayern,prospect,1000.01,vip,2025-02-03,,kontakt@suedhang.example,Süd
company,C4,Leer GmbH,,,,Dresden,Sachsen,lead,,,,,leer@example.org,
person,P1,,Anna,Müller,,Dresden,Sachsen,customer,,north,2025-02-10,1980-03-12,anna@example.org,Ost
person,P2,,Jens,Koch,,Leipzig,Sachsen,former,,,,--12-01,jens@example.org,
`;

function ok(r: RunResult): RunResult {
  if (r.code !== 0) throw new Error(`exit ${r.code}: ${r.stderr}`);
  return r;
}

function seed(sb: Sandbox): void {
  const file = path.join(sb.dir, 'profiles.csv');
  fs.writeFileSync(file, PROFILES);
  ok(sb.run(['import', file]));
}

function ids(r: RunResult): number[] {
  return json<{ id: number }[]>(ok(r)).map((p) => p.id);
}

describe('segments: save, list, show, delete', () => {
  let sb: Sandbox;
  beforeEach(() => {
    sb = sandbox();
    seed(sb);
  });
  afterEach(() => sb.cleanup());

  it('saves a segment, lists it with its current count, and shows its members', () => {
    const saved = sb.run(['segment', 'save', 'saxony', '--where', "region = 'Sachsen'"]);
    expect(saved.code, saved.stderr).toBe(0);
    expect(saved.stderr).toMatch(/Saved segment saxony: 4 profiles match now/);
    expect(sb.query('SELECT name, expr FROM segments')).toEqual([{ name: 'saxony', expr: "region = 'Sachsen'" }]);

    const list = json<{ name: string; where: string; count: number }[]>(ok(sb.run(['--format', 'json', 'segment', 'list'])));
    expect(list.map(({ name, where, count }) => ({ name, where, count }))).toEqual([{ name: 'saxony', where: "region = 'Sachsen'", count: 4 }]);

    expect(ids(sb.run(['--format', 'json', 'segment', 'show', 'saxony']))).toEqual([1, 4, 5, 6]);
    expect(ids(sb.run(['--format', 'json', 'segment', 'show', 'saxony', '--sort', '-name', '--limit', '2']))).toEqual([4, 6]);
  });

  it('the count is live: a profile that changes joins or leaves the segment', () => {
    ok(sb.run(['segment', 'save', 'berlin', '--where', "city = 'Berlin'"]));
    ok(sb.run(['update', 'Anna Müller', '--set', 'city=Berlin']));
    const list = json<{ count: number }[]>(ok(sb.run(['--format', 'json', 'segment', 'list'])));
    expect(list[0]!.count).toBe(2);
    expect(ids(sb.run(['--format', 'json', 'segment', 'show', 'berlin']))).toEqual([2, 5]);
  });

  it('segment show renders like list in every format', () => {
    ok(sb.run(['segment', 'save', 'vip', '--where', "tag = 'vip'"]));
    const listed = ok(sb.run(['list', '--tag', 'vip'])).stdout;
    const shownCsv = ok(sb.run(['segment', 'show', 'vip'])).stdout;
    expect(shownCsv).toBe(listed); // piped: CSV, the same columns (custom fields too)
    expect(shownCsv.split('\n')[0]).toMatch(/^id,kind,external_id,name,.*,branch$/);
    const nd = ok(sb.run(['--format', 'ndjson', 'segment', 'show', 'vip'])).stdout.trim().split('\n').map((l) => JSON.parse(l) as { name: string; custom: unknown });
    expect(nd.map((p) => p.name)).toEqual(['Elbwerk GmbH', 'Südhang KG']);
    expect(nd[0]!.custom).toEqual({ branch: 'Ost' });
    const table = ok(sb.run(['--format', 'table', 'segment', 'show', 'vip'])).stdout;
    expect(table).toMatch(/Elbwerk GmbH/);
    expect(table).toMatch(/Südhang KG/);
    expect(table).not.toMatch(/Nordlicht/);
    const csvList = ok(sb.run(['--format', 'csv', 'segment', 'list'])).stdout;
    expect(csvList.split('\n')[0]).toBe('name,where,count,updated_at');
    expect(csvList.split('\n')[1]).toMatch(/^vip,tag = 'vip',2,/);
  });

  it('saving a name again replaces the expression', () => {
    ok(sb.run(['segment', 'save', 'dd', '--where', "city = 'Dresden'"]));
    const again = ok(sb.run(['segment', 'save', 'dd', '--where', "city = 'Dresden' and kind = 'person'"]));
    expect(again.stderr).toMatch(/Replaced segment dd: 1 profile matches now/);
    expect(ids(sb.run(['--format', 'json', 'segment', 'show', 'dd']))).toEqual([5]);
  });

  it('delete removes a segment (the profiles stay); an unknown one is exit 3', () => {
    ok(sb.run(['segment', 'save', 'dd', '--where', "city = 'Dresden'"]));
    const del = sb.run(['segment', 'delete', 'dd']);
    expect(del.code, del.stderr).toBe(0);
    expect(sb.query('SELECT count(*) AS n FROM segments')).toEqual([{ n: 0 }]);
    expect(sb.query('SELECT count(*) AS n FROM profiles')).toEqual([{ n: 6 }]);
    const again = sb.run(['segment', 'delete', 'dd']);
    expect(again.code).toBe(3);
    expect(again.stderr).toMatch(/no segment "dd"/);
    expect(sb.run(['segment', 'show', 'dd']).code).toBe(3);
  });

  it('a segment that another one uses cannot be deleted', () => {
    ok(sb.run(['segment', 'save', 'north', '--where', "tag = 'north'"]));
    ok(sb.run(['segment', 'save', 'north-customers', '--where', "segment = 'north' and lifecycle = 'customer'"]));
    const before = dumpDatabase(sb.db);
    const r = sb.run(['segment', 'delete', 'north']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/used by north-customers/);
    expect(dumpDatabase(sb.db)).toBe(before);
  });

  it('two --where on segment save must both hold (only the last was saved)', () => {
    ok(sb.run(['segment', 'save', 'both', '--where', "city = 'Dresden'", '--where', 'tag = vip']));
    const shown = sb.run(['--format', 'json', 'segment', 'list']);
    expect(JSON.parse(shown.stdout).find((s: { name: string }) => s.name === 'both').where).toBe("(city = 'Dresden') and (tag = vip)");
  });

  it('refuses segments that use segments so often that the filter doubles per level (exit 4)', () => {
    ok(sb.run(['segment', 'save', 's0', '--where', "city = 'Dresden'"]));
    for (let k = 1; k <= 7; k++) ok(sb.run(['segment', 'save', `s${k}`, '--where', `segment = s${k - 1} or segment = s${k - 1}`]));
    const before = dumpDatabase(sb.db);
    const r = sb.run(['segment', 'save', 's8', '--where', 'segment = s7 or segment = s7']);
    expect(r.code).toBe(4);
    expect(r.stderr).toMatch(/uses segments more than 256 times/);
    expect(dumpDatabase(sb.db)).toBe(before);
    expect(sb.run(['list', '--segment', 's7', '--format', 'csv']).code).toBe(0);
  });

  it('refuses, with exit 4 and nothing written, expressions that do not parse or compile, unknown segments and cycles', () => {
    ok(sb.run(['segment', 'save', 'a', '--where', "city = 'Dresden'"]));
    ok(sb.run(['segment', 'save', 'b', '--where', "segment = 'a' and tag = 'vip'"]));
    const before = dumpDatabase(sb.db);
    const cases: [string[], RegExp][] = [
      [['segment', 'save', 'a', '--where', "segment = 'b'"], /segment a was not saved: segment "a" refers to itself \(a → b → a\)/],
      [['segment', 'save', 'self', '--where', "segment = 'self' or city = 'Berlin'"], /refers to itself \(self → self\)/],
      [['segment', 'save', 'c', '--where', 'revenue >>= 3'], /column 10/],
      [['segment', 'save', 'c', '--where', 'colour = 1'], /unknown field 'colour'/],
      [['segment', 'save', 'c', '--where', "segment = 'nope'"], /no segment "nope"/],
    ];
    for (const [args, message] of cases) {
      const r = sb.run(args);
      expect(r.code, args.join(' ')).toBe(4);
      expect(r.stderr, args.join(' ')).toMatch(message);
      expect(r.stderr.trim().split('\n')).toHaveLength(1);
    }
    expect(dumpDatabase(sb.db)).toBe(before);
    // a bad name is a usage error
    expect(sb.run(['segment', 'save', "x'; drop table segments; --", '--where', "city = 'Berlin'"]).code).toBe(2);
    expect(sb.run(['segment', 'save', 'c']).code).toBe(2); // --where is required
    expect(dumpDatabase(sb.db)).toBe(before);
  });

  it('a cycle stored by older data is still caught when the segment is used', () => {
    // segments written around the checks (e.g. by hand in sqlite3) must not loop forever
    ok(sb.run(['segment', 'save', 'a', '--where', "city = 'Dresden'"]));
    ok(sb.run(['segment', 'save', 'b', '--where', "segment = 'a'"]));
    const conn = new Database(sb.db);
    conn.prepare("UPDATE segments SET expr = ? WHERE name = 'a'").run("segment = 'b'");
    conn.close();
    const r = sb.run(['list', '--segment', 'b']);
    expect(r.code).toBe(4);
    expect(r.stderr).toMatch(/refers to itself/);
    const list = json<{ name: string; count: number | null; error?: string }[]>(ok(sb.run(['--format', 'json', 'segment', 'list'])));
    expect(list.map((s) => [s.name, s.count])).toEqual([['a', null], ['b', null]]);
    expect(list[0]!.error).toMatch(/refers to itself/);
  });
});

describe('--segment wherever FILTERS apply', () => {
  let sb: Sandbox;
  beforeAll(() => {
    sb = sandbox();
    seed(sb);
    ok(sb.run(['segment', 'save', 'north', '--where', "tag = 'north'"]));
    ok(sb.run(['segment', 'save', 'saxon-north', '--where', "segment = 'north' and region = 'Sachsen'"]));
  });
  afterAll(() => sb.cleanup());

  it('list: a segment gives what its expression gives, and combines with other filters', () => {
    expect(ids(sb.run(['--format', 'json', 'list', '--segment', 'north']))).toEqual(ids(sb.run(['--format', 'json', 'list', '--where', "tag = 'north'"])));
    expect(ids(sb.run(['--format', 'json', 'list', '--segment', 'north']))).toEqual([1, 2, 5]);
    expect(ids(sb.run(['--format', 'json', 'list', '--segment', 'saxon-north']))).toEqual([1, 5]);
    expect(ids(sb.run(['--format', 'json', 'list', '--segment', 'north', '--kind', 'company']))).toEqual([1, 2]);
    expect(ids(sb.run(['--format', 'json', 'list', '--segment', 'north', '--where', "city != 'Berlin'"]))).toEqual([1, 5]);
    expect(ids(sb.run(['--format', 'json', 'list', '--where', "segment = 'north' and not segment = 'saxon-north'"]))).toEqual([2]);
  });

  it('export: the segment is the mailing list', () => {
    const r = ok(sb.run(['export', '--segment', 'saxon-north', '--format', 'ndjson']));
    expect(r.stdout.trim().split('\n').map((l) => (JSON.parse(l) as { email: string }).email)).toEqual(['info@elbwerk.example', 'anna@example.org']);
    const csv = ok(sb.run(['export', '--segment', 'north', '--format', 'csv'])).stdout.trim().split('\n');
    expect(csv).toHaveLength(4);
  });

  it('birthdays: only the segment members', () => {
    const all = json<{ name: string }[]>(ok(sb.run(['--format', 'json', 'birthdays', '--on', '2026-01-01', '--within', '1y'])));
    expect(all.map((b) => b.name).sort()).toEqual(['Anna Müller', 'Jens Koch']);
    const north = json<{ name: string }[]>(ok(sb.run(['--format', 'json', 'birthdays', '--on', '2026-01-01', '--within', '1y', '--segment', 'north'])));
    expect(north.map((b) => b.name)).toEqual(['Anna Müller']);
  });

  it('stats: the figures of the segment', () => {
    const r = json<{ groups: { group: string; count: number }[]; total: { count: number; revenue_sum: number } }>(
      ok(sb.run(['--format', 'json', 'stats', '--segment', 'north', '--by', 'kind'])),
    );
    expect(r.groups.map((g) => [g.group, g.count])).toEqual([['company', 2], ['person', 1]]);
    expect(r.total).toMatchObject({ count: 3, revenue_sum: 0.3 });
  });

  it('an empty --where is exit 4 on every command, not every profile', () => {
    for (const args of [['list'], ['export'], ['birthdays'], ['stats'], ['remind']]) {
      for (const where of ['', '   ']) {
        const r = sb.run([...args, '--where', where]);
        expect(r.code, args.join(' ')).toBe(4);
        expect(r.stdout).toBe('');
        expect(r.stderr).toMatch(/the filter is empty/);
      }
    }
  });

  it('an unknown --segment is exit 3 on every command', () => {
    for (const args of [['list'], ['export'], ['birthdays'], ['stats'], ['remind']]) {
      const r = sb.run([...args, '--segment', 'nope']);
      expect(r.code, args.join(' ')).toBe(3);
      expect(r.stderr).toMatch(/no segment "nope"/);
    }
  });
});

describe('--where injection attempts match literally or fail with exit 4; the file stays intact', () => {
  let sb: Sandbox;
  let before: string;
  beforeAll(() => {
    sb = sandbox();
    seed(sb);
    // profiles whose names hold what an attacker would type
    ok(sb.run(['add', 'company', '--name', "x' or 1=1 --"]));
    ok(sb.run(['add', 'company', '--name', '100% Bio_Markt \\ Co']));
    ok(sb.run(['segment', 'save', 'north', '--where', "tag = 'north'"]));
    before = dumpDatabase(sb.db);
  });
  afterAll(() => sb.cleanup());

  const names = (r: RunResult) => json<{ name: string }[]>(r).map((p) => p.name);

  it('quotes inside strings are data', () => {
    const r = sb.run(['--format', 'json', 'list', '--where', "name = 'x'' or 1=1 --'"]);
    expect(r.code, r.stderr).toBe(0);
    expect(names(r)).toEqual(["x' or 1=1 --"]);
    const none = sb.run(['--format', 'json', 'list', '--where', "name = 'nobody'' or ''1''=''1'"]);
    expect(none.code).toBe(0);
    expect(names(none)).toEqual([]);
    expect(dumpDatabase(sb.db)).toBe(before);
  });

  it('% _ and backslash are not wildcards or escapes', () => {
    expect(names(ok(sb.run(['--format', 'json', 'list', '--where', "name ~ '%'"])))).toEqual(['100% Bio_Markt \\ Co']);
    expect(names(ok(sb.run(['--format', 'json', 'list', '--where', "name ~ '_'"])))).toEqual(['100% Bio_Markt \\ Co']);
    expect(names(ok(sb.run(['--format', 'json', 'list', '--where', "name ~ '\\'"])))).toEqual(['100% Bio_Markt \\ Co']);
    expect(names(ok(sb.run(['--format', 'json', 'list', '--where', "name ~ 'o%B'"])))).toEqual([]);
    expect(dumpDatabase(sb.db)).toBe(before);
  });

  it('SQL outside strings does not parse: exit 4, one sentence, nothing changed', () => {
    const attempts = [
      '; drop table profiles',
      "name = 'x'; drop table profiles; --",
      "city = 'Dresden' -- and 1=1",
      "city = 'Dresden' union select * from segments",
      "name = 'x' or 1=1",
      "(select count(*) from profiles) > 0",
      "city = 'Dresden')) or ((1=1",
    ];
    const everywhere = [['list'], ['export'], ['stats'], ['birthdays'], ['remind'], ['segment', 'save', 'evil']];
    attempts.forEach((where, i) => {
      // every command for the first two; list and segment save for the rest (the same parser)
      for (const command of i < 2 ? everywhere : [everywhere[0]!, everywhere[5]!]) {
        const r = sb.run([...command, '--where', where]);
        expect(r.code, `${command.join(' ')} --where ${where}`).toBe(4);
        expect(r.stderr.trim().split('\n'), where).toHaveLength(1);
        expect(r.stderr).not.toMatch(/SQLITE|at .*\.js/);
      }
    });
    expect(dumpDatabase(sb.db)).toBe(before);
  });

  it('segment names, --by and custom field names are never SQL either', () => {
    expect(sb.run(['list', '--segment', "north'; drop table segments; --"]).code).toBe(3);
    expect(sb.run(['stats', '--by', 'industry; drop table profiles']).code).toBe(2);
    const custom = sb.run(['--format', 'json', 'stats', '--by', "custom.x'); drop table profiles; --"]);
    expect(custom.code, custom.stderr).toBe(0);
    expect(json<{ groups: { group: string | null; count: number }[] }>(custom).groups).toEqual([expect.objectContaining({ group: null, count: 8 })]);
    const where = sb.run(['--format', 'json', 'list', '--where', "custom.'x\"); drop table profiles; --' = 'a'"]);
    expect(where.code, where.stderr).toBe(0);
    expect(json(where)).toEqual([]);
    expect(dumpDatabase(sb.db)).toBe(before);
    expect(ok(sb.run(['check'])).code).toBe(0);
  });
});
