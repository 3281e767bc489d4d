/**
 * An import killed with SIGKILL half-way leaves a consistent file: whole rows with their history
 * and tags, every index in place, integrity ok. Run for the bulk path (empty file: one
 * transaction) and the batched path (a file that has profiles already).
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type Sandbox, BIN, sandbox } from './helpers.js';

let sb: Sandbox;
beforeEach(() => {
  sb = sandbox();
});
afterEach(() => sb.cleanup());

function writeCsv(file: string, rows: number): void {
  const lines = ['external_id,first_name,last_name,email,city,postcode,tags,company'];
  for (let i = 0; i < rows; i++) {
    lines.push(`C-${i},Jörg${i},Müller,j${i}@example.org,Dresden,0${1000 + (i % 8000)},${i % 2 ? '"vip,newsletter"' : ''},${i % 10 === 0 ? `Firma ${i % 50} GmbH` : ''}`);
  }
  fs.writeFileSync(file, `${lines.join('\n')}\n`);
}

/** The CLI in its own process on the sandbox's file: its stderr as it comes, and how it ended. */
function startCli(args: string[]) {
  const child = spawn(process.execPath, [BIN, '--db', sb.db, ...args], { stdio: ['ignore', 'ignore', 'pipe'], env: { ...process.env, CUSTFILE_DB: undefined } as NodeJS.ProcessEnv });
  let stderr = '';
  child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
  const ended = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => child.on('close', (code, signal) => resolve({ code, signal })));
  return { child, stderr: () => stderr, ended };
}

/** Polls `check` until it holds or `ms` have passed. */
async function waitUntil(check: () => boolean, ms = 20_000, stepMs = 20): Promise<void> {
  const until = Date.now() + ms;
  while (Date.now() < until && !check()) await new Promise((r) => setTimeout(r, stepMs));
}

const rowsIn = (table: 'profiles' | 'sales') => sb.query<{ n: number }>(`SELECT count(*) AS n FROM ${table}`)[0]!.n;

const EXPECTED_INDEXES = ['profiles_email', 'profiles_name', 'profiles_city', 'profiles_industry', 'profiles_company', 'profiles_birthdays', 'profiles_next_contact', 'profiles_fresh_on', 'history_profile', 'history_at', 'history_field'];

/**
 * Runs the import and kills it once `underWay()` says it is writing (polled), or after `latestMs`.
 * Not after a fixed delay: 40,000 rows took less than that once CSV parsing got faster, and the
 * kill came after the end. The close listener is there from the start, so that an import that ends
 * first does not leave the test waiting for an event that has fired.
 */
async function killDuringImport(file: string, underWay: () => boolean, latestMs = 10_000, extra: string[] = []): Promise<void> {
  const run = startCli(['import', file, ...extra]);
  let closed = false;
  void run.ended.then(() => (closed = true));
  await waitUntil(() => closed || underWay(), latestMs, 5);
  run.child.kill('SIGKILL');
  await run.ended;
}

/**
 * The file and its write-ahead log have grown past `bytes`: a transaction is writing (its pages
 * spill to the log).
 */
const writtenOver = (bytes: number) => () => {
  const size = (f: string) => {
    try {
      return fs.statSync(f).size;
    } catch {
      return 0;
    }
  };
  return size(sb.db) + size(`${sb.db}-wal`) > bytes;
};

function expectConsistent(): number {
  const profiles = sb.query<{ n: number }>('SELECT count(*) AS n FROM profiles')[0]!.n;
  expect(sb.query<{ n: number }>("SELECT count(*) AS n FROM history WHERE action = 'create'")[0]!.n).toBe(profiles);
  expect(sb.query('SELECT p.id FROM profiles p WHERE NOT EXISTS (SELECT 1 FROM history h WHERE h.profile_id = p.id)')).toEqual([]);
  const tagRows = sb.query<{ n: number }>('SELECT count(*) AS n FROM profile_tags')[0]!.n;
  const expectedTags = sb.query<{ n: number }>('SELECT count(*) AS n FROM profiles p, json_each(p.tags)')[0]!.n;
  expect(tagRows).toBe(expectedTags);
  const indexes = sb.query<{ name: string }>("SELECT name FROM sqlite_schema WHERE type = 'index'").map((r) => r.name);
  for (const name of EXPECTED_INDEXES) expect(indexes).toContain(name);
  expect(sb.query("SELECT name FROM sqlite_schema WHERE type = 'trigger' AND name = 'profiles_tags_insert'")).toHaveLength(1);
  expect(sb.query('PRAGMA integrity_check')).toEqual([{ integrity_check: 'ok' }]);
  return profiles;
}

