/**
 * The migration runner with fake steps on in-memory databases (order, one transaction,
 * user_version set once, a failed step changing nothing, a file from the future refused), the
 * real schema applied to an empty file, and the schema's triggers with real rows.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { DatabaseError } from '../../src/errors.js';
import { MIGRATIONS } from '../../src/storage/migrations/index.js';
import { type Migration, checkOrder, latestVersion, migrate } from '../../src/storage/migrations/runner.js';

type Sqlite = Database.Database;

function userVersion(db: Sqlite): number {
  return db.pragma('user_version', { simple: true }) as number;
}

/** Every schema object, as SQLite keeps it: what a failed migration must leave alone. */
function schema(db: Sqlite): { type: string; name: string; sql: string | null }[] {
  return db.prepare('SELECT type, name, sql FROM sqlite_schema ORDER BY type, name').all() as { type: string; name: string; sql: string | null }[];
}

function tables(db: Sqlite): string[] {
  return (db.prepare("SELECT name FROM sqlite_schema WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name").all() as { name: string }[]).map((r) => r.name);
}

const memory: Sqlite[] = [];
function memoryDb(): Sqlite {
  const db = new Database(':memory:');
  db.pragma('foreign_keys = ON');
  memory.push(db);
  return db;
}
afterEach(() => {
  for (const db of memory.splice(0)) db.close();
});

/** Three steps; the third is a data migration that records what it saw. */
function fakeSteps(seen: { version: number; inTransaction: boolean }[] = []): Migration[] {
  return [
    { version: 10, name: 'a', up: 'CREATE TABLE a (x INTEGER); INSERT INTO a VALUES (1);' },
    { version: 20, name: 'b', up: 'CREATE TABLE b (y TEXT);' },
    {
      version: 30,
      name: 'copy',
      up: (db) => {
        seen.push({ version: userVersion(db), inTransaction: db.inTransaction });
        db.prepare("INSERT INTO b SELECT 'from a ' || x FROM a").run();
      },
    },
  ];
}

describe('checkOrder and latestVersion', () => {
  it('accepts ascending versions and an empty list', () => {
    expect(() => checkOrder([])).not.toThrow();
    expect(() => checkOrder(fakeSteps())).not.toThrow();
    expect(() => checkOrder(MIGRATIONS)).not.toThrow();
  });

  it.each<[string, number[]]>([
    ['descending', [20, 10]],
    ['a duplicate', [10, 10]],
    ['one slotted in wrongly', [10, 30, 20]],
  ])('rejects %s versions', (_label, versions) => {
    const steps = versions.map((version) => ({ version, name: `v${version}`, up: '' }));
    expect(() => checkOrder(steps)).toThrow(/out of order/);
  });

  it('latestVersion is the last version, or 0 with no steps', () => {
    expect(latestVersion([])).toBe(0);
    expect(latestVersion(fakeSteps())).toBe(30);
  });
});

