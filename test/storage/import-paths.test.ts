/**
 * A bulk load (an empty file: indexes set aside, rows found through what it loaded) and the
 * batched import (through the indexes) must decide every row alike: keys, rows without a key
 * matched by name to a profile no earlier row claimed (none: a new profile), key contacts'
 * companies, ASCII-only case folding as SQLite's NOCASE does it, and rejections.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { importFile } from '../../src/app/import-file.js';
import { IdIndex } from '../../src/app/id-index.js';
import { emptyDraft } from '../../src/domain/profile.js';
import { nocase } from '../../src/storage/db.js';
import { type Store, openStore } from '../../src/storage/store.js';

let dir: string;
const stores: Store[] = [];
beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'custfile-paths-'));
});
afterEach(() => {
  for (const s of stores.splice(0)) s.db.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

const CSV = [
  'email,kind,company,first_name,last_name,name,phone,city,tags',
  'a@example.org,person,Bäckerei Schmidt GmbH,Jörg,Müller,,0351 1,Dresden,vip',
  ',person,,Eva,Lang,,,Leipzig,',
  ',person,,Eva,Lang,,,Görlitz,newsletter', // no key, same name: the one above is that row's, so a second Eva Lang
  'A@EXAMPLE.ORG,person,,Jörg,Müller,,,Dresden,b2c', // NOCASE e-mail: the first row again
  'info@baeckerei.de,company,,,,Bäckerei Schmidt GmbH,0351 2,Dresden,b2b', // fills in the company made for the contact
  'x@example.org,person,BÄCKEREI SCHMIDT GMBH,Ute,Kern,,,Dresden,', // not NOCASE-equal: a new company
  'y@example.org,person,bäckerei schmidt gmbh,Uwe,Kern,,,Dresden,', // NOCASE-equal: the same company
  ',person,,Max,Muster,,,Berlin,',
  'max@example.org,person,,Max,Muster,,,Bonn,', // a key: a new profile, and now "Max Muster" is two
  ',person,,Max,Muster,,,Köln,', // both of that name are earlier rows': a new one again
  'info@baeckerei.de,person,,Tim,Bäcker,,,Dresden,', // the key belongs to a company: rejected
  'bad@example.org,person,,Ann,Alt,,,Dresden,,x', // ragged (text beyond the header): rejected
].join('\n');

/** Imports CSV into a new file by one path; what it reported and what the file holds after. */
async function contents(bulk: boolean, key: string, times = 1) {
  const file = path.join(dir, `in-${bulk}-${key}.csv`);
  fs.writeFileSync(file, `${CSV}\n`);
  const store = openStore(path.join(dir, `db-${bulk}-${key}.db`), { write: true });
  stores.push(store);
  const ctx = { store, clock: { today: () => '2026-11-26', now: () => '2026-11-26T08:00:00.000Z' }, source: 'import:test' };
  let report = await importFile(ctx, { file, key, onConflict: 'update', dryRun: false, atomic: false, bulk });
  for (let i = 1; i < times; i++) report = await importFile(ctx, { file, key, onConflict: 'update', dryRun: false, atomic: false, bulk });
  const rows = store.db.sqlite
    .prepare('SELECT p.kind, p.name, p.email, p.city, p.tags, c.name AS company FROM profiles p LEFT JOIN profiles c ON c.id = p.company_id ORDER BY p.id')
    .all();
  const history = store.db.sqlite.prepare('SELECT profile_id, action, field, old_value, new_value FROM history ORDER BY id').all();
  return { r: { ...report, seconds: 0, file: '' }, rows, history };
}

