/**
 * ProfileRepo.iteratePublicJson against toPublicRecord: SQLite writes the JSON of `list --format
 * json|ndjson`, and it must be byte for byte what JSON.stringify(toPublicRecord(profile)) gives,
 * for what custfile writes and for what other tools may have put in the file (those rows come
 * back as profiles, for the caller to serialise).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type Kind } from '../../src/domain/fields.js';
import { type Profile, type ProfileDraft, emptyDraft } from '../../src/domain/profile.js';
import { type Store, openStore } from '../../src/storage/store.js';
import { toPublicRecord } from '../../src/ui/records.js';
import { random } from '../seeded-random.js';

const NOW = '2026-11-22T10:00:00.000Z';
let dir: string;
let store: Store;
let umask: number;

beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'custfile-json-'));
  umask = process.umask(0o022);
  store = openStore(path.join(dir, 'c.db'), { write: true });
});
afterEach(() => {
  store.close();
  process.umask(umask);
  fs.rmSync(dir, { recursive: true, force: true });
});

function add(kind: Kind, fields: Partial<ProfileDraft>): number {
  return store.profiles.insert({ ...emptyDraft(kind), name: 'X', ...fields }, NOW);
}

function all(): (string | Profile)[] {
  return [...store.profiles.iteratePublicJson({ filter: null, orderBy: 'p.id', limit: null })];
}

/** Every row as the JavaScript path writes it, and as iteratePublicJson gives it. */
function compare(): { sqlite: number; fallback: number } {
  const rows = all();
  const ids = (store.db.sqlite.prepare('SELECT id FROM profiles ORDER BY id').all() as { id: number }[]).map((r) => r.id);
  expect(rows).toHaveLength(ids.length);
  let sqlite = 0;
  rows.forEach((row, i) => {
    const expected = JSON.stringify(toPublicRecord(store.profiles.byId(ids[i]!)!));
    if (typeof row === 'string') {
      sqlite++;
      expect(row, `profile ${ids[i]}`).toBe(expected);
    } else {
      expect(JSON.stringify(toPublicRecord(row))).toBe(expected);
    }
  });
  return { sqlite, fallback: rows.length - sqlite };
}


const ODD_TEXT = ['Müller', 'O\'Brien "Bob"', 'back\\slash', 'tab\there', 'line\nbreak', 'nul\u0000x', '\u2028\u2029', '😀 emoji', '\u00a0nbsp', '<>&', '', ' ', '\u0001\u001f\u007f', 'Łódź Ørsted ßtraße'];