describe('migrate', () => {
  it('applies every pending step in order, in one transaction, and sets user_version at the end', () => {
    const db = memoryDb();
    const seen: { version: number; inTransaction: boolean }[] = [];
    expect(migrate(db, fakeSteps(seen), 'test.db')).toEqual([10, 20, 30]);
    expect(userVersion(db)).toBe(30);
    expect(tables(db)).toEqual(['a', 'b']);
    expect(db.prepare('SELECT y FROM b').all()).toEqual([{ y: 'from a 1' }]); // step 30 ran after 10 and 20
    // during the steps the old version still stood, inside the transaction
    expect(seen).toEqual([{ version: 0, inTransaction: true }]);
    expect(db.inTransaction).toBe(false);
  });

  it('writes user_version once, however many steps run', () => {
    const db = memoryDb();
    const pragma = vi.spyOn(db, 'pragma');
    migrate(db, fakeSteps(), 'test.db');
    const writes = pragma.mock.calls.filter(([source]) => /^\s*user_version\s*=/.test(String(source)));
    expect(writes).toEqual([['user_version = 30']]);
  });

  it('applies only the steps after the current version', () => {
    const db = memoryDb();
    migrate(db, fakeSteps().slice(0, 1), 'test.db');
    expect(userVersion(db)).toBe(10);
    const seen: { version: number; inTransaction: boolean }[] = [];
    expect(migrate(db, fakeSteps(seen), 'test.db')).toEqual([20, 30]);
    expect(userVersion(db)).toBe(30);
    expect(db.prepare('SELECT count(*) AS n FROM a').get()).toEqual({ n: 1 }); // step 10 did not run twice
    expect(seen).toEqual([{ version: 10, inTransaction: true }]);
  });

  it('does nothing, not even a transaction, when the file is up to date', () => {
    const db = memoryDb();
    migrate(db, fakeSteps(), 'test.db');
    const before = schema(db);
    const transaction = vi.spyOn(db, 'transaction');
    expect(migrate(db, fakeSteps(), 'test.db')).toEqual([]);
    expect(transaction).not.toHaveBeenCalled();
    expect(schema(db)).toEqual(before);
  });

  it.each<[string, Migration]>([
    ['an SQL step that fails halfway', { version: 30, name: 'bad sql', up: 'CREATE TABLE c (z); CREATE TABLE d ((' }],
    ['a data step that throws', { version: 30, name: 'bad data', up: (db) => { db.exec('CREATE TABLE c (z); INSERT INTO a VALUES (2)'); throw new Error('step failed'); } }],
  ])('%s leaves the file at N-1 with its schema and rows unchanged', (_label, failing) => {
    const db = memoryDb();
    migrate(db, fakeSteps().slice(0, 1), 'test.db');
    const before = schema(db);
    const steps = [...fakeSteps().slice(0, 2), failing];
    expect(() => migrate(db, steps, 'test.db')).toThrow();
    expect(userVersion(db)).toBe(10);
    expect(schema(db)).toEqual(before); // step 20's table b and the failing step's c are gone too
    expect(tables(db)).toEqual(['a']);
    expect(db.prepare('SELECT x FROM a').all()).toEqual([{ x: 1 }]);
    expect(db.inTransaction).toBe(false);
    // and a fixed list migrates it afterwards
    expect(migrate(db, fakeSteps(), 'test.db')).toEqual([20, 30]);
  });

  it('refuses a file from a newer version with a DatabaseError, and changes nothing', () => {
    const db = memoryDb();
    migrate(db, fakeSteps(), 'test.db');
    db.pragma('user_version = 40');
    const before = schema(db);
    let error: unknown;
    try {
      migrate(db, fakeSteps(), 'customers.db');
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(DatabaseError);
    expect((error as DatabaseError).exitCode).toBe(1);
    expect((error as Error).message).toMatch(/customers\.db was written by a newer custfile \(schema 40; this one knows up to 30\)/);
    expect(userVersion(db)).toBe(40);
    expect(schema(db)).toEqual(before);
  });

  it('refuses an out-of-order list before touching the file', () => {
    const db = memoryDb();
    const steps = fakeSteps();
    expect(() => migrate(db, [steps[1]!, steps[0]!], 'test.db')).toThrow(/out of order/);
    expect(userVersion(db)).toBe(0);
    expect(tables(db)).toEqual([]);
  });
});

describe('the real migrations', () => {
  let dir: string;
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'custfile-migrations-'));
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('turn an empty file into schema 50 with every table, and pass the checks', () => {
    const file = path.join(dir, 'empty.db');
    const db = new Database(file);
    try {
      expect(userVersion(db)).toBe(0);
      expect(migrate(db, MIGRATIONS, file)).toEqual([10, 20, 30, 40, 50]);
      expect(userVersion(db)).toBe(50);
      expect(latestVersion(MIGRATIONS)).toBe(50);
      expect(tables(db)).toEqual(['communications', 'custfile_meta', 'history', 'profile_tags', 'profiles', 'sales', 'segments']);
      const triggers = (db.prepare("SELECT name FROM sqlite_schema WHERE type = 'trigger' ORDER BY name").all() as { name: string }[]).map((r) => r.name);
      expect(triggers).toEqual(['profiles_tags_insert', 'profiles_tags_update', 'sales_delete', 'sales_insert', 'sales_update']);
      expect(db.pragma('integrity_check', { simple: true })).toBe('ok');
      expect(db.pragma('foreign_key_check')).toEqual([]);
      expect(migrate(db, MIGRATIONS, file)).toEqual([]); // a second open applies nothing
    } finally {
      db.close();
    }
    // the version is in the file, not only in the connection
    const again = new Database(file, { readonly: true });
    try {
      expect(userVersion(again)).toBe(50);
    } finally {
      again.close();
    }
  });
  it('0050 composes text written decomposed before (NFC): profiles, tags, custom fields, notes and sale items, without history or a new updated_at', () => {
    const file = path.join(dir, 'old.db');
    const db = new Database(file);
    try {
      migrate(db, MIGRATIONS.filter((m) => m.version <= 40), file);
      const nfd = (s: string) => s.normalize('NFD');
      db.prepare("INSERT INTO profiles (id, kind, name, first_name, last_name, city, tags, custom, created_at, updated_at) VALUES (1, 'person', ?, ?, ?, ?, ?, ?, '2020-01-01T00:00:00.000Z', '2020-01-01T00:00:00.000Z')")
        .run(nfd('Jürgen Bär'), nfd('Jürgen'), nfd('Bär'), nfd('München'), JSON.stringify([nfd('Bücher')]), JSON.stringify({ [nfd('Größe')]: nfd('groß') }));
      db.prepare("INSERT INTO profiles (id, kind, name, created_at, updated_at) VALUES (2, 'company', 'Plain GmbH', '2020-01-01T00:00:00.000Z', '2020-01-01T00:00:00.000Z')").run();
      db.prepare("INSERT INTO communications (profile_id, at, channel, body, source, created_at) VALUES (1, '2020-01-01', 'note', ?, 'add', '2020-01-01')").run(nfd('Grüße'));
      db.prepare("INSERT INTO sales (profile_id, date, amount_cents, item, source, created_at) VALUES (1, '2020-01-01', 100, ?, 'sale', '2020-01-01')").run(nfd('Käse'));
      expect(migrate(db, MIGRATIONS, file)).toEqual([50]);
      expect(db.prepare('SELECT name, first_name, last_name, city, tags, custom, updated_at FROM profiles WHERE id = 1').get()).toEqual({
        name: 'Jürgen Bär', first_name: 'Jürgen', last_name: 'Bär', city: 'München', tags: '["Bücher"]', custom: '{"Größe":"groß"}', updated_at: '2020-01-01T00:00:00.000Z',
      });
      expect(db.prepare('SELECT tag FROM profile_tags').all()).toEqual([{ tag: 'Bücher' }]);
      expect(db.prepare('SELECT body FROM communications').get()).toEqual({ body: 'Grüße' });
      expect(db.prepare('SELECT item FROM sales').get()).toEqual({ item: 'Käse' });
      expect(db.prepare('SELECT count(*) AS n FROM history').get()).toEqual({ n: 0 });
      expect(db.prepare('SELECT name FROM profiles WHERE id = 2').get()).toEqual({ name: 'Plain GmbH' });
    } finally {
      db.close();
    }
  });

});

