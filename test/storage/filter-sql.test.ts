import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NotFoundError, RejectedInputError } from '../../src/errors.js';
import { FIELDS } from '../../src/domain/fields.js';
import type { Expr } from '../../src/domain/filter/ast.js';
import { parseWhere } from '../../src/domain/filter/parser.js';
import { type Db, openDb } from '../../src/storage/db.js';
import { type CompileContext, compileFilter, sortSql, tagSpellings } from '../../src/storage/filter-sql.js';
import { random } from '../seeded-random.js';

const TODAY = '2026-11-22';
const WEIRD_NAME = "O'Brien %_\\ x' or 1=1 --";

let db: Db;

interface Row {
  id: number;
  kind: 'company' | 'person';
  name: string;
  [column: string]: unknown;
}

const ROWS: Row[] = [
  {
    id: 1, kind: 'company', name: 'Acme GmbH', city: 'Dresden', industry: 'Software', revenue_cents: 150_000_000,
    headcount: 40, lifecycle: 'customer', tags: '["vip","north"]', custom: '{"size":"10","my field":"blau"}',
    customer_since: '2020-01-15', next_contact: '2026-11-25', created_at: '2026-01-01T10:00:00.000Z',
  },
  {
    id: 2, kind: 'company', name: 'Bäckerei Müller', city: 'Görlitz', industry: 'Food', revenue_cents: 5_000_000,
    headcount: 5, lifecycle: 'prospect', tags: '["north"]', custom: '{"size":"9","renewal":"2026-12-05"}',
    customer_since: '2023-05-01', created_at: '2026-02-01T10:00:00.000Z',
  },
  {
    id: 3, kind: 'person', name: 'Anna Schmidt', first_name: 'Anna', last_name: 'Schmidt', birthday: '1980-12-01',
    company_id: 1, role: 'CEO', decision_maker: 1, city: 'dresden', email: 'anna@acme.de', lifecycle: 'customer',
    created_at: '2026-03-01T10:00:00.000Z',
  },
  {
    id: 4, kind: 'person', name: 'Ben Weiß', birthday: '--11-30', decision_maker: 0, tags: '["old"]',
    lifecycle: 'former', created_at: '2026-04-01T10:00:00.000Z',
  },
  {
    id: 5, kind: 'person', name: WEIRD_NAME, birthday: '2000-02-29', city: 'Bad Homburg', postcode: '01067',
    created_at: '2026-05-01T10:00:00.000Z',
  },
  {
    id: 6, kind: 'company', name: 'Zeta AG', custom: '{"a\\"b":"q","x.y":"dot","back\\\\slash":"bs"}',
    created_at: '2026-06-01T10:00:00.000Z',
  },
];

const SEGMENTS: Record<string, string> = {
  north: 'tag = north',
  big_north: 'segment = north and revenue > 1000000',
  loop_a: 'segment = loop_b',
  loop_b: 'city = x or segment = loop_a',
};

function context(today = TODAY): CompileContext {
  return {
    today,
    segment: (name) => (SEGMENTS[name] === undefined ? undefined : parseWhere(SEGMENTS[name])),
  };
}

const FROM = 'FROM profiles p LEFT JOIN profiles c ON c.id = p.company_id';

function run(expr: Expr, today = TODAY): number[] {
  const { sql, params } = compileFilter(expr, context(today));
  const rows = db.sqlite.prepare(`SELECT p.id ${FROM} WHERE ${sql} ORDER BY p.id`).all(...params) as { id: number }[];
  return rows.map((r) => r.id);
}

function ids(where: string, today = TODAY): number[] {
  return run(parseWhere(where), today);
}

function profileCount(): number {
  return (db.sqlite.prepare('SELECT count(*) AS n FROM profiles').get() as { n: number }).n;
}

