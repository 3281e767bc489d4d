/**
 * Files a command writes never destroy what it reads or what was there: an export replaces its
 * file only when whole, and no output may be the customer file or an import's own input; and a
 * --db that is not a custfile database is left as it was.
 */
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { BIN, type Sandbox, dumpDatabase, runBin, sandbox, sha256 } from './helpers.js';

let box: Sandbox;
beforeEach(() => {
  box = sandbox();
  const csv = path.join(box.dir, 'base.csv');
  fs.writeFileSync(csv, 'external_id,first_name,last_name,email\nE1,Anna,Müller,anna@example.org\nE2,Bernd,Schulz,bernd@example.org\n');
  expect(box.run(['import', csv, '-q']).code).toBe(0);
});
afterEach(() => box.cleanup());

describe('export --out', () => {
  it('refuses the customer file itself and its journal, leaving the file whole', () => {
    const before = dumpDatabase(box.db);
    for (const target of [box.db, `${box.db}-wal`, path.join(box.dir, '.', path.basename(box.db))]) {
      const r = box.run(['export', '--format', 'json', '--out', target]);
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(/--out .* is the customer file/);
    }
    // through a symbolic link too
    const link = path.join(box.dir, 'link.db');
    fs.symlinkSync(box.db, link);
    expect(box.run(['export', '--out', link]).code).toBe(2);
    expect(dumpDatabase(box.db)).toBe(before);
    // and a --db that is a link: SQLite names its journal after the real file
    const other = path.join(box.dir, 'via-link.db');
    fs.symlinkSync(box.db, other);
    expect(box.run(['update', 'E1', '--set', 'city=Walstadt']).code).toBe(0);
    const withWal = dumpDatabase(box.db);
    expect(runBin(['--db', other, 'export', '--out', `${box.db}-wal`], box.dir).code).toBe(2);
    expect(runBin(['--db', other, 'export', '--out', `${box.db}-shm`], box.dir).code).toBe(2);
    expect(dumpDatabase(box.db)).toBe(withWal);
  });

  it('a failed export leaves an earlier file as it was, and makes no file where there was none', () => {
    const keep = path.join(box.dir, 'keep.csv');
    fs.writeFileSync(keep, 'precious\n');
    const failures: [string[], number][] = [
      [['--where', 'city = '], 4],
      [['--kind', 'robot'], 2],
      [['--segment', 'nosuch'], 3],
      [['--subject', 'nobody@example.org', '--format', 'json'], 3],
    ];
    for (const [args, code] of failures) {
      const r = box.run(['export', ...args, '--out', keep]);
      expect(r.code, args.join(' ')).toBe(code);
      expect(fs.readFileSync(keep, 'utf8')).toBe('precious\n');
      const fresh = path.join(box.dir, 'fresh.csv');
      expect(box.run(['export', ...args, '--out', fresh]).code).toBe(code);
      expect(fs.existsSync(fresh)).toBe(false);
    }
    expect(fs.readdirSync(box.dir).filter((f) => f.endsWith('.tmp'))).toEqual([]);
  });

  it('a good export replaces the file, keeps its permissions, and writes a new one owner-only', () => {
    const keep = path.join(box.dir, 'old.csv');
    fs.writeFileSync(keep, 'old\n');
    fs.chmodSync(keep, 0o640);
    expect(box.run(['export', '--out', keep]).code).toBe(0);
    expect(fs.readFileSync(keep, 'utf8')).toContain('anna@example.org');
    expect(fs.statSync(keep).mode & 0o777).toBe(0o640);
    const fresh = path.join(box.dir, 'new.xlsx');
    expect(box.run(['export', '--out', fresh]).code).toBe(0);
    expect(fs.statSync(fresh).mode & 0o777).toBe(0o600);
    expect(fs.readFileSync(fresh).subarray(0, 2).toString()).toBe('PK');
    // a link is followed: the file it points to gets the export
    const real = path.join(box.dir, 'real.json');
    fs.writeFileSync(real, '');
    const link = path.join(box.dir, 'out.json');
    fs.symlinkSync(real, link);
    expect(box.run(['export', '--out', link]).code).toBe(0);
    expect(fs.lstatSync(link).isSymbolicLink()).toBe(true);
    expect(JSON.parse(fs.readFileSync(real, 'utf8'))).toHaveLength(2);
    // a link to a file not made yet: made where it points, the link stays
    const dangling = path.join(box.dir, 'later.json');
    fs.symlinkSync('made-later.json', dangling);
    expect(box.run(['export', '--out', dangling]).code).toBe(0);
    expect(fs.lstatSync(dangling).isSymbolicLink()).toBe(true);
    expect(JSON.parse(fs.readFileSync(path.join(box.dir, 'made-later.json'), 'utf8'))).toHaveLength(2);
    // through a chain of such links too
    fs.mkdirSync(path.join(box.dir, 'final'));
    fs.symlinkSync('mid.json', path.join(box.dir, 'top.json'));
    fs.symlinkSync('final/out.json', path.join(box.dir, 'mid.json'));
    expect(box.run(['export', '--out', path.join(box.dir, 'top.json')]).code).toBe(0);
    expect(fs.lstatSync(path.join(box.dir, 'mid.json')).isSymbolicLink()).toBe(true);
    expect(JSON.parse(fs.readFileSync(path.join(box.dir, 'final', 'out.json'), 'utf8'))).toHaveLength(2);
    // a name as long as a name may be (255 bytes): the temporary file's name does not grow from it
    const long = path.join(box.dir, `${'x'.repeat(250)}.json`);
    expect(box.run(['export', '--out', long]).code).toBe(0);
    expect(JSON.parse(fs.readFileSync(long, 'utf8'))).toHaveLength(2);
  });
});