describe('a first import while other commands run', () => {
  // cron's `custfile remind` must not fail because a first import happens to be loading: the
  // load is one transaction, and a reader sees the file as it was before it
  it('a reading command during the bulk load reads the empty file at once, exit 0', async () => {
    const file = path.join(sb.dir, 'big.csv');
    writeCsv(file, 150_000);
    expect(sb.run(['add', 'company', '--name', 'Platzhalter GmbH']).code).toBe(0);
    expect(sb.run(['forget', 'Platzhalter GmbH', '--yes']).code).toBe(0); // an empty file, made
    const child = spawn(process.execPath, [BIN, '--db', sb.db, 'import', file], { stdio: 'ignore', env: { ...process.env, CUSTFILE_DB: undefined } as NodeJS.ProcessEnv });
    const done = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
    const size = fs.statSync(sb.db).size;
    const until = Date.now() + 20_000;
    // pages of the load have spilled out of its cache into the file or the log
    while (Date.now() < until && !writtenOver(size + (4 << 20))()) await new Promise((r) => setTimeout(r, 5));
    const started = Date.now();
    const read = sb.run(['list', '--format', 'csv']);
    const took = Date.now() - started;
    const code = await done;
    expect(read.code, read.stderr).toBe(0);
    expect(read.stdout.trim().split('\n')).toHaveLength(1); // the header alone: the file as it was
    expect(took).toBeLessThan(1500); // no wait for the load's lock
    expect(code).toBe(0);
    expect(sb.query<{ n: number }>('SELECT count(*) AS n FROM profiles')[0]!.n).toBe(150_000 + 5);
  });
});

describe('an import killed half-way', () => {
  it('bulk path (empty file): nothing or everything, indexes intact', async () => {
    const file = path.join(sb.dir, 'big.csv');
    writeCsv(file, 40_000);
    sb.run(['check']); // creates nothing; the import below creates the file
    // in the bulk load's one transaction
    await killDuringImport(file, writtenOver(2 << 20));
    if (!fs.existsSync(sb.db)) return; // killed before the file was made: nothing to check
    // the next command (any, even a reading one) opens the file after a killed load
    const next = sb.run(['list', '--format', 'csv']);
    expect(next.code, next.stderr).toBe(0);
    expect(fs.existsSync(`${sb.db}-journal`)).toBe(false);
    expect(sb.query<{ journal_mode: string }>('PRAGMA journal_mode')).toEqual([{ journal_mode: 'wal' }]);
    const n = expectConsistent();
    expect([0, 40_000 + 5]).toContain(n);
    // and the import can simply be run again
    const again = sb.run(['import', file]);
    expect(again.code, again.stderr).toBe(0);
    expect(expectConsistent()).toBe(40_000 + 5);
  });

  it('a first sales import (one transaction, trigger and indexes set aside): no sale or all, derived fields in step', async () => {
    const profiles = path.join(sb.dir, 'profiles.csv');
    writeCsv(profiles, 2_000);
    expect(sb.run(['import', profiles]).code).toBe(0);
    const sales = path.join(sb.dir, 'umsatz.csv');
    const rows = 150_000;
    const lines = ['Kundennr;Datum;Betrag;Artikel'];
    for (let i = 0; i < rows; i++) lines.push(`C-${(i * 7919) % 2_000};2025-0${1 + (i % 9)}-${String(1 + (i % 28)).padStart(2, '0')};${i % 500},${String(i % 100).padStart(2, '0')};Posten ${i % 37}`);
    fs.writeFileSync(sales, `${lines.join('\n')}\n`);
    const size = fs.statSync(sb.db).size;
    await killDuringImport(sales, writtenOver(size + (1 << 20)), 10_000, ['--sales']);
    expect(sb.run(['list', '--format', 'csv']).code).toBe(0); // the next command recovers the file
    const recorded = sb.query<{ n: number }>('SELECT count(*) AS n FROM sales')[0]!.n;
    expect([0, rows]).toContain(recorded);
    const derived = () => {
      const stored = sb.query('SELECT id, sales_total_cents AS t, sales_count AS n, last_sale AS d FROM profiles ORDER BY id');
      const expected = sb.query(
        'SELECT p.id, coalesce(sum(s.amount_cents), 0) AS t, count(s.id) AS n, max(s.date) AS d FROM profiles p LEFT JOIN sales s ON s.profile_id = p.id GROUP BY p.id ORDER BY p.id',
      );
      expect(stored).toEqual(expected);
    };
    derived();
    const schema = sb.query<{ name: string }>("SELECT name FROM sqlite_schema WHERE tbl_name = 'sales' AND name NOT LIKE 'sqlite_%' ORDER BY name").map((r) => r.name);
    expect(schema).toEqual(['sales', 'sales_date', 'sales_delete', 'sales_insert', 'sales_profile', 'sales_update']);
    expect(sb.query('PRAGMA integrity_check')).toEqual([{ integrity_check: 'ok' }]);
    // run again: all of it, once
    const again = sb.run(['import', sales, '--sales']);
    expect(again.code, again.stderr).toBe(0);
    expect(sb.query<{ n: number }>('SELECT count(*) AS n FROM sales')[0]!.n).toBe(rows);
    derived();
  });

  it('batched path (file with profiles): whole batches only', async () => {
    sb.run(['add', 'company', '--name', 'Vorher GmbH']);
    const file = path.join(sb.dir, 'big.csv');
    writeCsv(file, 40_000);
    // after the first whole batches
    await killDuringImport(file, () => sb.query<{ n: number }>('SELECT count(*) AS n FROM profiles')[0]!.n > 1);
    const n = expectConsistent();
    expect(n).toBeGreaterThanOrEqual(1);
    const again = sb.run(['import', file]);
    expect(again.code, again.stderr).toBe(0);
    expect(expectConsistent()).toBe(1 + 40_000 + 5);
  });
});