beforeAll(() => {
  db = openDb('/nonexistent/custfile-filter-test.db', { write: false });
  for (const row of ROWS) {
    const full = { tags: '[]', custom: '{}', updated_at: row['created_at'], ...row };
    const columns = Object.keys(full);
    db.sqlite
      .prepare(`INSERT INTO profiles (${columns.join(', ')}) VALUES (${columns.map((c) => `@${c}`).join(', ')})`)
      .run(full);
  }
  const sale = db.sqlite.prepare(
    "INSERT INTO sales (profile_id, date, amount_cents, item, source, created_at) VALUES (?, ?, ?, 'x', 'test', '2026-01-01')",
  );
  sale.run(1, '2026-10-01', 10_050);
  sale.run(1, '2026-06-01', 20_000);
  sale.run(3, '2025-01-01', 5_000);
});

afterAll(() => db.close());

describe('compileFilter selects the right profiles', () => {
  it.each<[string, number[]]>([
    // text: = ignores case, != keeps the empty, ~ ignores case and accents
    ['city = Dresden', [1, 3]],
    ['city = DRESDEN', [1, 3]],
    ["city = 'Görlitz'", [2]],
    ['city ~ gorlitz', [2]],
    ['name ~ MULLER', [2]],
    ['name ~ weiss', [4]], // ß folds to ss
    ['city != Dresden', [2, 4, 5, 6]],
    ['city !~ dres', [2, 4, 5, 6]],
    ["city = ''", [4, 6]],
    ['city is empty', [4, 6]],
    ['city is not empty', [1, 2, 3, 5]],
    ["city in (Dresden, 'Görlitz')", [1, 2, 3]],
    ['city not in (Dresden)', [2, 4, 5, 6]],
    ['name < B', [1, 3]],
    ['postcode = 01067', [5]],
    ['email = ANNA@ACME.DE', [3]],
    ["company = 'Acme GmbH'", [1, 3]], // a person's company is its employer
    ['company is empty', [4, 5]],
    // enums and kinds
    ['kind = person and city = dresden', [3]],
    ['lifecycle in (customer, prospect)', [1, 2, 3]],
    ['lifecycle not in (customer)', [2, 4, 5, 6]],
    // precedence: and before or
    ['kind = person or city = Dresden and kind = company', [1, 3, 4, 5]],
    ['(kind = person or city = Dresden) and kind = company', [1]],
    ['not city = Dresden', [2, 4, 5, 6]], // not keeps those without a city
    ['not (city = Dresden or tag = north)', [4, 5, 6]],
    // numbers and money
    ['revenue > 1000000', [1]],
    ['revenue >= 50000', [1, 2]],
    ['revenue = 50000.00', [2]],
    ["revenue = '50.000,00'", [2]],
    ['revenue < 1500000', [2]],
    ['revenue != 50000', [1, 3, 4, 5, 6]],
    ['revenue is empty', [3, 4, 5, 6]],
    ['headcount < 10', [2]],
    ['id in (1, 3)', [1, 3]],
    ['company_id = 1', [3]],
    // booleans
    ['decision_maker = true', [3]],
    ['decision_maker = false', [4]],
    ['decision_maker != true', [1, 2, 4, 5, 6]],
    ['decision_maker is empty', [1, 2, 5, 6]],
    // tags
    ['tag = vip', [1]],
    ['tag = VIP', [1]],
    ['tags = north', [1, 2]],
    ['tag != north', [3, 4, 5, 6]],
    ['tag in (vip, old)', [1, 4]],
    ['tag not in (north)', [3, 4, 5, 6]],
    ['tag ~ OL', [4]],
    ['tag is empty', [3, 5, 6]],
    ['tag is not empty', [1, 2, 4]],
    // a tag beside an indexed equality (compiled as a check on that index's rows)
    ['city = Dresden and tag = vip', [1]],
    ['tag = north and industry in (Software, Food)', [1, 2]],
    ['tag ~ NOR and city = dresden', [1]],
    ['id = 2 and tag in (north, old)', [2]],
    ["city = '' and tag = old", [4]],
    ['city = Dresden and tag != vip', [3]],
    // custom fields
    ['custom.size = 9', [2]],
    ['custom.size = 10.0', [1]], // 10.0 is the number 10
    ['custom.size > 9.5', [1]],
    ['custom.renewal = 2026', []], // a date is not the number of its year
    ['custom.renewal > 9', []],
    ['custom.size < +30d', []], // a signed relative date compares dates only
    ['custom.renewal < +30d', [2]],
    ["custom.size = '010'", []],
    ['custom.size > 9', [1]], // as numbers: 10 > 9 (as text "10" < "9")
    ['custom.size < 10', [2]],
    ["custom.size = '10'", [1]],
    ['custom.size in (9, 10)', [1, 2]],
    ["custom.'my field' = BLAU", [1]],
    ["custom.'a\"b' = q", [6]],
    ["custom.'x.y' ~ dot", [6]],
    ["custom.'back\\slash' = bs", [6]],
    ['custom.size is empty', [3, 4, 5, 6]],
    ['custom.nothing is empty', [1, 2, 3, 4, 5, 6]],
    ['custom.nothing = x', []],
    // derived sales fields
    ['sales_total > 300', [1]],
    ['sales_total = 300.50', [1]],
    ['sales_count = 2', [1]],
    ['sales_count >= 1', [1, 3]],
    ['sales_total is empty', [2, 4, 5, 6]],
    ['last_sale < -90d', [3]],
    ['last_sale >= -90d', [1]],
    ['last_sale in last 90d', [1]],
    ['last_sale is empty', [2, 4, 5, 6]],
    // dates, relative to today (2026-11-22)
    ['next_contact <= +7d', [1]],
    ['next_contact <= +2d', []],
    ['next_contact in next 3d', [1]],
    ['next_contact < today', []],
    ['customer_since < 2021-01-01', [1]],
    ['customer_since > -5y', [2]],
    ['created_at = 2026-01-01', [1]], // a timestamp compared with a date compares its day
    ['created_at <= 2026-02-01', [1, 2]],
    ['created_at = 9999-12-31', []], // the last day there is (its next day crashed the compile)
    ['created_at <= 9999-12-31', [1, 2, 3, 4, 5, 6]],
    ['created_at in (2026-01-01, 2026-03-01)', [1, 3]],
    ['created_at ~ 2026-04', [4]],
    // birthdays
    ['birthday = --11-30', [4]],
    ['birthday = 1980-12-01', [3]],
    ['birthday >= --12-01', [3]],
    ['birthday < 1990-01-01', [3]], // a year-less birthday is no earlier than any date
    ['birthday in (--11-30, 1980-12-01)', [3, 4]],
    ['birthday is empty', [1, 2, 6]],
    ['birthday in next 10d', [3, 4]], // 30 Nov and 1 Dec
    ['birthday in next 7d', []], // 30 November is 8 days away
    ['birthday in next 8d', [4]],
    ['birthday in next 0d', []],
    ['birthday not in next 10d', [1, 2, 5, 6]],
    ['birthday in next 1y', [3, 4, 5]],
  ])('%s', (where, expected) => {
    expect(ids(where)).toEqual(expected);
  });

  it.each<[string, string, number[]]>([
    // today, window: 29 February is celebrated on 28 February in a common year
    ['2027-02-20', 'birthday in next 8d', [5]],
    ['2027-02-20', 'birthday in next 7d', []],
    ['2028-02-28', 'birthday in next 0d', []], // a leap year: the day itself, tomorrow
    ['2028-02-28', 'birthday in next 1d', [5]],
    ['2026-12-28', 'birthday in next 14d', []], // year wrap, nobody in January
    ['2026-11-29', 'birthday in next 1w', [3, 4]],
    ['2026-11-01', 'birthday in next 1m', [3, 4]], // 1 November to 1 December
    ['1980-11-30', 'birthday in next 7d', [4]], // born on 1 December 1980: not yet celebrated
  ])('on %s, %s', (today, where, expected) => {
    expect(ids(where, today)).toEqual(expected);
  });

  it('expands saved segments, and rejects cycles and unknown ones', () => {
    expect(ids('segment = north')).toEqual([1, 2]);
    expect(ids('segment = big_north')).toEqual([1]);
    expect(ids('segment != north and kind = company')).toEqual([6]);
    expect(ids('segment in (big_north, north)')).toEqual([1, 2]);
    expect(() => ids('segment = loop_a')).toThrow(RejectedInputError);
    expect(() => ids('segment = loop_a')).toThrow('segment "loop_a" refers to itself (loop_a → loop_b → loop_a)');
    expect(() => ids('segment = nowhere')).toThrow(NotFoundError);
  });

  it('compiles trees built without the parser (the short filters)', () => {
    expect(run({ type: 'true' })).toEqual([1, 2, 3, 4, 5, 6]);
    expect(run({ type: 'compare', field: 'kind', op: '=', value: 'company' })).toEqual([1, 2, 6]);
    expect(run({ type: 'in', field: 'city', values: [] })).toEqual([]);
    expect(run({ type: 'compare', field: 'decision_maker', op: '=', value: 'true' })).toEqual([3]);
    expect(() => run({ type: 'compare', field: 'nope', op: '=', value: 'x' })).toThrow(RejectedInputError);
    expect(() => run({ type: 'compare', field: 'custom', op: '=', value: 'x' })).toThrow(RejectedInputError);
    expect(() => run({ type: 'compare', field: 'revenue', op: '~', value: '1' })).toThrow(RejectedInputError);
    expect(() => run({ type: 'compare', field: 'revenue', op: '>', value: 'lots' })).toThrow('revenue in the filter needs a number.');
    expect(() => run({ type: 'compare', field: 'tag', op: '<', value: 'a' })).toThrow(RejectedInputError);
    // kind and lifecycle take one of their values
    expect(() => run({ type: 'compare', field: 'lifecycle', op: '~', value: 'cust' })).toThrow('lifecycle in the filter takes one of its values, with =, != or in (...), not ~.');
    expect(() => run({ type: 'compare', field: 'kind', op: '~', value: 'per' })).toThrow(RejectedInputError);
    expect(() => run({ type: 'empty', field: 'kind' })).toThrow('kind is never empty');
    expect(() => run({ type: 'empty', field: 'lifecycle' })).not.toThrow();
  });

  it('sorts with sortSql', () => {
    const order = sortSql('-revenue,name');
    const rows = db.sqlite.prepare(`SELECT p.id ${FROM} ORDER BY ${order}`).all() as { id: number }[];
    expect(rows.map((r) => r.id)).toEqual([1, 2, 3, 4, 5, 6].sort((a, b) => {
      const rank = (id: number) => (id === 1 ? 0 : id === 2 ? 1 : 2);
      return rank(a) - rank(b) || ROWS[a - 1]!.name.localeCompare(ROWS[b - 1]!.name, 'en', { sensitivity: 'base' });
    }));
  });
});