describe('export --out a descriptor', () => {
  it('/dev/stdout is written in place: what the shell writes after it survives', () => {
    const file = path.join(box.dir, 'shell.json');
    const r = spawnSync('sh', ['-c', `{ "${process.execPath}" "${BIN}" --db "${box.db}" export --format json --out /dev/stdout; echo TRAILER; } > "${file}"`], { encoding: 'utf8' });
    expect(r.status, r.stderr).toBe(0);
    const text = fs.readFileSync(file, 'utf8');
    expect(text.endsWith('TRAILER\n')).toBe(true);
    expect(JSON.parse(text.slice(0, -'TRAILER\n'.length))).toHaveLength(2);
  });
});

describe('export --out, stopped', () => {
  it('a kill while it writes leaves the earlier file as it was and no temporary file', async () => {
    const csv = path.join(box.dir, 'many.csv');
    const rows = Array.from({ length: 40_000 }, (_, i) => `X${i},Person${i},Nr ${i},p${i}@example.org,Some notes about person ${i} that make the export longer`);
    fs.writeFileSync(csv, `external_id,first_name,last_name,email,notes\n${rows.join('\n')}\n`);
    expect(box.run(['import', csv, '-q']).code).toBe(0);
    const out = path.join(box.dir, 'out.json');
    fs.writeFileSync(out, 'OLD\n');
    const child = spawn(process.execPath, [BIN, '--db', box.db, 'export', '--format', 'json', '--out', out], { stdio: 'ignore' });
    const exited = new Promise<NodeJS.Signals | null>((resolve) => child.on('exit', (_code, signal) => resolve(signal)));
    // stop it once its temporary file is there (it is made before the first profile is read)
    const temp = () => fs.readdirSync(box.dir).filter((f) => f.endsWith('.tmp'));
    for (let i = 0; i < 2000 && temp().length === 0 && child.exitCode === null; i++) await new Promise((r) => setTimeout(r, 2));
    expect(temp()).toHaveLength(1);
    child.kill('SIGTERM');
    expect(await exited).toBe('SIGTERM');
    expect(fs.readFileSync(out, 'utf8')).toBe('OLD\n');
    expect(temp()).toEqual([]);
  });
});

