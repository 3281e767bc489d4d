/**
 * Re-imports and the import fingerprint (storage migration 0030): a row that would change nothing
 * is skipped without reading the profile, and that short cut decides exactly as the long way
 * (read, merge, compare) does, whatever happened to the profiles between the imports.
 */
import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type Sandbox, dumpDatabase, sandbox } from './helpers.js';

let sbs: Sandbox[] = [];
const fresh = () => {
  const sb = sandbox();
  sbs.push(sb);
  return sb;
};
beforeEach(() => {
  sbs = [];
});
afterEach(() => {
  for (const sb of sbs) sb.cleanup();
});

const CSV = [
  'external_id,kind,company,first_name,last_name,email,city,postcode,tags,revenue',
  'C-1,company,Elbwerk GmbH,,,info@elbwerk.de,Dresden,01067,b2b,"1.250.000,00"',
  'P-1,person,Elbwerk GmbH,Anna,Lang,anna@elbwerk.de,Dresden,01069,vip,',
  'P-2,person,Elbwerk GmbH,Jörg,Schröder,joerg@elbwerk.de,Dresden,01069,,',
  'P-3,person,,Bernd,Kurz,bernd@example.org,Leipzig,04109,"vip,newsletter",',
  'C-2,company,Saalewerk AG,,,info@saalewerk.de,Halle,06108,,',
  'P-4,person,Saalewerk AG,Eva,Roth,eva@saalewerk.de,Halle,06108,,',
  '',
].join('\n');

const RENAMING = [
  'external_id,kind,company,first_name,last_name,email',
  'C-1,company,Alt GmbH,,,alt@example.org',
  'C-9,company,Neu GmbH,,,neu@example.org',
  'P-2,person,Neu GmbH,Eva,Roth,eva@example.org',
  'C-1,company,Neu GmbH,,,alt@example.org',
  '',
].join('\n');

/** The key contacts' rows alone: a file that does not rename their companies back. */
const CONTACTS = CSV.split('\n').filter((line, i) => i === 0 || line.includes(',person,')).join('\n');

function writeCsv(sb: Sandbox, text = CSV): string {
  const file = path.join(sb.dir, 'kunden.csv');
  fs.writeFileSync(file, text);
  return file;
}

/** Every stored value but the clock's and the fingerprint: what a user can see. */
function visible(db: string): string {
  const conn = new Database(db, { readonly: true, fileMustExist: true });
  try {
    const columns = (conn.prepare('SELECT name FROM pragma_table_xinfo(?)').all('profiles') as { name: string }[])
      .map((c) => c.name)
      .filter((c) => !['created_at', 'updated_at', 'fresh_on', 'import_fp'].includes(c));
    const profiles = conn.prepare(`SELECT ${columns.join(', ')} FROM profiles ORDER BY id`).raw().all();
    const history = conn.prepare('SELECT profile_id, action, field, old_value, new_value, source FROM history ORDER BY id').raw().all();
    const tags = conn.prepare('SELECT * FROM profile_tags ORDER BY 1, 2').raw().all();
    return JSON.stringify({ profiles, history, tags }, null, 1);
  } finally {
    conn.close();
  }
}

function forgetFingerprints(db: string): void {
  const conn = new Database(db);
  try {
    conn.prepare('UPDATE profiles SET import_fp = NULL').run();
  } finally {
    conn.close();
  }
}

const counts = (stderr: string) => /inserted \d+, updated \d+, unchanged \d+, skipped \d+, rejected \d+/.exec(stderr)?.[0];