describe('query plans of tags', () => {
  function plan(where: string): { sql: string; details: string[] } {
    const { sql, params } = compileFilter(parseWhere(where), context());
    const rows = db.sqlite.prepare(`EXPLAIN QUERY PLAN SELECT p.id ${FROM} WHERE ${sql} ORDER BY p.id`).all(...params) as { detail: string }[];
    return { sql, details: rows.map((r) => r.detail) };
  }

  it.each<[string, string]>([
    ['industry = Software and revenue > 1000 and tag = vip', 'profiles_industry'],
    ['city = Dresden and tag = vip', 'profiles_city'],
    ["email = 'a@b.de' and tag in (vip, north)", 'profiles_email'],
    ['name = x and tag ~ vi', 'profiles_name'],
    ['company_id = 1 and tag = vip', 'profiles_company'],
  ])('%s: the tag checks what %s finds', (where, index) => {
    const { sql, details } = plan(where);
    expect(sql).toContain('+p.id IN');
    expect(details.some((d) => new RegExp(`^SEARCH p USING (COVERING )?INDEX ${index} \\(`).test(d)), details.join(' | ')).toBe(true);
  });

  it.each(['tag = vip', 'revenue > 5 and tag = vip', "city = '' and tag = vip", '(city = Dresden or city = Leipzig) and tag = vip'])(
    '%s: no indexed equality beside it, so the search may start from the tag',
    (where) => {
      const { sql, details } = plan(where);
      expect(sql).not.toContain('+p.id');
      expect(details.filter((d) => /^SCAN p\b/.test(d))).toEqual([]);
    },
  );
});