describe('the schema with real rows', () => {
  let db: Sqlite;
  const NOW = '2026-11-22T10:00:00.000Z';

  beforeEach(() => {
    db = memoryDb();
    migrate(db, MIGRATIONS, ':memory:');
  });

  function addProfile(kind: 'company' | 'person', name: string, extra: { tags?: string[]; company_id?: number; birthday?: string } = {}): number {
    const info = db
      .prepare('INSERT INTO profiles (kind, name, tags, company_id, birthday, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?)')
      .run(kind, name, JSON.stringify(extra.tags ?? []), extra.company_id ?? null, extra.birthday ?? null, NOW, NOW);
    return Number(info.lastInsertRowid);
  }

  function addSale(profileId: number, date: string, cents: number): number {
    const info = db
      .prepare("INSERT INTO sales (profile_id, date, amount_cents, item, source, created_at) VALUES (?, ?, ?, NULL, 'cli', ?)")
      .run(profileId, date, cents, NOW);
    return Number(info.lastInsertRowid);
  }

  function tagsOf(profileId: number): string[] {
    return (db.prepare('SELECT tag FROM profile_tags WHERE profile_id = ? ORDER BY tag').all(profileId) as { tag: string }[]).map((r) => r.tag);
  }

  function derived(profileId: number): { sales_total_cents: number; sales_count: number; last_sale: string | null } {
    return db.prepare('SELECT sales_total_cents, sales_count, last_sale FROM profiles WHERE id = ?').get(profileId) as {
      sales_total_cents: number;
      sales_count: number;
      last_sale: string | null;
    };
  }

  describe('profile_tags follows profiles.tags', () => {
    it('on insert', () => {
      const a = addProfile('company', 'A', { tags: ['vip', 'north'] });
      const b = addProfile('company', 'B');
      expect(tagsOf(a)).toEqual(['north', 'vip']);
      expect(tagsOf(b)).toEqual([]);
    });

    it('on update of the tags: added, removed, all removed', () => {
      const a = addProfile('company', 'A', { tags: ['vip', 'old'] });
      const setTags = db.prepare('UPDATE profiles SET tags = ? WHERE id = ?');
      setTags.run(JSON.stringify(['vip', 'north']), a);
      expect(tagsOf(a)).toEqual(['north', 'vip']);
      setTags.run('[]', a);
      expect(tagsOf(a)).toEqual([]);
      setTags.run(JSON.stringify(['x']), a);
      expect(tagsOf(a)).toEqual(['x']);
    });

    it('an update of another column leaves the tags alone', () => {
      const a = addProfile('company', 'A', { tags: ['vip'] });
      db.prepare("UPDATE profiles SET city = 'Dresden' WHERE id = ?").run(a);
      expect(tagsOf(a)).toEqual(['vip']);
    });

    it('holds one row for tags differing only in case, and finds them in any case', () => {
      const a = addProfile('company', 'A', { tags: ['VIP', 'vip'] });
      expect(tagsOf(a)).toHaveLength(1);
      expect(db.prepare("SELECT profile_id FROM profile_tags WHERE tag = 'Vip'").all()).toEqual([{ profile_id: a }]);
    });

    it('another profile with the same tag keeps its row', () => {
      const a = addProfile('company', 'A', { tags: ['vip'] });
      const b = addProfile('company', 'B', { tags: ['vip'] });
      db.prepare("UPDATE profiles SET tags = '[]' WHERE id = ?").run(a);
      expect(tagsOf(b)).toEqual(['vip']);
    });
  });

  describe('sales keep sales_total_cents, sales_count and last_sale right', () => {
    it('on insert, whatever the order of dates', () => {
      const p = addProfile('company', 'A');
      expect(derived(p)).toEqual({ sales_total_cents: 0, sales_count: 0, last_sale: null });
      addSale(p, '2026-03-01', 1999);
      expect(derived(p)).toEqual({ sales_total_cents: 1999, sales_count: 1, last_sale: '2026-03-01' });
      addSale(p, '2026-01-15', 1); // an older sale recorded later
      expect(derived(p)).toEqual({ sales_total_cents: 2000, sales_count: 2, last_sale: '2026-03-01' });
      addSale(p, '2026-05-01', -500); // a refund
      expect(derived(p)).toEqual({ sales_total_cents: 1500, sales_count: 3, last_sale: '2026-05-01' });
    });

    it('sums exactly, with no float drift', () => {
      const p = addProfile('company', 'A');
      for (let i = 0; i < 10; i++) addSale(p, '2026-01-01', 10); // ten times 0.10
      expect(derived(p).sales_total_cents).toBe(100);
    });

    it('on delete: the newest sale gone moves last_sale back; none left is NULL', () => {
      const p = addProfile('company', 'A');
      const first = addSale(p, '2026-01-15', 1000);
      const newest = addSale(p, '2026-03-01', 250);
      db.prepare('DELETE FROM sales WHERE id = ?').run(newest);
      expect(derived(p)).toEqual({ sales_total_cents: 1000, sales_count: 1, last_sale: '2026-01-15' });
      db.prepare('DELETE FROM sales WHERE id = ?').run(first);
      expect(derived(p)).toEqual({ sales_total_cents: 0, sales_count: 0, last_sale: null });
    });

    it('on update of amount and date', () => {
      const p = addProfile('company', 'A');
      const s = addSale(p, '2026-03-01', 1000);
      addSale(p, '2026-01-15', 500);
      db.prepare('UPDATE sales SET amount_cents = 1200 WHERE id = ?').run(s);
      expect(derived(p)).toEqual({ sales_total_cents: 1700, sales_count: 2, last_sale: '2026-03-01' });
      db.prepare("UPDATE sales SET date = '2025-12-31' WHERE id = ?").run(s);
      expect(derived(p)).toEqual({ sales_total_cents: 1700, sales_count: 2, last_sale: '2026-01-15' });
    });

    it('on update of the profile: both profiles are right', () => {
      const a = addProfile('company', 'A');
      const b = addProfile('company', 'B');
      const s = addSale(a, '2026-03-01', 1000);
      addSale(a, '2026-01-15', 500);
      addSale(b, '2025-06-01', 1);
      db.prepare('UPDATE sales SET profile_id = ? WHERE id = ?').run(b, s);
      expect(derived(a)).toEqual({ sales_total_cents: 500, sales_count: 1, last_sale: '2026-01-15' });
      expect(derived(b)).toEqual({ sales_total_cents: 1001, sales_count: 2, last_sale: '2026-03-01' });
    });

    it('a sale of a missing profile is refused', () => {
      expect(() => addSale(999, '2026-01-01', 1)).toThrow(/FOREIGN KEY/);
    });
  });

  describe('deleting a profile', () => {
    it('cascades its communications, sales and tags, and unlinks its contacts', () => {
      const company = addProfile('company', 'Elbwerk GmbH', { tags: ['vip'] });
      const contact = addProfile('person', 'Jens Koch', { company_id: company });
      const other = addProfile('company', 'Other AG');
      const note = db.prepare("INSERT INTO communications (profile_id, at, channel, body, source, created_at) VALUES (?, '2026-01-01', 'call', 'hello', 'cli', ?)");
      note.run(company, NOW);
      note.run(other, NOW);
      addSale(company, '2026-01-01', 100);
      addSale(other, '2026-01-01', 7);
      db.prepare("INSERT INTO history (profile_id, action, field, at, source) VALUES (?, 'create', 'name', ?, 'cli')").run(company, NOW);

      db.prepare('DELETE FROM profiles WHERE id = ?').run(company);

      expect(db.prepare('SELECT profile_id FROM communications').all()).toEqual([{ profile_id: other }]);
      expect(db.prepare('SELECT profile_id, amount_cents FROM sales').all()).toEqual([{ profile_id: other, amount_cents: 7 }]);
      expect(tagsOf(company)).toEqual([]);
      expect(db.prepare('SELECT company_id FROM profiles WHERE id = ?').get(contact)).toEqual({ company_id: null });
      expect(derived(other)).toEqual({ sales_total_cents: 7, sales_count: 1, last_sale: '2026-01-01' });
      // history has no foreign key: `remove` keeps it, only `forget` erases it
      expect(db.prepare('SELECT count(*) AS n FROM history WHERE profile_id = ?').get(company)).toEqual({ n: 1 });
      expect(db.pragma('foreign_key_check')).toEqual([]);
    });
  });

  describe('constraints and generated columns', () => {
    it.each<[string | null, number | null]>([
      ['1976-02-29', 229],
      ['--02-29', 229],
      ['--12-31', 1231],
      ['2000-01-01', 101],
      [null, null],
    ])('birthday %j has month-day %j', (birthday, md) => {
      const p = addProfile('person', 'P', birthday === null ? {} : { birthday });
      expect(db.prepare('SELECT birthday_md FROM profiles WHERE id = ?').get(p)).toEqual({ birthday_md: md });
    });

    it('refuses an unknown kind, a duplicate external id and a decision_maker that is not 0 or 1', () => {
      expect(() => addProfile('robot' as 'company', 'X')).toThrow(/CHECK/);
      const insert = db.prepare("INSERT INTO profiles (kind, name, external_id, decision_maker, created_at, updated_at) VALUES ('person', 'X', ?, ?, ?, ?)");
      insert.run('K-1', null, NOW, NOW);
      expect(() => insert.run('K-1', null, NOW, NOW)).toThrow(/UNIQUE/);
      expect(() => insert.run('K-2', 2, NOW, NOW)).toThrow(/CHECK/);
      insert.run(null, 1, NOW, NOW);
      insert.run(null, 0, NOW, NOW); // several profiles without an external id are fine
    });
  });
});

