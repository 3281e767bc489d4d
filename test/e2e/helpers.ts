/**
 * Runs the built binary (bin/custfile → dist/) against a temporary database, never the user's
 * real data folder: HOME and XDG_DATA_HOME point into the temp folder and CUSTFILE_DB is unset.
 */
import { spawn, spawnSync } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
export const BIN = path.join(ROOT, 'bin', 'custfile');

export interface RunResult {
  code: number;
  stdout: string;
  stderr: string;
}

export interface RunOptions {
  env?: Record<string, string | undefined>;
  input?: string | Buffer;
  cwd?: string;
}

export interface Sandbox {
  dir: string;
  db: string;
  /** Runs custfile with --db pointing at this sandbox's file. */
  run(args: string[], options?: RunOptions): RunResult;
  runAsync(args: string[], options?: RunOptions): Promise<RunResult>;
  /** Opens the database file for assertions (read-only). */
  query<T = Record<string, unknown>>(sql: string, ...params: unknown[]): T[];
  cleanup(): void;
}

function baseEnv(dir: string, extra: Record<string, string | undefined> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, HOME: dir, XDG_DATA_HOME: path.join(dir, 'xdg'), NO_COLOR: undefined, FORCE_COLOR: undefined, CUSTFILE_DEBUG: undefined, CUSTFILE_DB: undefined, TZ: process.env.TZ ?? 'UTC' };
  for (const [k, v] of Object.entries(extra)) {
    if (v === undefined) delete env[k];
    else env[k] = v;
  }
  for (const k of Object.keys(env)) if (env[k] === undefined) delete env[k];
  return env;
}

export function runBin(args: string[], dir: string, options: RunOptions = {}): RunResult {
  const r = spawnSync(process.execPath, [BIN, ...args], {
    cwd: options.cwd ?? dir,
    env: baseEnv(dir, options.env),
    input: options.input ?? '',
    encoding: 'utf8',
    maxBuffer: 256 * 1024 * 1024,
  });
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

export function runBinAsync(args: string[], dir: string, options: RunOptions = {}): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], { cwd: options.cwd ?? dir, env: baseEnv(dir, options.env), stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code: code ?? -1, stdout, stderr }));
    child.stdin.end(options.input ?? '');
  });
}

export function sandbox(): Sandbox {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'custfile-test-'));
  const db = path.join(dir, 'customers.db');
  return {
    dir,
    db,
    run: (args, options) => runBin(['--db', db, ...args], dir, options),
    runAsync: (args, options) => runBinAsync(['--db', db, ...args], dir, options),
    query<T>(sql: string, ...params: unknown[]): T[] {
      const conn = new Database(db, { readonly: true, fileMustExist: true });
      try {
        return conn.prepare(sql).all(...params) as T[];
      } finally {
        conn.close();
      }
    },
    cleanup: () => fs.rmSync(dir, { recursive: true, force: true }),
  };
}

/** Every row of every table, as text: equal before and after means nothing was written. */
export function dumpDatabase(file: string): string {
  const conn = new Database(file, { readonly: true, fileMustExist: true });
  try {
    const tables = conn.prepare("SELECT name FROM sqlite_schema WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name").all() as { name: string }[];
    const parts: string[] = [];
    for (const { name } of tables) {
      parts.push(`## ${name}`);
      const rows = conn.prepare(`SELECT * FROM "${name}"`).raw().all().map((row) => JSON.stringify(row));
      parts.push(...rows.sort());
    }
    parts.push(`user_version=${conn.pragma('user_version', { simple: true })}`);
    parts.push(`integrity=${JSON.stringify(conn.pragma('integrity_check'))}`);
    return parts.join('\n');
  } finally {
    conn.close();
  }
}

export function sha256(file: string): string {
  return crypto.createHash('sha256').update(fs.readFileSync(file)).digest('hex');
}

/** Parses JSON output, failing the test with the output when it is not JSON. */
export function json<T = unknown>(r: RunResult): T {
  try {
    return JSON.parse(r.stdout) as T;
  } catch {
    throw new Error(`not JSON (exit ${r.code}): ${r.stdout}\n${r.stderr}`);
  }
}