describe('injection attempts match literally or are rejected', () => {
  it.each<[string, number[]]>([
    ["name = 'O''Brien %_\\ x'' or 1=1 --'", [5]],
    ["name = 'x'' or 1=1 --'", []],
    ["name ~ 'x'' or 1=1 --'", [5]],
    ["name = 'x'' or ''1''=''1'", []],
    ["name = ''' or 1=1 --'", []],
    ["name = '; drop table profiles'", []],
    ["name = '''; DROP TABLE profiles; --'", []],
    ["name ~ '%'", [5]], // no LIKE: % and _ are themselves
    ["name ~ '_'", [5]],
    ["name ~ '%_'", [5]],
    ["name ~ '\\'", [5]], // one backslash, as in the name
    ["name ~ '\\\\'", []], // two backslashes: not in any name
    ["name ~ '\\ x'", [5]],
  ])('%s', (where, expected) => {
    expect(ids(where)).toEqual(expected);
    expect(profileCount()).toBe(6);
  });

  it.each([
    '; drop table profiles',
    'name = x; drop table profiles',
    "name = 'x'; drop table profiles; --",
    "name = 'x' -- comment",
    "city ~ '' or 1=1",
    "city = 'a' or '1'='1'",
    'name = x /* y */',
    'name = `x`',
    'name = "x" or 1',
    "custom.'x'') = 1 or (''1' = 1",
    'city = Dresden --',
    "name = 'x\\'",
  ])('%s', (where) => {
    let failure: unknown;
    try {
      ids(where);
    } catch (err) {
      failure = err;
    }
    if (failure === undefined) {
      // the only way to parse is literally: then nothing matches by accident
      expect(ids(where)).toEqual([]);
    } else {
      expect(failure).toBeInstanceOf(RejectedInputError);
    }
    expect(profileCount()).toBe(6);
    expect(db.sqlite.prepare("SELECT count(*) AS n FROM sqlite_master WHERE name = 'profiles'").get()).toEqual({ n: 1 });
  });
});

