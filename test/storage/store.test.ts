/**
 * The customer file on disk (db.ts, store.ts) against temporary files: what opening creates and
 * what it refuses, transactions that land whole or not at all, backup and check, the `fold()`
 * SQL function, and ProfileRepo's reads and writes.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { AppError, FileError } from '../../src/errors.js';
import { type Kind } from '../../src/domain/fields.js';
import { type ProfileDraft, emptyDraft } from '../../src/domain/profile.js';
import { BUSY_TIMEOUT_MS, READ_CACHE_KIB, fold, openDb } from '../../src/storage/db.js';
import { sortSql } from '../../src/storage/filter-sql.js';
import { type Store, checkDatabase, openStore } from '../../src/storage/store.js';

const NOW = '2026-11-22T10:00:00.000Z';
const LATER = '2026-11-23T08:30:00.000Z';

let dir: string;
let umask: number;
const open: { close(): void }[] = [];

beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'custfile-store-'));
  // openDb sets the process umask to 077; start each test from the usual 022 and put it back after
  umask = process.umask(0o022);
});
afterEach(() => {
  for (const o of open.splice(0)) {
    try {
      o.close();
    } catch {
      // already closed by the test
    }
  }
  process.umask(umask);
  fs.rmSync(dir, { recursive: true, force: true });
});

function track<T extends { close(): void }>(thing: T): T {
  open.push(thing);
  return thing;
}

function newStore(name = 'customers.db'): Store {
  return track(openStore(path.join(dir, name), { write: true }));
}

function sha256(file: string): string {
  return crypto.createHash('sha256').update(fs.readFileSync(file)).digest('hex');
}

function mode(file: string): number {
  return fs.statSync(file).mode & 0o777;
}

function draft(kind: Kind, fields: Partial<ProfileDraft>): ProfileDraft {
  return { ...emptyDraft(kind), ...fields };
}

function caught(work: () => unknown): unknown {
  try {
    work();
  } catch (err) {
    return err;
  }
  throw new Error('expected an error, but nothing was thrown');
}

describe('openDb', () => {
  it('a reading command on a missing file gets an empty in-memory file and creates nothing', () => {
    const file = path.join(dir, 'sub', 'customers.db');
    const db = track(openDb(file, { write: false }));
    expect(db.ephemeral).toBe(true);
    expect(db.path).toBe(file);
    // it is migrated, so reads find empty tables rather than errors
    expect(db.sqlite.prepare('SELECT count(*) AS n FROM profiles').get()).toEqual({ n: 0 });
    expect(db.sqlite.pragma('user_version', { simple: true })).toBe(50);
    db.close();
    expect(fs.existsSync(file)).toBe(false);
    expect(fs.existsSync(path.dirname(file))).toBe(false);
  });

  it('a writing command creates the folder 0700 and the file, -wal and -shm 0600, under umask 022', () => {
    const folder = path.join(dir, 'data', 'custfile');
    const file = path.join(folder, 'customers.db');
    const db = track(openDb(file, { write: true }));
    expect(db.ephemeral).toBe(false);
    db.sqlite.prepare("INSERT INTO segments (name, expr, created_at, updated_at) VALUES ('s', 'x', ?, ?)").run(NOW, NOW);
    expect(mode(folder)).toBe(0o700);
    expect(mode(file)).toBe(0o600);
    // while the connection is open in WAL mode, its -wal and -shm files exist, owner-only too
    for (const side of [`${file}-wal`, `${file}-shm`]) expect(mode(side), side).toBe(0o600);
    db.close();
  });

  it('sets WAL, synchronous, foreign keys and the busy timeout, and migrates', () => {
    const db = track(openDb(path.join(dir, 'c.db'), { write: true }));
    expect(db.sqlite.pragma('journal_mode', { simple: true })).toBe('wal');
    expect(db.sqlite.pragma('synchronous', { simple: true })).toBe(1); // NORMAL
    expect(db.sqlite.pragma('foreign_keys', { simple: true })).toBe(1);
    expect(db.sqlite.pragma('busy_timeout', { simple: true })).toBe(BUSY_TIMEOUT_MS);
    expect(db.sqlite.pragma('user_version', { simple: true })).toBe(50);
  });

  it("a reading command gets SQLite's small page cache, a writing one keeps better-sqlite3's", () => {
    const file = path.join(dir, 'c.db');
    const writer = track(openDb(file, { write: true }));
    expect(writer.sqlite.pragma('cache_size', { simple: true })).toBe(-16000);
    const reader = track(openDb(file, { write: false }));
    expect(reader.sqlite.pragma('cache_size', { simple: true })).toBe(-READ_CACHE_KIB);
  });

  it('reopens an existing file without changing its rows', () => {
    const file = path.join(dir, 'c.db');
    const first = openStore(file, { write: true });
    const id = first.profiles.insert(draft('company', { name: 'Elbwerk GmbH' }), NOW);
    first.close();
    const again = track(openStore(file, { write: false }));
    expect(again.db.ephemeral).toBe(false);
    expect(again.profiles.byId(id)?.name).toBe('Elbwerk GmbH');
  });

  it('tightens an existing file readable by others, with a notice', () => {
    const file = path.join(dir, 'c.db');
    openDb(file, { write: true }).close();
    fs.chmodSync(file, 0o644);
    const notices: string[] = [];
    track(openDb(file, { write: false, notice: (m) => notices.push(m) }));
    expect(mode(file)).toBe(0o600);
    expect(notices).toHaveLength(1);
    expect(notices[0]).toMatch(/owner-only \(0600\)/);
  });

  it.each<[string, Buffer]>([
    ['a text file', Buffer.from('Name;E-Mail\nAnna;anna@example.org\n'.repeat(200))],
    ['random bytes', crypto.randomBytes(8192)],
    ['a damaged header', Buffer.concat([Buffer.from('SQLite format 3\u0000'), Buffer.alloc(4080, 0xff)])],
  ])('%s is a FileError and is left byte for byte as it was', (_label, bytes) => {
    const file = path.join(dir, 'customers.db');
    fs.writeFileSync(file, bytes, { mode: 0o600 });
    const before = sha256(file);
    for (const write of [true, false]) {
      const err = caught(() => track(openDb(file, { write })));
      expect(err).toBeInstanceOf(FileError);
      expect((err as FileError).exitCode).toBe(1);
      expect((err as Error).message).toMatch(/is not a custfile database or is damaged; it was left untouched/);
    }
    expect(sha256(file)).toBe(before);
    expect(fs.existsSync(`${file}-wal`)).toBe(false);
  });

  it('a folder in place of the file is a FileError', () => {
    const err = caught(() => openDb(dir, { write: true }));
    expect(err).toBeInstanceOf(FileError);
    expect((err as Error).message).toMatch(/is a folder/);
  });

  it('a folder that cannot be created is a FileError', () => {
    const blocker = path.join(dir, 'blocker');
    fs.writeFileSync(blocker, 'not a folder');
    const err = caught(() => openDb(path.join(blocker, 'customers.db'), { write: true }));
    expect(err).toBeInstanceOf(FileError);
    expect((err as Error).message).toMatch(/could not be created/);
  });
});

describe('Store transactions', () => {
  it('write() lands all of its work', () => {
    const store = newStore();
    const ids = store.write(() => [
      store.profiles.insert(draft('company', { name: 'A' }), NOW),
      store.profiles.insert(draft('company', { name: 'B' }), NOW),
    ]);
    expect(ids).toEqual([1, 2]);
    expect(store.profiles.count(null)).toBe(2);
  });

  it('write() rolls everything back when the work throws, and passes the error on', () => {
    const store = newStore();
    store.profiles.insert(draft('company', { name: 'Kept' }), NOW);
    const boom = new Error('boom');
    const err = caught(() =>
      store.write(() => {
        const id = store.profiles.insert(draft('company', { name: 'A', tags: ['vip'] }), NOW);
        store.sales.add({ profile_id: id, date: '2026-01-01', amount_cents: 100, item: null, source: 'cli', created_at: NOW });
        store.profiles.update(1, draft('company', { name: 'Changed' }), LATER);
        throw boom;
      }),
    );
    expect(err).toBe(boom);
    expect(store.db.sqlite.inTransaction).toBe(false);
    expect(store.db.sqlite.prepare('SELECT id, name FROM profiles').all()).toEqual([{ id: 1, name: 'Kept' }]);
    expect(store.db.sqlite.prepare('SELECT count(*) AS n FROM sales').get()).toEqual({ n: 0 });
    expect(store.db.sqlite.prepare('SELECT count(*) AS n FROM profile_tags').get()).toEqual({ n: 0 });
  });

  it('write() rolls back when SQLite refuses a row halfway', () => {
    const store = newStore();
    expect(() =>
      store.write(() => {
        store.profiles.insert(draft('company', { name: 'A', external_id: 'K-1' }), NOW);
        store.profiles.insert(draft('company', { name: 'B', external_id: 'K-1' }), NOW);
      }),
    ).toThrow(/UNIQUE/);
    expect(store.profiles.count(null)).toBe(0);
  });

  it('begin() and rollback() undo a batch; commit() keeps one', () => {
    const store = newStore();
    store.begin();
    store.profiles.insert(draft('company', { name: 'Dry run' }), NOW);
    store.rollback();
    store.rollback(); // a second rollback outside a transaction is harmless
    expect(store.profiles.count(null)).toBe(0);
    store.begin();
    store.profiles.insert(draft('company', { name: 'Real' }), NOW);
    store.commit();
    expect(store.profiles.count(null)).toBe(1);
  });

  it('a write on a file another connection holds is a LockedError (exit 5) after the busy timeout', () => {
    const file = path.join(dir, 'c.db');
    const holder = track(new Database(file));
    openDb(file, { write: true }).close();
    const store = track(openStore(file, { write: true, busyTimeoutMs: 50 }));
    holder.exec('BEGIN IMMEDIATE');
    const err = caught(() => store.write(() => store.profiles.insert(draft('company', { name: 'A' }), NOW)));
    holder.exec('ROLLBACK');
    expect(err).toBeInstanceOf(AppError);
    expect((err as AppError).exitCode).toBe(5);
    expect((err as Error).message).toMatch(/locked by another process.*safe to try again later/);
  });
});

describe('a bulk load rolled back', () => {
  it('leaves company renames forgetting key contacts\' fingerprints at once, as before the load', () => {
    const store = newStore();
    store.begin();
    store.beginBulkLoad();
    store.rollback(); // an --atomic first import with rejects, say
    store.begin();
    const company = store.profiles.insert(draft('company', { name: 'Elbwerk GmbH' }), '2026-01-01T00:00:00.000Z');
    const contact = store.profiles.insert({ ...draft('person', { name: 'Anna Lang' }), company_id: company }, '2026-01-01T00:00:00.000Z', 4242);
    store.profiles.companyRenamed(company, 'Elbwerk Dresden GmbH');
    store.commit();
    expect(store.profiles.importState('id', contact)).toEqual([{ id: contact, import_fp: null, company_id: company }]);
  });
});

describe('ProfileRepo.importStates', () => {
  it('answers as importState does for each value, whatever the number of values (lists padded)', () => {
    const store = newStore();
    store.begin();
    for (let i = 0; i < 700; i++) {
      store.profiles.insert(draft('person', { name: `P ${i}`, email: `p${i % 650}@Example.org`, external_id: `K-${i}` }), '2026-01-01T00:00:00.000Z', i % 3 === 0 ? null : 1000 + i);
    }
    store.commit();
    for (const count of [1, 8, 9, 64, 65, 500, 620]) {
      const emails = Array.from({ length: count }, (_, i) => (i % 7 === 0 ? `nobody${i}@example.org` : `P${(i * 13) % 700}@EXAMPLE.org`));
      const byEmail = store.profiles.importStates('email', emails);
      for (const e of emails) expect(byEmail(e), e).toEqual(store.profiles.importState('email', e));
      const ids = emails.map((_, i) => `K-${(i * 17) % 720}`);
      const byId = store.profiles.importStates('external_id', ids);
      for (const k of ids) expect(byId(k), k).toEqual(store.profiles.importState('external_id', k));
    }
  });
});

describe('backupTo', () => {
  it('writes a copy that passes checkDatabase and holds the same rows', async () => {
    const store = newStore();
    store.write(() => {
      const c = store.profiles.insert(draft('company', { name: 'Elbwerk GmbH', tags: ['vip'] }), NOW);
      store.profiles.insert(draft('person', { name: 'Jens Koch', last_name: 'Koch', company_id: c }), NOW);
    });
    const target = path.join(dir, 'backup.db');
    const { bytes } = await store.backupTo(target);
    expect(bytes).toBe(fs.statSync(target).size);
    const copy = track(new Database(target, { readonly: true }));
    expect(checkDatabase(copy)).toEqual([]);
    expect(copy.pragma('user_version', { simple: true })).toBe(50);
    expect(copy.prepare('SELECT id, name, company_id FROM profiles ORDER BY id').all()).toEqual([
      { id: 1, name: 'Elbwerk GmbH', company_id: null },
      { id: 2, name: 'Jens Koch', company_id: 1 },
    ]);
    expect(copy.prepare('SELECT tag FROM profile_tags').all()).toEqual([{ tag: 'vip' }]);
    // no temporary file is left beside it
    expect(fs.readdirSync(dir).filter((f) => f.endsWith('.tmp'))).toEqual([]);
  });

  it('replaces an existing backup whole', async () => {
    const store = newStore();
    const target = path.join(dir, 'backup.db');
    fs.writeFileSync(target, 'an old backup');
    store.profiles.insert(draft('company', { name: 'A' }), NOW);
    await store.backupTo(target);
    const copy = track(new Database(target, { readonly: true }));
    expect(copy.prepare('SELECT name FROM profiles').all()).toEqual([{ name: 'A' }]);
  });

  it('refuses to overwrite the database itself, however the path is written', async () => {
    const store = newStore();
    store.profiles.insert(draft('company', { name: 'A' }), NOW);
    const before = store.db.sqlite.prepare('SELECT * FROM profiles').all();
    const cwd = process.cwd();
    try {
      process.chdir(dir);
      for (const target of [store.path, path.join(dir, '.', 'sub', '..', 'customers.db'), 'customers.db']) {
        const err = await store.backupTo(target).then(() => null, (e: unknown) => e);
        expect(err, target).toBeInstanceOf(FileError);
        expect((err as Error).message).toMatch(/must not overwrite the database itself/);
      }
    } finally {
      process.chdir(cwd);
    }
    expect(store.db.sqlite.prepare('SELECT * FROM profiles').all()).toEqual(before);
    expect(store.check()).toEqual([]);
  });

  it('refuses a target folder that does not exist, and an ephemeral file', async () => {
    const store = newStore();
    await expect(store.backupTo(path.join(dir, 'missing', 'b.db'))).rejects.toThrow(/does not exist/);
    const ephemeral = track(openStore(path.join(dir, 'never.db'), { write: false }));
    const err = await ephemeral.backupTo(path.join(dir, 'b.db')).then(() => null, (e: unknown) => e);
    expect(err).toBeInstanceOf(FileError);
    expect(fs.existsSync(path.join(dir, 'b.db'))).toBe(false);
  });
});

describe('check', () => {
  it('finds nothing in a sound file', () => {
    const store = newStore();
    store.profiles.insert(draft('company', { name: 'A' }), NOW);
    expect(store.check()).toEqual([]);
  });

  it("runs with a large page cache and gives the reading command's back", () => {
    const file = path.join(dir, 'c.db');
    newStore('c.db').profiles.insert(draft('company', { name: 'A' }), NOW);
    const reader = track(openStore(file, { write: false }));
    const seen: unknown[] = [];
    const pragma = reader.db.sqlite.pragma.bind(reader.db.sqlite);
    reader.db.sqlite.pragma = ((source: string, options?: Database.PragmaOptions) => {
      if (source === 'integrity_check') seen.push(pragma('cache_size', { simple: true }));
      return pragma(source, options);
    }) as typeof reader.db.sqlite.pragma;
    expect(reader.check()).toEqual([]);
    expect(seen).toEqual([-16000]);
    expect(pragma('cache_size', { simple: true })).toBe(-READ_CACHE_KIB);
  });

  it('finds a row pointing to a missing profile, written with foreign keys off', () => {
    const store = newStore();
    const id = store.profiles.insert(draft('company', { name: 'A' }), NOW);
    const sqlite = store.db.sqlite;
    sqlite.pragma('foreign_keys = OFF');
    sqlite
      .prepare("INSERT INTO communications (profile_id, at, channel, body, source, created_at) VALUES (?, '2026-01-01', 'call', 'x', 'cli', ?)")
      .run(id + 100, NOW);
    sqlite.prepare('UPDATE profiles SET company_id = 999 WHERE id = ?').run(id);
    sqlite.pragma('foreign_keys = ON');
    const findings = store.check();
    expect(findings).toHaveLength(2);
    expect(findings).toContain('communications row 1 points to a missing profiles row');
    expect(findings).toContain(`profiles row ${id} points to a missing profiles row`);
  });
});

describe('fold()', () => {
  it.each<[unknown, string | null]>([
    ['Müller', 'muller'],
    ['MÜLLER', 'muller'],
    ['muller', 'muller'],
    ['Straße', 'strasse'],
    ['STRAẞE', 'strasse'], // capital sharp s
    // letters NFD leaves whole fold as people type them without the mark
    ['Éric Ødegård', 'eric odegard'],
    ['Małgorzata Yılmaz', 'malgorzata yilmaz'],
    ['Đorđević Æbeltoft', 'dordevic aebeltoft'],
    ['Café', 'cafe'],
    ['Cafe\u0301', 'cafe'], // already decomposed
    ['Ὀδυσσεύς', 'οδυσσευσ'], // the final sigma is a sigma, as the capital lowercases
    ['ΟΔΥΣΣΕΥΣ', 'οδυσσευσ'],
    [42, '42'],
    [null, null],
  ])('%j folds to %j, in JavaScript and in SQL', (value, expected) => {
    expect(fold(value)).toBe(expected);
    const db = track(openDb(path.join(dir, 'x.db'), { write: false }));
    expect(db.sqlite.prepare('SELECT fold(?) AS f').get(value)).toEqual({ f: expected });
  });

  it('makes contains-search match across accents and case', () => {
    const store = newStore();
    for (const name of ['Anna Müller', 'Bäckerei Großmann', 'Jens Koch']) store.profiles.insert(draft('company', { name }), NOW);
    const search = store.db.sqlite.prepare("SELECT name FROM profiles WHERE fold(name) LIKE '%' || fold(?) || '%' ORDER BY id");
    expect(search.all('muller')).toEqual([{ name: 'Anna Müller' }]);
    expect(search.all('MÜLLER')).toEqual([{ name: 'Anna Müller' }]);
    expect(search.all('grossmann')).toEqual([{ name: 'Bäckerei Großmann' }]);
    expect(search.all('backerei')).toEqual([{ name: 'Bäckerei Großmann' }]);
    expect(search.all('mueller')).toEqual([]);
  });
});

describe('ProfileRepo', () => {
  let store: Store;
  let elbwerk: number;
  let jens: number;
  let anna: number;
  let nord: number;

  beforeEach(() => {
    store = newStore();
    const p = store.profiles;
    elbwerk = p.insert(draft('company', {
      name: 'Elbwerk GmbH', external_id: 'K-100', legal_form: 'GmbH', revenue: 250000050, headcount: 40,
      city: 'Dresden', postcode: '01067', tags: ['vip', 'key-account'], custom: { size: '10', 'my field': 'blau' }, lifecycle: 'customer',
    }), NOW);
    jens = p.insert(draft('person', {
      name: 'Jens Koch', first_name: 'Jens', last_name: 'Koch', company_id: elbwerk, role: 'CEO', decision_maker: true,
      birthday: '1976-02-29', email: 'Jens.Koch@Elbwerk.example',
    }), NOW);
    anna = p.insert(draft('person', {
      name: 'Anna Müller', first_name: 'Anna', last_name: 'Müller', birthday: '--03-12', email: 'anna@example.org',
      decision_maker: false, city: 'Görlitz', external_id: '4711', custom: { colour: 'green' },
    }), NOW);
    nord = p.insert(draft('company', { name: 'Nordlicht AG', revenue: 100, city: 'Kiel' }), NOW);
  });

  it('insert returns ids in order, and byId maps every column back', () => {
    expect([elbwerk, jens, anna, nord]).toEqual([1, 2, 3, 4]);
    expect(store.profiles.byId(elbwerk)).toEqual({
      ...draft('company', {
        name: 'Elbwerk GmbH', external_id: 'K-100', legal_form: 'GmbH', revenue: 250000050, headcount: 40,
        city: 'Dresden', postcode: '01067', tags: ['vip', 'key-account'], custom: { size: '10', 'my field': 'blau' }, lifecycle: 'customer',
      }),
      id: elbwerk,
      company: 'Elbwerk GmbH', // a company's own name
      sales_total: 0,
      sales_count: 0,
      last_sale: null,
      created_at: NOW,
      updated_at: NOW,
    });
    expect(store.profiles.byId(jens)).toMatchObject({
      kind: 'person', company: 'Elbwerk GmbH', company_id: elbwerk, decision_maker: true, birthday: '1976-02-29', revenue: null, tags: [], custom: {},
    });
    expect(store.profiles.byId(anna)).toMatchObject({ company: null, decision_maker: false, birthday: '--03-12' });
    expect(store.profiles.byId(999)).toBeUndefined();
  });

  it('keeps money exact as integer cents', () => {
    expect(store.db.sqlite.prepare('SELECT revenue_cents, typeof(revenue_cents) AS t FROM profiles WHERE id = ?').get(elbwerk)).toEqual({
      revenue_cents: 250000050,
      t: 'integer',
    });
  });

  it('update rewrites the writable fields and updated_at, and keeps created_at', () => {
    const before = store.profiles.byId(anna)!;
    store.profiles.update(anna, { ...before, city: 'Leipzig', tags: ['new'], custom: {}, email: null, company_id: nord }, LATER);
    const after = store.profiles.byId(anna)!;
    expect(after).toMatchObject({ city: 'Leipzig', tags: ['new'], custom: {}, email: null, company_id: nord, company: 'Nordlicht AG', created_at: NOW, updated_at: LATER });
    expect(store.db.sqlite.prepare('SELECT tag FROM profile_tags WHERE profile_id = ?').all(anna)).toEqual([{ tag: 'new' }]);
  });

  it('byExternalId matches exactly, also a numeric-looking one', () => {
    expect(store.profiles.byExternalId('K-100')?.id).toBe(elbwerk);
    expect(store.profiles.byExternalId('4711')?.id).toBe(anna);
    expect(store.profiles.byExternalId('k-100')).toBeUndefined();
    expect(store.profiles.byExternalId('K-10')).toBeUndefined();
  });

  it('byEmail ignores case', () => {
    expect(store.profiles.byEmail('jens.koch@elbwerk.example').map((p) => p.id)).toEqual([jens]);
    expect(store.profiles.byEmail('ANNA@EXAMPLE.ORG').map((p) => p.id)).toEqual([anna]);
    expect(store.profiles.byEmail('anna@example')).toEqual([]);
  });

  it('byName matches the whole name in any case, optionally of one kind', () => {
    const twin = store.profiles.insert(draft('company', { name: 'Anna Müller' }), NOW);
    expect(store.profiles.byName('anna müller').map((p) => p.id)).toEqual([anna, twin]);
    expect(store.profiles.byName('ANNA Müller', 'company').map((p) => p.id)).toEqual([twin]);
    expect(store.profiles.byName('Anna', 'person')).toEqual([]);
    expect(store.profiles.byName('Anna Müller ')).toEqual([]);
  });

  it.each<[string, string | number, string[]]>([
    ['id', 3, ['Anna Müller']],
    ['external_id', 'K-100', ['Elbwerk GmbH']],
    ['email', 'JENS.KOCH@elbwerk.example', ['Jens Koch']],
    ['name', 'nordlicht ag', ['Nordlicht AG']],
    ['postcode', '01067', ['Elbwerk GmbH']],
    ['postcode', '1067', []],
    ['revenue', 100, ['Nordlicht AG']],
    ['city', 'dresden', []], // other fields match exactly
  ])('byKey(%s, %j) finds %j', (fieldName, value, names) => {
    expect(store.profiles.byKey(fieldName, value).map((p) => p.name)).toEqual(names);
  });

  it('byKey returns at most two, enough to tell one from ambiguous', () => {
    for (let i = 0; i < 3; i++) store.profiles.insert(draft('company', { name: `Twin ${i}`, city: 'Bautzen' }), NOW);
    expect(store.profiles.byKey('city', 'Bautzen')).toHaveLength(2);
  });

  it('byKey refuses a field name that is not a plain column name', () => {
    expect(() => store.profiles.byKey('name = name OR 1', 'x')).toThrow(/not a key field/);
  });

  it('companyIdByName finds the oldest company of that name in any case, never a person', () => {
    store.profiles.insert(draft('company', { name: 'Elbwerk GmbH' }), NOW);
    expect(store.profiles.companyIdByName('elbwerk gmbh')).toBe(elbwerk);
    expect(store.profiles.companyIdByName('Anna Müller')).toBeUndefined();
    expect(store.profiles.companyIdByName('Nobody')).toBeUndefined();
  });

  it('contactsOf lists a company\'s key contacts, decision makers first', () => {
    const ben = store.profiles.insert(draft('person', { name: 'Ben Adler', last_name: 'Adler', company_id: elbwerk }), NOW);
    expect(store.profiles.contactsOf(elbwerk).map((p) => p.id)).toEqual([jens, ben]);
    expect(store.profiles.contactIdsOf(elbwerk).sort()).toEqual([jens, ben].sort());
  });

  it('customKeys lists the custom field names in use, sorted, among the matching profiles', () => {
    expect(store.profiles.customKeys(null)).toEqual(['colour', 'my field', 'size']);
    expect(store.profiles.customKeys({ sql: 'p.kind = ?', params: ['company'] })).toEqual(['my field', 'size']);
    expect(store.profiles.customKeys({ sql: 'p.id = ?', params: [nord] })).toEqual([]);
  });

  it('externalIdTaken tells whether another profile holds an external id', () => {
    expect(store.profiles.externalIdTaken('K-100', null)).toBe(true);
    expect(store.profiles.externalIdTaken('K-100', elbwerk)).toBe(false);
    expect(store.profiles.externalIdTaken('K-999', null)).toBe(false);
  });

  it.each<[string | undefined, number | null, string[]]>([
    [undefined, null, ['Elbwerk GmbH', 'Jens Koch', 'Anna Müller', 'Nordlicht AG']], // by id
    ['name', null, ['Anna Müller', 'Elbwerk GmbH', 'Jens Koch', 'Nordlicht AG']],
    ['-name', 2, ['Nordlicht AG', 'Jens Koch']],
    ['-revenue', null, ['Elbwerk GmbH', 'Nordlicht AG', 'Jens Koch', 'Anna Müller']], // empty revenue last
    ['revenue', null, ['Nordlicht AG', 'Elbwerk GmbH', 'Jens Koch', 'Anna Müller']],
    ['city,name', null, ['Elbwerk GmbH', 'Anna Müller', 'Nordlicht AG', 'Jens Koch']],
    ['name', 0, []],
  ])('iterate with sortSql(%j), limit %j', (sort, limit, names) => {
    const listed = [...store.profiles.iterate({ filter: null, orderBy: sortSql(sort), limit })].map((p) => p.name);
    expect(listed).toEqual(names);
  });

  it('iterate and count apply a filter, including one on the company side of the link', () => {
    const atElbwerk = { sql: "(CASE WHEN p.kind = 'company' THEN p.name ELSE c.name END) = ? COLLATE NOCASE", params: ['elbwerk gmbh'] };
    expect([...store.profiles.iterate({ filter: atElbwerk, orderBy: sortSql('name'), limit: null })].map((p) => p.id)).toEqual([elbwerk, jens]);
    expect(store.profiles.count(atElbwerk)).toBe(2);
    expect(store.profiles.count(null)).toBe(4);
  });

  it('delete removes the profile and unlinks its contacts', () => {
    store.profiles.delete(elbwerk);
    expect(store.profiles.byId(elbwerk)).toBeUndefined();
    expect(store.profiles.byId(jens)).toMatchObject({ company_id: null, company: null });
  });

  it('touch changes updated_at only', () => {
    store.profiles.touch(nord, LATER);
    expect(store.profiles.byId(nord)).toMatchObject({ name: 'Nordlicht AG', revenue: 100, created_at: NOW, updated_at: LATER });
  });
});