describe('iteratePublicJson', () => {
  it('writes what custfile stores exactly as JSON.stringify(toPublicRecord()), all of it in SQLite', () => {
    const company = add('company', { name: 'Elbwerk GmbH', legal_form: 'GmbH', industry: 'Maschinenbau', revenue: 250000050, headcount: 40, tags: ['vip', 'key-account'], custom: { farbe: 'grün', '2024': 'x', 'a b': 'c' } });
    add('person', { name: 'Jens Koch', company_id: company, decision_maker: true, birthday: '1976-02-29', tags: ['say "hi"', 'back\\slash'] });
    add('person', { name: 'Anna Müller', decision_maker: false, birthday: '--03-12', notes: 'Rückruf, "bald"\nZeile 2' });
    const next = random(7);
    for (let i = 0; i < 300; i++) {
      const pick = () => ODD_TEXT[Math.floor(next() * ODD_TEXT.length)]!;
      add(next() < 0.5 ? 'company' : 'person', {
        name: `${pick()} ${i}`,
        city: next() < 0.3 ? null : pick(),
        notes: next() < 0.5 ? null : `${pick()}${pick()}`,
        revenue: next() < 0.3 ? null : Math.round((next() - 0.3) * 10 ** Math.floor(next() * 15)),
        headcount: next() < 0.5 ? null : Math.floor(next() * 1000),
        tags: next() < 0.4 ? [] : [pick(), `t${i}`],
        custom: next() < 0.7 ? {} : { [`k${i}`]: pick(), 'x y': pick() },
      });
    }
    const counts = compare();
    expect(counts.fallback).toBe(0);
  });

  it('writes money from integer cents as JavaScript writes cents / 100', () => {
    const cents = [0, 1, -1, 5, -5, 9, 10, -10, 99, 100, -100, 101, 150, -150, 12345, 31_000_00, 999_999_999_999_999, -999_999_999_999_999];
    const next = random(11);
    for (let i = 0; i < 2000; i++) cents.push(Math.round((next() - 0.5) * 10 ** Math.floor(next() * 16)));
    const update = store.db.sqlite.prepare('UPDATE profiles SET revenue_cents = ?, sales_total_cents = ? WHERE id = ?');
    for (const c of cents) update.run(c, -c, add('company', {}));
    expect(compare().fallback).toBe(0);
  });

  it('leaves to JavaScript the rows SQLite would write otherwise, and they come out the same', () => {
    const sql = store.db.sqlite;
    sql.pragma('foreign_keys = OFF'); // company_id beyond 2^53 points nowhere
    const set = (column: string, value: unknown) => sql.prepare(`UPDATE profiles SET ${column} = ? WHERE id = ?`).run(value, add('company', { name: column }));
    set('headcount', 1.5); // a REAL in an integer column
    set('headcount', 2 ** 60); // beyond 2^53
    set('revenue_cents', 10 ** 16); // money of more than 15 digits
    set('revenue_cents', 12.5);
    set('company_id', 9007199254740993);
    expect(compare()).toEqual({ sqlite: 0, fallback: 5 });
    // text where numbers belong is written as text by both
    set('headcount', 'viele');
    set('revenue_cents', 'unbekannt');
    expect(compare()).toEqual({ sqlite: 2, fallback: 5 });
  });

  it('after a BLOB, which json_object() refuses, the rest comes from JavaScript, the same', () => {
    for (let i = 0; i < 5; i++) add('company', { name: `before ${i}` });
    const blob = add('company', { name: 'blob' });
    store.db.sqlite.prepare('UPDATE profiles SET city = ? WHERE id = ?').run(Buffer.from('blob'), blob);
    for (let i = 0; i < 5; i++) add('company', { name: `after ${i}` });
    expect(compare()).toEqual({ sqlite: 5, fallback: 6 });
  });

  it('tags and custom fields JSON.stringify would write differently are parsed and written again', () => {
    const sql = store.db.sqlite;
    const raw = (tags: string, custom: string) => {
      const id = add('person', { name: 'raw' });
      sql.pragma('ignore_check_constraints = 1');
      sql.prepare('UPDATE profiles SET tags = ?, custom = ? WHERE id = ?').run(tags, custom, id);
    };
    raw('[ "a" , "b" ]', '{ "k" : "v" }');
    raw('["\\u00e9", 1.0, true, null]', '{"b":"x","1":"y","b":"z"}');
    raw('[["nested"]]', '{"n":{"m":1e0}}');
    expect(compare().fallback).toBe(0);
  });

  it('a row with tags that are not JSON fails as the JavaScript path fails', () => {
    const id = add('person', { name: 'broken' });
    // custfile's trigger refuses such tags; another tool may have dropped it
    store.db.sqlite.exec('DROP TRIGGER profiles_tags_update');
    store.db.sqlite.prepare("UPDATE profiles SET tags = '[oops' WHERE id = ?").run(id);
    const fromRepo = (() => {
      try {
        all();
      } catch (err) {
        return (err as Error).message;
      }
      return 'no error';
    })();
    expect(() => store.profiles.byId(id)).toThrow(fromRepo);
  });

  it('keeps order and limit', () => {
    for (const name of ['b', 'a', 'c']) add('company', { name });
    const rows = [...store.profiles.iteratePublicJson({ filter: null, orderBy: 'p.name', limit: 2 })] as string[];
    expect(rows.map((r) => (JSON.parse(r) as { name: string }).name)).toEqual(['a', 'b']);
  });
});