// ---------------------------------------------------------------------------------------------
// Properties over random input

const NASTY = ["'", "''", ';', '--', '%', '_', '\\', '"', '/*', '*/', ' ', '(', ')', '=', '?', '$', ':x', '@y',
  'é', 'ß', 'Ö', '😀', '\u200b', 'or', 'OR 1=1', 'drop table profiles', 'x', '0', '-1', '1e9', 'NULL', '`', '\t'];

function randomText(next: () => number, maxParts = 6): string {
  let text = '';
  const parts = 1 + Math.floor(next() * maxParts);
  for (let i = 0; i < parts; i++) text += NASTY[Math.floor(next() * NASTY.length)]!;
  return text;
}

const quote = (text: string) => `'${text.replace(/'/g, "''")}'`;

/** SQL the compiler itself writes; everything else in the SQL string must be a `?`. */
const FIXED_LITERALS = ["'company'", "'*[^0-9.+-]*'", "'*[0-9]*'", "'*[+-]*'", "'*.*.*'", "'[0-9][0-9][0-9][0-9]-[0-1][0-9]-[0-3][0-9]'", "''", "'0'"];
const SQL_WORDS = new Set([
  'AND', 'OR', 'NOT', 'IN', 'IS', 'NULL', 'COLLATE', 'NOCASE', 'EXISTS', 'SELECT', 'FROM', 'WHERE', 'CASE', 'WHEN',
  'THEN', 'ELSE', 'END', 'BETWEEN', 'CAST', 'AS', 'REAL', 'GLOB', 'coalesce', 'instr', 'fold', 'json_extract', 'DISTINCT', 'tag_key', 'd',
  'substr', 'trim', 'p', 'c', 't', 'profile_tags', 'profile_id', 'tag', 'custom', 'revenue_cents',
  'sales_total_cents', 'birthday_md', ...FIELDS.map((f) => f.name),
]);

