/**
 * How bin/custfile starts the bundle: with the V8 code cache the build trained, and exactly the
 * same without it. A copy of bin/ and dist/ in a temp folder is tampered with, never the build.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROOT } from './helpers.js';

let dir: string;
let bundle: string;
let cache: string;
let db: string;

function run(args: string[], env: Record<string, string> = {}) {
  const r = spawnSync(process.execPath, [path.join(dir, 'bin', 'custfile'), ...args], {
    cwd: dir,
    env: { ...process.env, HOME: dir, XDG_DATA_HOME: dir, TZ: 'UTC', CUSTFILE_DEBUG: '', CUSTFILE_CODE_CACHE: '', ...env },
    input: '',
    encoding: 'utf8',
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** What becomes of the cache (bin/custfile's CUSTFILE_CODE_CACHE=check line). */
function cacheStatus(): string {
  return /code cache (.*)\n/.exec(run(['--version'], { CUSTFILE_CODE_CACHE: 'check' }).stderr)?.[1] ?? '(no line)';
}

/** The commands whose output must not depend on the cache. */
function outputs() {
  return [
    run(['--help']),
    run(['--db', db, 'birthdays', '--within', '0d', '--on', '2026-03-14']),
    run(['--db', db, 'list', '--format', 'ndjson']),
    run(['--db', db, 'show', '1']),
    run(['--db', db, 'show', 'nobody']),
    run(['nosuch']),
  ];
}

let expected: ReturnType<typeof outputs>;
let goodCache: Buffer;

beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'custfile-startup-'));
  fs.cpSync(path.join(ROOT, 'bin'), path.join(dir, 'bin'), { recursive: true });
  fs.cpSync(path.join(ROOT, 'dist'), path.join(dir, 'dist'), { recursive: true });
  fs.copyFileSync(path.join(ROOT, 'package.json'), path.join(dir, 'package.json'));
  fs.symlinkSync(path.join(ROOT, 'node_modules'), path.join(dir, 'node_modules'), 'dir');
  bundle = path.join(dir, 'dist', 'cli', 'custfile.cjs');
  cache = `${bundle}.cache`;
  goodCache = fs.readFileSync(cache);
  db = path.join(dir, 'c.db');
  expect(run(['--db', db, 'add', 'company', '--name', 'Elbwerk GmbH', '--city', 'Dresden']).code).toBe(0);
  expect(run(['--db', db, 'add', 'contact', '--company', 'Elbwerk GmbH', '--name', 'Jens Koch', '--birthday', '1976-03-14']).code).toBe(0);
  expect(run(['--db', db, 'add', 'person', '--first-name', 'Jürgen', '--last-name', 'Müller', '--birthday', '--03-14']).code).toBe(0);
  expected = outputs();
});

afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