describe('Ctrl-C or a kill of an import that commits in batches', () => {
  it('stops after a batch, says how many rows are in, exits 130, and a second run goes on', async () => {
    expect(sb.run(['add', 'person', '--first-name', 'Seed', '--last-name', 'X', '--no-input']).code).toBe(0);
    const file = path.join(sb.dir, 'many.csv');
    writeCsv(file, 120_000);
    const run = startCli(['import', file]);
    // wait for a committed batch: the count grows past the seed
    await waitUntil(() => rowsIn('profiles') > 1);
    run.child.kill('SIGTERM');
    expect((await run.ended).code).toBe(130);
    const m = /Stopped by SIGTERM\. ([\d,]+) rows were imported before that/.exec(run.stderr());
    expect(m, run.stderr()).not.toBeNull();
    const imported = Number(m![1]!.replace(/,/g, ''));
    expect(imported).toBeGreaterThan(0);
    expect(imported).toBeLessThan(120_000);
    expect(sb.query("SELECT count(*) AS n FROM profiles WHERE kind = 'person'")).toEqual([{ n: imported + 1 }]);
    const again = sb.run(['import', file]);
    expect(again.code, again.stderr).toBe(0);
    expect(again.stderr).toMatch(new RegExp(`inserted ${120_000 - imported}, updated 0, unchanged ${imported}`));
  });

  it('a lock held past the busy timeout stops it with exit 5, naming the rows already in', async () => {
    expect(sb.run(['add', 'person', '--first-name', 'Seed', '--last-name', 'X', '--no-input']).code).toBe(0);
    const file = path.join(sb.dir, 'many.csv');
    writeCsv(file, 120_000);
    const run = startCli(['import', file]);
    await waitUntil(() => rowsIn('profiles') > 1);
    // another program takes the write lock and keeps it
    const holder = new Database(sb.db, { timeout: 10_000 });
    holder.exec('BEGIN IMMEDIATE');
    try {
      expect((await run.ended).code).toBe(5);
    } finally {
      holder.exec('ROLLBACK');
      holder.close();
    }
    expect(run.stderr()).toMatch(/is locked by another process\. [\d,]+ rows were imported before that \(an import commits in batches\); running the same import again goes on from there\./);
    expect(run.stderr()).not.toMatch(/nothing was changed/);
  }, 30_000);
});

describe('Ctrl-C of a backup', () => {
  it('removes the copy and leaves no backup, also when it comes while SQLite copies', async () => {
    const file = path.join(sb.dir, 'many.csv');
    writeCsv(file, 60_000);
    expect(sb.run(['import', file]).code).toBe(0);
    const target = path.join(sb.dir, 'b.db');
    const run = startCli(['backup', target]);
    await waitUntil(() => fs.readdirSync(sb.dir).some((f) => f.startsWith('.b.db.') && f.endsWith('.tmp')), 10_000, 2);
    run.child.kill('SIGINT');
    const { code, signal } = await run.ended;
    expect(signal === 'SIGINT' || code === 130, `code ${code}, signal ${signal}`).toBe(true);
    expect(fs.existsSync(target)).toBe(false);
    expect(fs.readdirSync(sb.dir).filter((f) => f.includes('.tmp'))).toEqual([]);
  }, 30_000);
});

describe('Ctrl-C or a kill of a sales import that commits in batches', () => {
  it('stops after a batch with exit 130 and says how many sales are in', async () => {
    const people = path.join(sb.dir, 'people.csv');
    writeCsv(people, 500);
    expect(sb.run(['import', people]).code).toBe(0);
    expect(sb.run(['sale', 'C-1', '10', '--date', '2026-01-01']).code).toBe(0); // not the first sales import: batched
    const lines = ['external_id,date,amount,item'];
    for (let i = 0; i < 150_000; i++) lines.push(`C-${i % 500},2025-${String(1 + (i % 12)).padStart(2, '0')}-${String(1 + (i % 28)).padStart(2, '0')},${(i % 997) + 0.5},Artikel ${i}`);
    const file = path.join(sb.dir, 'sales.csv');
    fs.writeFileSync(file, `${lines.join('\n')}\n`);
    const run = startCli(['import', file, '--sales']);
    await waitUntil(() => rowsIn('sales') > 1);
    run.child.kill('SIGTERM');
    expect((await run.ended).code).toBe(130);
    const m = /Stopped by SIGTERM\. ([\d,]+) sales were imported before that/.exec(run.stderr());
    expect(m, run.stderr()).not.toBeNull();
    expect(rowsIn('sales')).toBe(Number(m![1]!.replace(/,/g, '')) + 1);
  }, 60_000);
});