describe('import --rejects', () => {
  it('refuses the customer file and the file being imported; neither is touched', () => {
    const bad = path.join(box.dir, 'bad.csv');
    fs.writeFileSync(bad, 'external_id,first_name,email\nE4,Dora,not-an-address\nE5,Emil,emil@example.org\n');
    const before = dumpDatabase(box.db);
    const input = sha256(bad);
    for (const target of [box.db, bad]) {
      const r = box.run(['import', bad, '--rejects', target]);
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(/--rejects .* is (the customer file itself|the file being imported)/);
    }
    const sales = path.join(box.dir, 'sales.csv');
    fs.writeFileSync(sales, 'external_id,date,amount\nE1,2026-01-02,10\nE9,2026-01-02,5\n');
    const salesBefore = sha256(sales);
    expect(box.run(['import', sales, '--sales', '--rejects', sales]).code).toBe(2);
    expect(box.run(['import', sales, '--sales', '--rejects', box.db]).code).toBe(2);
    expect(dumpDatabase(box.db)).toBe(before);
    expect(sha256(bad)).toBe(input);
    expect(sha256(sales)).toBe(salesBefore);
  });
});

describe('--db naming a file that is not a custfile database', () => {
  it("another program's SQLite file is refused, by reading and writing commands alike, and left byte for byte", async () => {
    const { default: Database } = await import('better-sqlite3');
    const other = path.join(box.dir, 'places.sqlite');
    const conn = new Database(other);
    conn.exec('CREATE TABLE moz_places (id INTEGER PRIMARY KEY, url TEXT); INSERT INTO moz_places (url) VALUES (\'https://example.org\');');
    conn.close();
    fs.chmodSync(other, 0o644);
    const before = sha256(other);
    for (const args of [['list'], ['add', 'company', '--name', 'Acme'], ['check']]) {
      const r = box.run(['--db', other, ...args]);
      expect(r.code, args.join(' ')).toBe(1);
      expect(r.stderr.trim()).toBe(`custfile: ${other} is an SQLite database of another program, not a custfile database; it was left untouched.`);
    }
    expect(sha256(other)).toBe(before);
    expect(fs.statSync(other).mode & 0o777).toBe(0o644);
  });

  it('a file that is no database keeps its bytes and its permissions', () => {
    const script = path.join(box.dir, 'script.sh');
    fs.writeFileSync(script, '#!/bin/sh\necho hi\n');
    fs.chmodSync(script, 0o755);
    const r = box.run(['--db', script, 'list']);
    expect(r.code).toBe(1);
    expect(r.stderr).not.toMatch(/permissions are now/);
    expect(fs.statSync(script).mode & 0o777).toBe(0o755);
    expect(fs.readFileSync(script, 'utf8')).toBe('#!/bin/sh\necho hi\n');
  });

  it('a custfile database is marked as one, and one from before the mark still opens and gets it', async () => {
    const appId = () => box.query<{ application_id: number }>('PRAGMA application_id')[0]!.application_id;
    expect(appId()).toBe(0x63757374);
    const { default: Database } = await import('better-sqlite3');
    const conn = new Database(box.db);
    conn.pragma('application_id = 0');
    conn.close();
    expect(box.run(['list', '--format', 'json']).stdout).toContain('anna@example.org');
    expect(appId()).toBe(0);
    expect(box.run(['update', 'E1', '--set', 'city=Dresden']).code).toBe(0);
    expect(appId()).toBe(0x63757374);
  });
});

describe('backup FILE', () => {
  it('never renames its copy over a pipe or a device, and writes through a link to its file', () => {
    const fifo = path.join(box.dir, 'pipe');
    expect(spawnSync('mkfifo', [fifo]).status).toBe(0);
    const r = box.run(['backup', fifo]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/is not a regular file/);
    expect(fs.lstatSync(fifo).isFIFO()).toBe(true);
    const real = path.join(box.dir, 'real.db');
    const link = path.join(box.dir, 'link.db');
    fs.symlinkSync('real.db', link);
    expect(box.run(['backup', link]).code).toBe(0);
    expect(fs.lstatSync(link).isSymbolicLink()).toBe(true);
    expect(dumpDatabase(real)).toBe(dumpDatabase(box.db));
    // nothing left beside it
    expect(fs.readdirSync(box.dir).filter((f) => f.includes('.tmp'))).toEqual([]);
  });
});