describe('the code cache', () => {
  it('is there after a build, and V8 takes it', () => {
    expect(cacheStatus()).toBe('accepted');
    expect(expected[1]!.stdout).toContain('Jürgen Müller');
  });

  it('missing: the bundle is compiled, and every output is the same', () => {
    fs.rmSync(cache);
    try {
      expect(cacheStatus()).toBe('missing');
      expect(outputs()).toEqual(expected);
    } finally {
      fs.writeFileSync(cache, goodCache);
    }
  });

  it('rejected by V8 (damaged, or of another Node): ignored without a word', () => {
    const header = goodCache.subarray(0, goodCache.indexOf(10) + 1);
    fs.writeFileSync(cache, Buffer.concat([header, Buffer.alloc(4096, 7)]));
    try {
      expect(cacheStatus()).toBe('rejected');
      expect(outputs()).toEqual(expected);
    } finally {
      fs.writeFileSync(cache, goodCache);
    }
  });

  it("of another build (another id): not handed to V8, which checks only the source's length", () => {
    fs.writeFileSync(cache, Buffer.concat([Buffer.from(`${'0'.repeat(64)}\n`), goodCache.subarray(65)]));
    try {
      expect(cacheStatus()).toBe('stale');
      expect(outputs()).toEqual(expected);
    } finally {
      fs.writeFileSync(cache, goodCache);
    }
  });

  it('a bundle without a build id runs without a cache', () => {
    const source = fs.readFileSync(bundle, 'utf8');
    fs.writeFileSync(bundle, source.replace(/\/\/ custfile-build: [0-9a-f]{64}\n$/, ''));
    try {
      expect(cacheStatus()).toBe('no build id');
      expect(outputs()).toEqual(expected);
    } finally {
      fs.writeFileSync(bundle, source);
    }
  });

  it('CUSTFILE_CODE_CACHE=off leaves it aside', () => {
    expect(/code cache (.*)\n/.exec(run(['--version'], { CUSTFILE_CODE_CACHE: 'off' }).stderr)).toBeNull();
    expect(run(['--help'], { CUSTFILE_CODE_CACHE: 'off' })).toEqual(expected[0]);
  });

  it('the bundle has no dynamic import(), which has no loader under vm.Script', () => {
    expect(fs.readFileSync(bundle, 'utf8')).not.toMatch(/\bimport\s*\(/);
  });
});

describe("better-sqlite3's addon", () => {
  it('is found where better-sqlite3 itself would find it, when it is not in build/Release', () => {
    // a copy of the install whose better-sqlite3 keeps its addon in build/ (one of the places
    // the `bindings` package looks), not build/Release/ where storage/db.ts looks first
    const root = fs.mkdtempSync(path.join(os.tmpdir(), 'custfile-addon-'));
    try {
      fs.cpSync(path.join(ROOT, 'bin'), path.join(root, 'bin'), { recursive: true });
      fs.cpSync(path.join(ROOT, 'dist'), path.join(root, 'dist'), { recursive: true });
      fs.copyFileSync(path.join(ROOT, 'package.json'), path.join(root, 'package.json'));
      const modules = path.join(root, 'node_modules');
      fs.mkdirSync(modules);
      for (const name of fs.readdirSync(path.join(ROOT, 'node_modules'))) {
        if (name !== 'better-sqlite3') fs.symlinkSync(path.join(ROOT, 'node_modules', name), path.join(modules, name));
      }
      const real = path.join(ROOT, 'node_modules', 'better-sqlite3');
      const copy = path.join(modules, 'better-sqlite3');
      fs.mkdirSync(path.join(copy, 'build'), { recursive: true });
      fs.copyFileSync(path.join(real, 'package.json'), path.join(copy, 'package.json'));
      fs.cpSync(path.join(real, 'lib'), path.join(copy, 'lib'), { recursive: true });
      fs.copyFileSync(path.join(real, 'build', 'Release', 'better_sqlite3.node'), path.join(copy, 'build', 'better_sqlite3.node'));
      const bin = path.join(root, 'bin', 'custfile');
      const file = path.join(root, 'c.db');
      const env = { ...process.env, HOME: root, XDG_DATA_HOME: root, CUSTFILE_DEBUG: '' };
      const add = spawnSync(process.execPath, [bin, '--db', file, 'add', 'person', '--first-name', 'Anna', '--last-name', 'Müller'], { env, encoding: 'utf8' });
      expect(add.stderr).toBe('Added person #1 Anna Müller.\n');
      expect(add.status).toBe(0);
      const backup = spawnSync(process.execPath, [bin, '--db', file, 'backup', path.join(root, 'copy.db')], { env, encoding: 'utf8' });
      expect(backup.status, backup.stderr).toBe(0);
      const list = spawnSync(process.execPath, [bin, '--db', path.join(root, 'copy.db'), 'list', '--format', 'ndjson'], { env, encoding: 'utf8' });
      expect(list.status, list.stderr).toBe(0);
      expect(JSON.parse(list.stdout)).toMatchObject({ id: 1, name: 'Anna Müller' });
      // and it was this copy's addon: without it, nothing opens
      fs.rmSync(path.join(copy, 'build', 'better_sqlite3.node'));
      expect(spawnSync(process.execPath, [bin, '--db', file, 'list'], { env, encoding: 'utf8' }).status).toBe(1);
    } finally {
      fs.rmSync(root, { recursive: true, force: true });
    }
  });
});