function assertOnlyPlaceholders(sql: string): void {
  let rest = sql;
  for (const literal of FIXED_LITERALS) rest = rest.split(literal).join(' ');
  expect(rest).not.toMatch(/['"`;]|--|\/\*/);
  for (const word of rest.match(/[\p{L}_][\p{L}\p{N}_]*/gu) ?? []) {
    expect(SQL_WORDS.has(word), `unexpected word ${JSON.stringify(word)} in ${sql}`).toBe(true);
  }
}

describe('property: user text reaches SQL only as parameters', () => {
  const TEMPLATES = [
    'name = $',
    'name != $',
    'name ~ $',
    'name !~ $',
    'city in ($, $)',
    'not notes = $ or email = $',
    'tag = $',
    'tag in ($)',
    'tag ~ $',
    'custom.size = $',
    'custom.size ~ $',
    'custom.$ = 1',
    'custom.$ is empty',
    'custom.$ > 5',
    'company = $',
    'postcode < $',
    "revenue > '1' and name = $",
    'next_contact = $',
  ];

  it.each(TEMPLATES)('the SQL of %s does not depend on the text', (template) => {
    const next = random(template.length * 7919);
    const baseline = compileFilter(parseWhere(template.split('$').join(quote('x'))), context());
    for (let i = 0; i < 300; i++) {
      const text = randomText(next).replace(/[\u0000-\u001f]/g, ' ');
      const where = template.split('$').join(quote(text));
      const compiled = compileFilter(parseWhere(where), context());
      // a tag is looked up in each spelling of its letters beyond A–Z (tagSpellings): more placeholders, the same SQL
      const oneEach = (q: string) => q.replace(/\?(?:, \?)+/g, '?');
      expect(oneEach(compiled.sql)).toBe(oneEach(baseline.sql));
      assertOnlyPlaceholders(compiled.sql);
      expect(compiled.params.length).toBe((compiled.sql.match(/\?/g) ?? []).length);
      if (!/tag/.test(template)) expect(compiled.params.length).toBe(baseline.params.length);
      expect(() => db.sqlite.prepare(`SELECT count(*) ${FROM} WHERE ${compiled.sql}`).get(...compiled.params)).not.toThrow();
    }
    expect(profileCount()).toBe(6);
  });

  it('random strings either are rejected, or compile to placeholders and run', () => {
    const next = random(20261122);
    const FIELDS_USED = ['name', 'city', 'tag', 'tags', 'custom.x', "custom.'a''b'", 'revenue', 'headcount', 'birthday',
      'last_sale', 'created_at', 'segment', 'kind', 'decision_maker', 'postcode', 'nope', 'NAME'];
    const OPS = ['=', '!=', '<', '<=', '>', '>=', '~', '!~', '<>', '>>=', 'in', 'not in', 'is empty', 'is not empty',
      'in next', 'in last', 'is'];
    const JOINERS = ['and', 'or', 'not', '(', ')', ',', 'AND', 'Or'];
    const pick = <T>(items: readonly T[]): T => items[Math.floor(next() * items.length)]!;
    const value = (): string => {
      switch (Math.floor(next() * 8)) {
        case 0: return quote(randomText(next));
        case 1: return randomText(next, 2);
        case 2: return pick(['3', '-3', '3.5', '01067', '1e5', '-90d', '+7d', '30d', 'today', '2026-11-22', '2026-02-30', '--03-15', 'true', 'FALSE', 'north', 'big_north', 'loop_a']);
        case 3: return `(${quote(randomText(next))}, ${pick(['1', 'x', "'y'"])})`;
        case 4: return `'${randomText(next)}`; // unterminated
        default: return pick(['Dresden', "'Görlitz'", 'vip', "'%'", "'_'", "'\\'", "''''"]);
      }
    };
    let parsed = 0;
    let ran = 0;
    for (let i = 0; i < 6000; i++) {
      const parts: string[] = [];
      const conditions = 1 + Math.floor(next() * 3);
      for (let k = 0; k < conditions; k++) {
        if (next() < 0.1) parts.push(pick(JOINERS));
        parts.push(pick(FIELDS_USED), pick(OPS), value());
        if (next() < 0.05) parts.push(randomText(next, 2));
        if (k < conditions - 1) parts.push(pick(JOINERS));
      }
      const where = parts.join(next() < 0.2 ? '' : ' ');
      let tree: Expr;
      try {
        tree = parseWhere(where);
      } catch (err) {
        expect(err, where).toBeInstanceOf(RejectedInputError);
        continue;
      }
      parsed++;
      let compiled;
      try {
        compiled = compileFilter(tree, context());
      } catch (err) {
        // a segment that does not exist or refers to itself
        expect([RejectedInputError, NotFoundError].some((type) => err instanceof type), `${where}: ${String(err)}`).toBe(true);
        continue;
      }
      assertOnlyPlaceholders(compiled.sql);
      // not a syntax error, not any other error
      db.sqlite.prepare(`SELECT count(*) ${FROM} WHERE ${compiled.sql}`).get(...compiled.params);
      ran++;
    }
    // the property is not vacuous: many of the random strings were valid filters
    expect(parsed).toBeGreaterThan(300);
    expect(ran).toBeGreaterThan(300);
    expect(profileCount()).toBe(6);
  });

  it('arbitrary characters never crash the parser', () => {
    const next = random(42);
    for (let i = 0; i < 3000; i++) {
      const length = Math.floor(next() * 20);
      let text = '';
      for (let k = 0; k < length; k++) {
        text += next() < 0.7 ? randomText(next, 1) : String.fromCodePoint(Math.floor(next() * 0x3000));
      }
      try {
        const tree = parseWhere(text);
        const compiled = compileFilter(tree, context());
        assertOnlyPlaceholders(compiled.sql);
        db.sqlite.prepare(`SELECT count(*) ${FROM} WHERE ${compiled.sql}`).get(...compiled.params);
      } catch (err) {
        expect([RejectedInputError, NotFoundError].some((type) => err instanceof type), `${JSON.stringify(text)}: ${String(err)}`).toBe(true);
      }
    }
    expect(profileCount()).toBe(6);
  });
});

describe('tagSpellings', () => {
  it('spells a tag in every case of its letters beyond A–Z (NOCASE folds A–Z itself)', () => {
    expect(tagSpellings('vip')).toEqual(['vip']);
    expect(tagSpellings('ärger')).toEqual(['ärger', 'Ärger']);
    expect(tagSpellings('Bücher-Ö')).toEqual(['Bücher-ö', 'Bücher-Ö', 'BÜcher-ö', 'BÜcher-Ö']);
    // ß has no one-letter capital in toUpperCase (SS): it stays as it is
    expect(tagSpellings('Straße')).toEqual(['Straße']);
    // a sigma in any of its three forms
    expect(tagSpellings('ος')).toEqual(['οσ', 'ος', 'οΣ', 'Οσ', 'Ος', 'ΟΣ']);
    // past 64 spellings the filter looks up the tag's case-folded key instead
    expect(tagSpellings('äöüäöüäöü')).toBeNull();
    expect(tagSpellings('äöüäöü')).toHaveLength(64);
  });
});