describe('re-importing a file', () => {
  it('an unchanged file: every row unchanged, nothing written (not even updated_at), WAL kept', () => {
    const sb = fresh();
    const file = writeCsv(sb);
    const first = sb.run(['import', file]);
    expect(first.code, first.stderr).toBe(0);
    expect(sb.query('SELECT id FROM profiles WHERE import_fp IS NULL')).toEqual([]); // every row vouched for
    expect(sb.query('PRAGMA journal_mode')).toEqual([{ journal_mode: 'wal' }]);
    const before = dumpDatabase(sb.db);
    const again = sb.run(['import', file]);
    expect(again.code, again.stderr).toBe(0);
    expect(counts(again.stderr)).toBe('inserted 0, updated 0, unchanged 6, skipped 0, rejected 0');
    expect(dumpDatabase(sb.db)).toBe(before);
  });

  // Each edit between the imports, done in two files alike; in the second, the fingerprints are
  // forgotten, so its re-import goes the long way for every row. Both must end the same.
  // [what, commands, the file imported again, the re-import's report]
  const edits: [string, string[][], string, string, string?][] = [
    ['a field changed by hand', [['update', 'P-1', '--set', 'city=Pirna']], CSV, 'updated 1, unchanged 5'],
    // the file does not clear what it leaves empty: nothing to do, both ways
    ['a field the file leaves empty set by hand', [['update', 'P-3', '--set', 'profession=Bäcker']], CSV, 'updated 0, unchanged 6'],
    ['a tag added and one removed', [['update', 'P-3', '--tag', '+kunde,-vip']], CSV, 'updated 1, unchanged 5'],
    ['the company renamed', [['update', 'C-1', '--set', 'name=Elbwerk Dresden GmbH']], CSV, 'updated 1, unchanged 5'],
    // the contacts' rows alone, naming the company as it was called: they stay with it
    ['the company renamed, its contacts imported alone', [['update', 'C-1', '--set', 'name=Elbwerk Dresden GmbH']], CONTACTS, 'inserted 0, updated 0, unchanged 4'],
    ['the company removed', [['remove', 'C-2', '--yes']], CSV, 'inserted 1, updated 1, unchanged 4'],
    // an older company takes the name of P-4's company: the import links P-4 to the first (lowest
    // id) company of the name, so P-4 moves, though neither P-4 nor its company was written; C-1's
    // own contacts name it as it was called and stay
    ['an older company renamed to a contact\'s company name', [['update', 'C-1', '--set', 'name=Saalewerk AG']], CONTACTS, 'updated 1, unchanged 3'],
    // a newer namesake changes nothing: the first of the name is still the same
    ['a newer company of the same name', [['add', 'company', '--name', 'Elbwerk GmbH']], CONTACTS, 'updated 0, unchanged 4'],
    ['nothing', [], CSV, 'updated 0, unchanged 6'],
    // inside one (bulk) load: C-1 takes the name of P-2's company C-9 after P-2 was linked to C-9;
    // the load builds the name index at its end, and only then forgets P-2's fingerprint
    ['a rename inside the first import', [], RENAMING.split('\n').filter((line, i) => i === 0 || line.includes(',person,')).join('\n'), 'updated 1, unchanged 0', RENAMING],
  ];
  // the short cut is taken on the main thread for small files, and from the records' heads when
  // a worker parses (CUSTFILE_WORKER_MIN_BYTES=0): both against the long way on the main thread
  for (const [what, commands, again, expected, first = CSV] of edits) for (const worker of [false, true]) {
    it(`after ${what}: the short cut decides as the long way does${worker ? ' (parsed in a worker)' : ''}`, () => {
      const results = [true, false].map((keep) => {
        const env = { CUSTFILE_WORKER_MIN_BYTES: keep && worker ? '0' : undefined };
        const sb = fresh();
        const file = writeCsv(sb, first);
        expect(sb.run(['import', file]).code).toBe(0);
        for (const args of commands) {
          const r = sb.run(args);
          expect(r.code, `${args.join(' ')}: ${r.stderr}`).toBe(0);
        }
        if (!keep) forgetFingerprints(sb.db);
        const second = path.join(sb.dir, 'again.csv');
        fs.writeFileSync(second, again);
        const reimport = sb.run(['import', second], { env });
        expect(reimport.code, reimport.stderr).toBe(0);
        return { report: counts(reimport.stderr), file: visible(sb.db), sb };
      });
      expect(results[0]!.report).toBe(results[1]!.report);
      expect(results[0]!.file).toBe(results[1]!.file);
      expect(results[0]!.report).toContain(expected);
      // the long way stored the fingerprints it found missing: a third import takes the short cut
      const third = results[1]!.sb.run(['import', path.join(results[1]!.sb.dir, 'again.csv')]);
      expect(counts(third.stderr)).toBe(`inserted 0, updated 0, unchanged ${results[1]!.sb.query<{ n: number }>('SELECT count(*) AS n FROM profiles WHERE import_fp IS NOT NULL')[0]!.n}, skipped 0, rejected 0`);
    });
  }

  // A worker sends a re-import's rows unmapped while most are unchanged and the main thread maps
  // those the short cut cannot skip, from their raw text; with most rows changed the worker maps
  // them again. 3,000 rows of CRLF text with line breaks inside quotes and a bare LF outside (data
  // in a CRLF file), the first half changed:
  // both ways must end as the main thread alone ends, with the same fingerprints.
  it('a big re-import, half changed, parsed in a worker: as on the main thread, fingerprints alike', () => {
    const row = (i: number, city: string) =>
      `K-${i},person,${i % 7 === 0 ? 'Elbwerk GmbH' : ''},Vor${i},Nach${i},"Straße ${i}\r\nHinterhaus\r",${city},0${1000 + (i % 900)},"Notiz ""${i}""\nzweite Zeile",Hof ${i}\nlinks`;
    const header = 'external_id,kind,company,first_name,last_name,street,city,postcode,notes,Lage';
    const text = (changed: number) => [header, ...Array.from({ length: 3000 }, (_, k) => row(k + 1, k < changed ? 'Görlitz' : 'Zittau')), ''].join('\r\n');
    const results = [true, false].map((worker) => {
      const sb = fresh();
      expect(sb.run(['import', writeCsv(sb, text(0))]).code).toBe(0);
      const env = { CUSTFILE_WORKER_MIN_BYTES: worker ? '0' : undefined };
      const again = sb.run(['import', writeCsv(sb, text(1500))], { env });
      expect(again.code, again.stderr).toBe(0);
      const third = sb.run(['import', writeCsv(sb, text(1500))], { env });
      return { report: counts(again.stderr), third: counts(third.stderr), file: visible(sb.db), fps: JSON.stringify(sb.query('SELECT id, import_fp FROM profiles ORDER BY id')) };
    });
    expect(results[0]!.report).toBe('inserted 0, updated 1500, unchanged 1500, skipped 0, rejected 0');
    expect(results[0]!.report).toBe(results[1]!.report);
    expect(results[0]!.file).toBe(results[1]!.file);
    expect(results[0]!.fps).toBe(results[1]!.fps);
    expect(results[0]!.third).toBe('inserted 0, updated 0, unchanged 3000, skipped 0, rejected 0');
    expect(results[1]!.third).toBe(results[0]!.third);
  });

  it('a first import while another program reads the file: the reader keeps its snapshot and the load completes', () => {
    const sb = fresh();
    expect(sb.run(['add', 'company', '--name', 'Platzhalter GmbH']).code).toBe(0);
    expect(sb.run(['forget', 'Platzhalter GmbH', '--yes']).code).toBe(0); // an empty file, made
    const reader = new Database(sb.db);
    try {
      reader.exec('BEGIN');
      expect(reader.prepare('SELECT count(*) AS n FROM profiles').get()).toEqual({ n: 0 }); // holds a snapshot
      const r = sb.run(['import', writeCsv(sb)]);
      expect(r.code, r.stderr).toBe(0);
      expect(counts(r.stderr)).toBe('inserted 6, updated 0, unchanged 0, skipped 0, rejected 0');
      expect(reader.prepare('SELECT count(*) AS n FROM profiles').get()).toEqual({ n: 0 }); // its snapshot stood
      reader.exec('COMMIT');
      expect(reader.prepare('SELECT count(*) AS n FROM profiles').get()).toEqual({ n: 6 });
      expect(reader.pragma('journal_mode', { simple: true })).toBe('wal');
    } finally {
      reader.close();
    }
  });

  it('a changed row is applied, and its new fingerprint stored', () => {
    const sb = fresh();
    expect(sb.run(['import', writeCsv(sb)]).code).toBe(0);
    const fp = sb.query<{ import_fp: number }>("SELECT import_fp FROM profiles WHERE external_id = 'P-4'")[0]!.import_fp;
    const changed = writeCsv(sb, CSV.replace('eva@saalewerk.de,Halle', 'eva@saalewerk.de,Merseburg'));
    const r = sb.run(['import', changed]);
    expect(counts(r.stderr)).toBe('inserted 0, updated 1, unchanged 5, skipped 0, rejected 0');
    const after = sb.query<{ city: string; import_fp: number }>("SELECT city, import_fp FROM profiles WHERE external_id = 'P-4'")[0]!;
    expect(after.city).toBe('Merseburg');
    expect(after.import_fp).not.toBe(fp);
    expect(sb.query("SELECT field, old_value, new_value FROM history WHERE action = 'update'")).toEqual([{ field: 'city', old_value: 'Halle', new_value: 'Merseburg' }]);
    expect(counts(sb.run(['import', changed]).stderr)).toBe('inserted 0, updated 0, unchanged 6, skipped 0, rejected 0');
  });

  it('fingerprints of another version (another seed): the long way once, unchanged, then the short cut again', () => {
    const sb = fresh();
    const file = writeCsv(sb);
    expect(sb.run(['import', file]).code).toBe(0);
    const fresh1 = sb.query<{ id: number; import_fp: number }>('SELECT id, import_fp FROM profiles ORDER BY id');
    const conn = new Database(sb.db);
    try {
      conn.prepare('UPDATE profiles SET import_fp = import_fp + 2').run(); // as another version would have made them
    } finally {
      conn.close();
    }
    const before = visible(sb.db);
    const again = sb.run(['import', file]);
    expect(counts(again.stderr)).toBe('inserted 0, updated 0, unchanged 6, skipped 0, rejected 0');
    expect(visible(sb.db)).toBe(before);
    expect(sb.query('SELECT id, import_fp FROM profiles ORDER BY id')).toEqual(fresh1); // stored anew
    const dump = dumpDatabase(sb.db);
    expect(counts(sb.run(['import', file]).stderr)).toBe('inserted 0, updated 0, unchanged 6, skipped 0, rejected 0');
    expect(dumpDatabase(sb.db)).toBe(dump);
  });

  it('every way in finds an unchanged file unchanged and writes nothing: stdin, xlsx, --dry-run, the worker', () => {
    const sb = fresh();
    const file = writeCsv(sb);
    expect(sb.run(['import', file]).code).toBe(0);
    const before = dumpDatabase(sb.db);
    const unchanged = 'inserted 0, updated 0, unchanged 6, skipped 0, rejected 0';
    const viaStdin = sb.run(['import', '-'], { input: fs.readFileSync(file) });
    expect(counts(viaStdin.stderr), viaStdin.stderr).toBe(unchanged);
    const dry = sb.run(['import', file, '--dry-run']);
    expect(dry.stderr).toMatch(/would insert 0, would update 0, unchanged 6, skipped 0, rejected 0/);
    const worker = sb.run(['import', file], { env: { CUSTFILE_WORKER_MIN_BYTES: '0' } });
    expect(counts(worker.stderr), worker.stderr).toBe(unchanged);
    expect(dumpDatabase(sb.db)).toBe(before);

    const other = fresh();
    const xlsx = path.join(other.dir, 'kunden.xlsx');
    expect(sb.run(['export', '--format', 'xlsx', '--out', xlsx]).code).toBe(0);
    expect(other.run(['import', xlsx]).code).toBe(0);
    const imported = dumpDatabase(other.db);
    const again = other.run(['import', xlsx]);
    expect(counts(again.stderr), again.stderr).toBe(unchanged);
    expect(dumpDatabase(other.db)).toBe(imported);
  });

  it('--on-conflict skip through the worker, and a header alone: as on the main thread', () => {
    const results = [true, false].map((worker) => {
      const sb = fresh();
      const env = { CUSTFILE_WORKER_MIN_BYTES: worker ? '0' : undefined };
      expect(sb.run(['import', writeCsv(sb)]).code).toBe(0);
      const changed = writeCsv(sb, CSV.replace('Dresden,01069,vip', 'Pirna,01796,vip'));
      const skip = sb.run(['import', changed, '--on-conflict', 'skip'], { env });
      const header = path.join(sb.dir, 'leer.csv');
      fs.writeFileSync(header, `${CSV.split('\n')[0]}\n`);
      const empty = sb.run(['import', header], { env });
      return { skip: [skip.code, counts(skip.stderr)], empty: [empty.code, counts(empty.stderr)], file: visible(sb.db) };
    });
    expect(results[0]!.skip).toEqual([0, 'inserted 0, updated 0, unchanged 0, skipped 6, rejected 0']);
    expect(results[0]!.empty).toEqual([0, 'inserted 0, updated 0, unchanged 0, skipped 0, rejected 0']);
    expect(results[0]).toEqual(results[1]);
  });

  it('stdin bigger than a read, with line breaks in quotes: as the same file', () => {
    const rows = Array.from({ length: 2500 }, (_, i) => `P-${i},person,,Vor${i},Nach${i},p${i}@example.org,"Görlitz\nOberlausitz",0${2800 + (i % 99)},,`);
    const text = `${CSV.split('\n')[0]}\r\n${rows.join('\r\n')}\r\n`;
    expect(Buffer.byteLength(text)).toBeGreaterThan(3 * 65536);
    const [fromFile, fromStdin] = [false, true].map((stdin) => {
      const sb = fresh();
      const r = stdin ? sb.run(['import', '-'], { input: text }) : sb.run(['import', writeCsv(sb, text)]);
      expect(r.code, r.stderr).toBe(0);
      return visible(sb.db).replace(/import:[^"]*/g, 'import:SOURCE');
    });
    expect(fromStdin).toBe(fromFile);
    expect(fromFile).toContain('Görlitz\\nOberlausitz');
  });

  it('any other write forgets the fingerprint: an update leaves none on the profile it changes', () => {
    const sb = fresh();
    expect(sb.run(['import', writeCsv(sb)]).code).toBe(0);
    expect(sb.run(['update', 'P-1', '--set', 'role=Einkauf']).code).toBe(0);
    expect(sb.query("SELECT import_fp FROM profiles WHERE external_id = 'P-1'")).toEqual([{ import_fp: null }]);
    expect(sb.query("SELECT count(*) AS n FROM profiles WHERE import_fp IS NOT NULL")).toEqual([{ n: 5 }]);
  });
});