describe('bulk load and batched import decide alike', () => {
  for (const key of ['email', 'phone', 'external_id']) {
    it(`key ${key}`, async () => {
      const bulk = await contents(true, key);
      const batched = await contents(false, key);
      expect(bulk).toEqual(batched);
      if (key === 'email') {
        expect(bulk.rows).toHaveLength(10);
        expect((bulk.r as { rejected: number }).rejected).toBe(2);
        expect((bulk.rows as { name: string; city: string }[]).filter((p) => p.name === 'Max Muster').map((p) => p.city)).toEqual(['Berlin', 'Bonn', 'Köln']);
        expect((bulk.rows as { name: string; city: string }[]).filter((p) => p.name === 'Eva Lang').map((p) => p.city)).toEqual(['Leipzig', 'Görlitz']);
        expect((bulk.rows as { kind: string }[]).filter((p) => p.kind === 'company')).toHaveLength(2);
      }
    });
  }

  it('importing a file again pairs each row without a key with its own profile: nothing changes', async () => {
    const file = path.join(dir, 'names.csv');
    fs.writeFileSync(file, 'Vorname;Nachname;Ort;Telefon;E-Mail\nAnna;Schmidt;Berlin;030 1;\nAnna;Schmidt;München;089 2;\nAnna;Schmidt;Bonn;;anna@example.org\nAnna;Schmidt;Köln;0221 3;\n');
    for (const bulk of [true, false]) {
      const store = openStore(path.join(dir, `names-${bulk}.db`), { write: true });
      stores.push(store);
      if (!bulk) store.write(() => store.profiles.insert({ ...emptyDraft('company'), name: 'Vorher GmbH' }, '2026-11-25T08:00:00.000Z'));
      const ctx = { store, clock: { today: () => '2026-11-26', now: () => '2026-11-26T08:00:00.000Z' }, source: 'import:test' };
      const run = () => importFile(ctx, { file, onConflict: 'update', dryRun: false, atomic: false });
      expect(await run(), `bulk ${bulk}`).toMatchObject({ inserted: 4, updated: 0 });
      const cities = () => store.db.sqlite.prepare("SELECT city FROM profiles WHERE kind = 'person' ORDER BY id").pluck().all();
      expect(cities()).toEqual(['Berlin', 'München', 'Bonn', 'Köln']);
      const history = store.db.sqlite.prepare('SELECT count(*) FROM history').pluck().get();
      expect(await run(), `bulk ${bulk}`).toMatchObject({ inserted: 0, updated: 0, unchanged: 4 });
      expect(cities()).toEqual(['Berlin', 'München', 'Bonn', 'Köln']);
      expect(store.db.sqlite.prepare('SELECT count(*) FROM history').pluck().get()).toBe(history);
    }
  });
});

describe('rows without a key value in a file that has the key column', () => {
  it('are other profiles than those with a key value, even when the keyed row comes later', async () => {
    const store = openStore(path.join(dir, 'keyed.db'), { write: true });
    stores.push(store);
    const ctx = { store, clock: { today: () => '2026-11-26', now: () => '2026-11-26T08:00:00.000Z' }, source: 'import:test' };
    const run = async (name: string, text: string) => {
      const file = path.join(dir, name);
      fs.writeFileSync(file, text);
      return importFile(ctx, { file, onConflict: 'update', dryRun: false, atomic: false });
    };
    await run('k3.csv', 'first_name,last_name,email,city\nAnna,Schmidt,a@example.org,Berlin\n');
    const k4 = 'first_name,last_name,email,city\nAnna,Schmidt,,Hamburg\nAnna,Schmidt,a@example.org,Berlin\n';
    expect(await run('k4.csv', k4)).toMatchObject({ inserted: 1, updated: 0, unchanged: 1, repeated: 0 });
    expect(await run('k4.csv', k4)).toMatchObject({ inserted: 0, updated: 0, unchanged: 2, repeated: 0 });
    expect(store.db.sqlite.prepare('SELECT email, city FROM profiles ORDER BY id').all()).toEqual([
      { email: 'a@example.org', city: 'Berlin' },
      { email: null, city: 'Hamburg' },
    ]);
    // a file without an e-mail column matches by name whoever has it
    expect(await run('names.csv', 'Vorname;Nachname;Ort\nAnna;Schmidt;Berlin\n')).toMatchObject({ inserted: 0, unchanged: 1 });
  });
});

describe('a company renamed', () => {
  it('keeps the contacts whose rows name it as it was called, also when the rename comes in the same import after another company was looked up', async () => {
    const store = openStore(path.join(dir, 'renamed.db'), { write: true });
    stores.push(store);
    const ctx = { store, clock: { today: () => '2026-11-26', now: () => '2026-11-26T08:00:00.000Z' }, source: 'import:test' };
    const run = async (name: string, rows: string[]) => {
      const file = path.join(dir, name);
      fs.writeFileSync(file, `external_id,kind,company,first_name,last_name\n${rows.join('\n')}\n`);
      return importFile(ctx, { file, onConflict: 'update', dryRun: false, atomic: false, bulk: false });
    };
    await run('a.csv', ['C1,company,Elbwerk GmbH,,', 'P1,person,Elbwerk GmbH,Jens,Koch']);
    // a contact of a new company first (its lookup reads the former names), then the rename, then a contact by the old name
    const r = await run('b.csv', ['P2,person,Neu AG,Ute,Neu', 'C1,company,Elbwerk Pumpen GmbH,,', 'P3,person,Elbwerk GmbH,Ida,Ost']);
    expect(r).toMatchObject({ inserted: 2, companiesCreated: 1 });
    const companyOf = (id: string) => store.db.sqlite.prepare('SELECT c.external_id FROM profiles p JOIN profiles c ON c.id = p.company_id WHERE p.external_id = ?').pluck().get(id);
    expect([companyOf('P1'), companyOf('P3')]).toEqual(['C1', 'C1']);
    expect(store.db.sqlite.prepare("SELECT count(*) FROM profiles WHERE kind = 'company'").pluck().get()).toBe(2);
  });
});

