/**
 * A CSV parsed in the worker thread (CUSTFILE_WORKER_MIN_BYTES=0 sends every file there, when
 * the database has profiles: a first import into an empty file is parsed on the main thread)
 * gives exactly what the main-thread parse gives: the same profiles, history, report, rejects and
 * errors. The in-process test below drives the worker bundle directly, with the question about
 * unknown columns.
 */
import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openCsvInWorker } from '../../src/app/import-in-worker.js';
import type { ImportRecord } from '../../src/app/import-profiles.js';
import { type Sandbox, sandbox } from './helpers.js';

const WORKER = path.resolve('dist/cli/import-worker.cjs');
const IN_WORKER = { CUSTFILE_WORKER_MIN_BYTES: '0' };
const ON_MAIN = { CUSTFILE_WORKER_MIN_BYTES: String(1 << 30) };

let sb: Sandbox;
beforeEach(() => {
  sb = sandbox();
});
afterEach(() => sb.cleanup());

/** Profiles and history without the clock's timestamps. */
function contents(db: string): string {
  const conn = new Database(db, { readonly: true, fileMustExist: true });
  try {
    // every column but the clock's (the two runs write at different times)
    const columns = (conn.prepare('SELECT name FROM pragma_table_xinfo(?)').all('profiles') as { name: string }[]).map((c) => c.name).filter((c) => !['created_at', 'updated_at', 'fresh_on'].includes(c));
    const profiles = conn.prepare(`SELECT ${columns.join(', ')} FROM profiles ORDER BY id`).raw().all().map((r) => JSON.stringify(r));
    const history = conn.prepare('SELECT profile_id, action, field, old_value, new_value, source FROM history ORDER BY id').raw().all().map((r) => JSON.stringify(r));
    const tags = conn.prepare('SELECT * FROM profile_tags ORDER BY 1, 2').raw().all().map((r) => JSON.stringify(r));
    return [...profiles, ...history, ...tags].join('\n');
  } finally {
    conn.close();
  }
}

/** A database with one profile: imports into it are not first imports, and parse in the worker. */
function seeded(db: string): string {
  const r = sb.run(['--db', db, 'add', 'company', '--name', 'Platzhalter GmbH']);
  expect(r.code, r.stderr).toBe(0);
  return db;
}

function bigCsv(file: string, rows: number): void {
  const lines = ['external_id,kind,company,first_name,last_name,email,postcode,city,birthday,revenue,tags,notes'];
  for (let i = 0; i < rows; i++) {
    const company = `Bäckerei ${i % 40} GmbH`;
    if (i % 10 === 0) lines.push(`K-${i},company,${company},,,info${i % 40}@baeckerei.de,0${1000 + (i % 8000)},Görlitz,,"1.234.567,89",b2b,`);
    else lines.push(`K-${i},person,${i % 3 ? company : ''},Jörg${i},Müller,j${i % 997}@example.org,0${1000 + i},Dresden,${i % 7 ? `1980-0${1 + (i % 9)}-1${i % 10}` : '1980-02-30'},,${i % 2 ? '"vip,newsletter"' : ''},"a ""quoted"" note, with
a line break"`);
  }
  fs.writeFileSync(file, `${lines.join('\r\n')}\r\n`);
}