describe('0020 birthday lookup, from 10 to 20 with real rows', () => {
  it('replaces the month-day index and keeps every birthday findable', async () => {
    const Database = (await import('better-sqlite3')).default;
    const { MIGRATIONS } = await import('../../src/storage/migrations/index.js');
    const { migrate } = await import('../../src/storage/migrations/runner.js');
    const db = new Database(':memory:');
    migrate(db, MIGRATIONS.filter((m) => m.version <= 10), 'test');
    expect(db.pragma('user_version', { simple: true })).toBe(10);
    const insert = db.prepare("INSERT INTO profiles (kind, name, birthday, created_at, updated_at) VALUES ('person', ?, ?, 'x', 'x')");
    insert.run('Anna', '1980-02-29');
    insert.run('Bert', '--12-24');
    db.prepare("INSERT INTO profiles (kind, name, created_at, updated_at) VALUES ('company', 'Elbwerk', 'x', 'x')").run();
    expect(migrate(db, MIGRATIONS.filter((m) => m.version <= 20), 'test')).toEqual([20]);
    expect(db.pragma('user_version', { simple: true })).toBe(20);
    const indexes = (db.prepare("SELECT name FROM sqlite_schema WHERE type = 'index' AND tbl_name = 'profiles'").all() as { name: string }[]).map((r) => r.name);
    expect(indexes).toContain('profiles_birthdays');
    expect(indexes).not.toContain('profiles_birthday_md');
    const sql = 'SELECT name FROM profiles p WHERE p.birthday_md IS NOT NULL AND p.birthday_md BETWEEN ? AND ? ORDER BY name';
    expect(db.prepare(sql).all(101, 1231)).toEqual([{ name: 'Anna' }, { name: 'Bert' }]);
    expect(JSON.stringify(db.prepare(`EXPLAIN QUERY PLAN ${sql}`).all(229, 229))).toContain('profiles_birthdays');
    db.close();
  });
});