describe('many rows of one name without a key', () => {
  it('pair with their own profiles across batches (the name\'s ids kept between rows, forgotten at each commit)', async () => {
    const store = openStore(path.join(dir, 'annas.db'), { write: true });
    stores.push(store);
    const ctx = { store, clock: { today: () => '2026-11-26', now: () => '2026-11-26T08:00:00.000Z' }, source: 'import:test' };
    const file = path.join(dir, 'annas.csv');
    const rows = Array.from({ length: 300 }, (_, i) => `Anna,Schmidt,C${i}`);
    fs.writeFileSync(file, `first_name,last_name,city\n${rows.join('\n')}\n`);
    const run = () => importFile(ctx, { file, onConflict: 'update', dryRun: false, atomic: false, batchSize: 70, bulk: false });
    expect(await run()).toMatchObject({ inserted: 300 });
    // one changed row in the middle of a batch: only it is updated, and on its own profile
    rows[150] = 'Anna,Schmidt,Neustadt';
    fs.writeFileSync(file, `first_name,last_name,city\n${rows.join('\n')}\n`);
    expect(await run()).toMatchObject({ inserted: 0, updated: 1, unchanged: 299 });
    const cities = store.db.sqlite.prepare('SELECT city FROM profiles ORDER BY id').pluck().all() as string[];
    expect(cities[150]).toBe('Neustadt');
    expect(cities.filter((c) => c !== 'Neustadt')).toEqual(Array.from({ length: 300 }, (_, i) => `C${i}`).filter((c) => c !== 'C150'));
  });
});

describe('IdIndex', () => {
  /** A table of id → key, as the rows would answer. */
  function rows() {
    const stored = new Map<number, string>();
    return {
      stored,
      source: {
        keyOf: (id: number) => stored.get(id),
        idsOf: (key: string) => [...stored].filter(([, k]) => k === key).map(([id]) => id).sort((a, b) => a - b),
      },
    };
  }

  it('finds what was added, counts a second id, and keeps that through growth', () => {
    const { stored, source } = rows();
    const index = new IdIndex(source);
    for (let id = 1; id <= 5000; id++) {
      stored.set(id, `k${id}`);
      index.add(`k${id}`, id);
    }
    for (let id = 1; id <= 5000; id += 97) expect(index.get(`k${id}`)).toEqual({ id, many: false });
    expect(index.get('k0')).toBeUndefined();
    stored.set(6000, 'k7');
    index.add('k7', 6000);
    expect(index.get('k7')).toEqual({ id: 7, many: true });
    for (let id = 6001; id <= 12000; id++) {
      stored.set(id, `k${id}`);
      index.add(`k${id}`, id);
    }
    expect(index.get('k7')).toEqual({ id: 7, many: true });
    expect(index.get('k11999')).toEqual({ id: 11999, many: false });
    expect(() => index.add('big', 2 ** 31)).toThrow(RangeError);
  });

  it('follows renames: the count drops, and a first id that left is found again', () => {
    const { stored, source } = rows();
    const index = new IdIndex(source);
    for (const [id, k] of [[1, 'eva'], [2, 'eva'], [3, 'eva'], [4, 'max']] as const) {
      stored.set(id, k);
      index.add(k, id);
    }
    // 1 is renamed to max: eva is 2 and 3 (first unknown until asked), max is 1 and 4
    stored.set(1, 'max');
    index.remove('eva', 1);
    index.add('max', 1);
    expect(index.get('eva')).toEqual({ id: 2, many: true });
    expect(index.get('max')).toEqual({ id: 1, many: true });
    // 3 leaves too: eva is 2 alone again
    stored.set(3, 'ute');
    index.remove('eva', 3);
    index.add('ute', 3);
    expect(index.get('eva')).toEqual({ id: 2, many: false });
    // and 2: nobody is eva; a new eva is found
    stored.set(2, 'ann');
    index.remove('eva', 2);
    expect(index.get('eva')).toBeUndefined();
    stored.set(9, 'eva');
    index.add('eva', 9);
    expect(index.get('eva')).toEqual({ id: 9, many: false });
  });

  it('a single match is read back, so keys that collide in all 64 bits are not merged', () => {
    const index = new IdIndex({ keyOf: () => 'something else', idsOf: () => [] });
    index.add('a@example.org', 1);
    expect(index.get('a@example.org')).toBeUndefined();
  });

  it('nocase folds ASCII letters only, as SQLite does', () => {
    expect(nocase('Bäckerei ÄÖÜ GmbH')).toBe('bäckerei ÄÖÜ gmbh');
    expect(nocase('A@EXAMPLE.ORG')).toBe('a@example.org');
  });
});