describe('import in a worker thread', () => {
  it('gives the same file, report and rejects as the main-thread parse, new rows and again', () => {
    const file = path.join(sb.dir, 'big.csv');
    bigCsv(file, 3001); // the last batch is not a full one
    const results = [IN_WORKER, ON_MAIN].map((env, n) => {
      const db = seeded(path.join(sb.dir, `db${n}.db`));
      const rejects = path.join(sb.dir, `rejects${n}.csv`);
      const first = sb.run(['--db', db, 'import', file, '--rejects', rejects], { env });
      const again = sb.run(['--db', db, 'import', file], { env });
      const strip = (s: string) => s.replace(/ in [\d.]+ s \([\d,]+ rows\/s\)/, '').replace(rejects, 'REJECTS');
      return { first: [first.code, strip(first.stdout), strip(first.stderr)], again: [again.code, strip(again.stdout), strip(again.stderr)], db: contents(db), rejects: fs.readFileSync(rejects, 'utf8') };
    });
    expect(results[0]!.first[0]).toBe(4); // the 30 February rows
    expect(results[0]!.rejects.split('\n').length).toBeGreaterThan(100);
    expect(results[0]!.db.length).toBeGreaterThan(100_000);
    expect(results[0]!.first).toEqual(results[1]!.first);
    expect(results[0]!.again).toEqual(results[1]!.again);
    expect(results[0]!.rejects).toEqual(results[1]!.rejects);
    expect(results[0]!.db).toEqual(results[1]!.db);
  });

  it('an unclosed quote stops with the same message and writes nothing', () => {
    const file = path.join(sb.dir, 'broken.csv');
    bigCsv(file, 500);
    fs.appendFileSync(file, 'K-x,person,,Eva,"Never closed,e@example.org\r\n');
    const seen = [IN_WORKER, ON_MAIN].map((env, n) => {
      const db = seeded(path.join(sb.dir, `b${n}.db`));
      const before = contents(db);
      const r = sb.run(['--db', db, 'import', file, '--atomic'], { env });
      return [r.code, r.stderr, contents(db) === before];
    });
    expect(seen[0]![0]).toBe(4);
    expect(seen[0]![1]).toMatch(/broken\.csv line \d+: a quoted cell is never closed/);
    expect(seen[0]![2]).toBe(true);
    expect(seen[0]).toEqual(seen[1]);
  });

  it('rows of 200 KB notes: the worker reads ahead within its memory', () => {
    const file = path.join(sb.dir, 'notes.csv');
    const note = 'Lieferung besprochen, Angebot folgt. '.repeat(5500).trim(); // ~200 KB
    const fd = fs.openSync(file, 'w');
    fs.writeSync(fd, 'email,first_name,last_name,notes\n');
    for (let i = 0; i < 300; i++) fs.writeSync(fd, `p${i}@example.org,Eva,Lang${i},"${note}"\n`);
    fs.closeSync(fd);
    seeded(sb.db);
    const r = sb.run(['import', file], { env: IN_WORKER });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/inserted 300,/);
    expect(sb.query<{ n: number }>('SELECT count(*) AS n FROM profiles WHERE length(notes) = ?', note.length)[0]!.n).toBe(300);
  });

  it('a missing file is exit 1 naming it', () => {
    const r = sb.run(['import', path.join(sb.dir, 'nope.csv')], { env: IN_WORKER });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/nope\.csv/);
  });

  it('the worker asks about unknown columns and sends batches in file order', async () => {
    const file = path.join(sb.dir, 'unknown.csv');
    const lines = ['Vorname;Nachname;Lieblingsfarbe;Umsatz'];
    for (let i = 0; i < 2500; i++) lines.push(`Jörg${i};Müller;Grün;1.234,5${i % 10}`);
    fs.writeFileSync(file, `${lines.join('\n')}\n`);
    const asked: string[][] = [];
    const source = await openCsvInWorker(WORKER, { file, label: file, ask: true, unmapped: false }, async (headers) => {
      asked.push(headers);
      return { Lieblingsfarbe: 'custom.farbe' };
    });
    const all: ImportRecord[] = [];
    let batches = 0;
    for await (const batch of source.records) {
      batches++;
      all.push(...batch);
    }
    expect(asked).toEqual([['Lieblingsfarbe']]);
    expect(source.delimiter).toBe(';');
    expect(batches).toBeGreaterThan(1);
    expect(all.map((r) => r.line)).toEqual(Array.from({ length: 2500 }, (_, i) => i + 2));
    expect(all[7]!.result).toEqual({
      ok: true,
      values: { kind: 'person', set: [{ field: 'first_name', value: 'Jörg7' }, { field: 'last_name', value: 'Müller' }, { field: 'custom.Umsatz', value: '1.234,57' }, { field: 'custom.farbe', value: 'Grün' }] },
    });
  });
});
