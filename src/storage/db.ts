/**
 * Opens the customer file: location, permissions, probe, pragmas, migrations; and the two ways
 * to run work against it (`read`, `write`), which turn SQLite's errors into the user's.
 */
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import Database from 'better-sqlite3';
import { AppError, FileError, LockedError } from '../errors.js';
import { tagIdentity } from '../domain/values.js';
import { MIGRATIONS } from './migrations/index.js';
import { migrate } from './migrations/runner.js';

export const BUSY_TIMEOUT_MS = 5000;

export interface OpenOptions {
  /** The command writes: create the file (and folder) when missing. */
  write: boolean;
  /** One-line notices for the user (permissions tightened). */
  notice?: (message: string) => void;
  busyTimeoutMs?: number;
}

export type SqliteDatabase = Database.Database;

/** An open customer file. */
export interface Db {
  readonly sqlite: SqliteDatabase;
  readonly path: string;
  /** True when the file does not exist and a reading command got an empty, in-memory file. */
  readonly ephemeral: boolean;
  close(): void;
}

const OWNER_ONLY_FILE = 0o600;
const OWNER_ONLY_DIR = 0o700;

/**
 * Makes the database and its -wal and -shm files owner-only, with one notice naming the database
 * (SQLite gives the -wal and -shm files the database's permissions).
 */
function tighten(file: string, notice?: (m: string) => void): void {
  let loose = false;
  let stuck = false;
  for (const f of [file, `${file}-wal`, `${file}-shm`]) {
    let stat: fs.Stats;
    try {
      stat = fs.statSync(f);
    } catch {
      continue;
    }
    if ((stat.mode & 0o077) === 0) continue;
    loose = true;
    try {
      fs.chmodSync(f, OWNER_ONLY_FILE);
    } catch {
      stuck = true;
    }
  }
  if (stuck) notice?.(`custfile: ${file} is readable by others and its permissions could not be tightened.`);
  else if (loose) notice?.(`custfile: ${file} was readable by others; its permissions are now owner-only (0600).`);
}

function isSqliteError(err: unknown): err is Error & { code: string } {
  const code = (err as { code?: unknown } | null)?.code;
  return err instanceof Error && typeof code === 'string' && code.startsWith('SQLITE_');
}

/** SQLite's errors in the user's words; anything else passes through. */
export function translateError(err: unknown, file: string): unknown {
  if (err instanceof AppError || !isSqliteError(err)) return err;
  const code = err.code;
  if (code.startsWith('SQLITE_BUSY') || code.startsWith('SQLITE_LOCKED')) {
    return new LockedError(file, { cause: err });
  }
  if (code === 'SQLITE_NOTADB' || code === 'SQLITE_CORRUPT') {
    return new FileError(`${file} is not a custfile database or is damaged; it was left untouched.`, { cause: err });
  }
  if (code === 'SQLITE_FULL') return new FileError(`the disk holding ${file} is full; nothing was changed.`, { cause: err });
  if (code.startsWith('SQLITE_READONLY') || code.startsWith('SQLITE_CANTOPEN') || code === 'SQLITE_PERM') {
    // SQLite also writes the -wal and -shm files beside it, so their folder must be writable too
    return new FileError(`${file} cannot be opened for writing; check the permissions of it, of ${path.basename(file)}-wal and ${path.basename(file)}-shm beside it, and of its folder.`, { cause: err });
  }
  if (code.startsWith('SQLITE_IOERR')) return new FileError(`${file} could not be read or written (${code}).`, { cause: err });
  return err;
}

/** SQLite's NOCASE: ASCII letters only, so code that matches as the indexes do folds alike. */
export function nocase(text: string): string {
  for (let i = 0; i < text.length; i++) {
    if (text.charCodeAt(i) > 127) return text.replace(/[A-Z]+/g, (m) => m.toLowerCase());
  }
  return text.toLowerCase();
}

/**
 * Letters that carry their accent in the letter itself, so NFD leaves them whole: folded by hand
 * to what people type without them (Øberg → oberg, Małgorzata → malgorzata, Yılmaz → yilmaz).
 */
const UNDECOMPOSED: Record<string, string> = {
  ø: 'o', ł: 'l', ı: 'i', đ: 'd', ð: 'd', þ: 'th', æ: 'ae', œ: 'oe', ħ: 'h', ŧ: 't', ŀ: 'l', ß: 'ss',
  ς: 'σ', // Greek final sigma is a sigma (ΟΔΥΣΣΕΥΣ lowercases to …σ, Οδυσσεύς ends in ς)
};
const UNDECOMPOSED_RE = new RegExp(`[${Object.keys(UNDECOMPOSED).join('')}]`, 'g');

/** Case- and accent-insensitive text for `~` (contains): "Müller" and "muller" fold alike. */
export function fold(value: unknown): string | null {
  if (value === null || value === undefined) return null;
  return String(value).normalize('NFD').replace(/\p{M}/gu, '').toLowerCase().replace(UNDECOMPOSED_RE, (c) => UNDECOMPOSED[c]!);
}

function registerFunctions(sqlite: SqliteDatabase): void {
  sqlite.function('fold', { deterministic: true }, fold);
  // a tag as tag edits compare it (domain tagIdentity)
  sqlite.function('tag_key', { deterministic: true }, (value: unknown) => (value === null || value === undefined ? null : tagIdentity(String(value))));
}

/**
 * The page cache of a reading command, in KiB: SQLite's own default. better-sqlite3 builds SQLite
 * with 16 MiB, and a query that visits many pages once (`list --where` on 1M profiles reads
 * ~30,000) fills it with fresh memory, page by page: ~4,000 page faults, 10 ms of a 200 ms run.
 * Writing commands keep the larger cache (imports revisit index pages).
 */
export const READ_CACHE_KIB = 2000;

/** `PRAGMA application_id` of a custfile database ("cust"), so another program's SQLite file is told apart. */
export const APPLICATION_ID = 0x63757374;

/**
 * Whether an SQLite file is custfile's to open: it says so (application_id), or it is empty (a new
 * file), or it is a custfile file from before the id (schema version set, with custfile's tables).
 * Anything else is another program's database, which custfile must not migrate or even touch.
 */
function isOurs(sqlite: SqliteDatabase): boolean {
  // one read transaction, one snapshot: read one by one, a new file that another custfile process
  // was creating meanwhile showed version 0 and then its tables, and looked like another program's
  return sqlite.transaction(() => {
    const id = sqlite.pragma('application_id', { simple: true }) as number;
    if (id === APPLICATION_ID) return true;
    if (id !== 0) return false;
    const version = sqlite.pragma('user_version', { simple: true }) as number;
    const tables = new Set((sqlite.prepare("SELECT name FROM sqlite_schema WHERE type = 'table'").all() as { name: string }[]).map((r) => r.name));
    if (version === 0) return tables.size === 0;
    return tables.has('profiles') && tables.has('history');
  })();
}

function configure(sqlite: SqliteDatabase, file: string, write: boolean): void {
  // Probe first: a file that is not a database, or another program's, must fail here, before any
  // pragma writes to it.
  let ours: boolean;
  try {
    ours = isOurs(sqlite);
  } catch (err) {
    throw translateError(err, file);
  }
  if (!ours) throw new FileError(`${file} is an SQLite database of another program, not a custfile database; it was left untouched.`);
  sqlite.pragma('journal_mode = WAL');
  sqlite.pragma('synchronous = NORMAL');
  sqlite.pragma('foreign_keys = ON');
  if (!write) sqlite.pragma(`cache_size = -${READ_CACHE_KIB}`);
  registerFunctions(sqlite);
}

/**
 * better-sqlite3's compiled addon, handed to it directly: its default lookup (the `bindings`
 * package) probes a dozen paths on every start (~5 ms that `custfile show` should not pay), and in
 * the CLI's bundle, which holds better-sqlite3's JavaScript, it would search beside the bundle
 * instead of better-sqlite3's folder. Normally the path of build/Release/better_sqlite3.node
 * (where npm builds or downloads it); else what `bindings` finds, looking in better-sqlite3's folder.
 */
declare const __filename: string | undefined;
let nativeBinding: string | object | undefined | null = null;
function sqliteAddon(): string | object | undefined {
  if (nativeBinding === null) {
    try {
      // the CLI is bundled as CommonJS (no import.meta there); tests and tools load the ES modules
      const here = typeof __filename === 'string' ? __filename : import.meta.url;
      const main = createRequire(here).resolve('better-sqlite3');
      const root = path.join(path.dirname(main), '..');
      const candidate = path.join(root, 'build', 'Release', 'better_sqlite3.node');
      nativeBinding = fs.existsSync(candidate)
        ? candidate
        : (createRequire(main)('bindings') as (o: object) => object)({ bindings: 'better_sqlite3.node', module_root: root });
    } catch {
      nativeBinding = undefined;
    }
  }
  return nativeBinding;
}

/** A connection with the addon above (every `new Database` of the CLI goes through here). */
export function newDatabase(file: string, options: Database.Options = {}): SqliteDatabase {
  // the types say a path, better-sqlite3 also takes the loaded addon
  return new Database(file, { ...options, nativeBinding: sqliteAddon() as string | undefined });
}

export function openDb(file: string, options: OpenOptions): Db {
  const exists = fs.existsSync(file);
  if (!exists && !options.write) {
    // Nothing to read yet: an empty file in memory, so reads print nothing and create nothing.
    const sqlite = newDatabase(':memory:');
    sqlite.pragma('foreign_keys = ON');
    registerFunctions(sqlite);
    migrate(sqlite, MIGRATIONS, file);
    return { sqlite, path: file, ephemeral: true, close: () => sqlite.close() };
  }
  // Everything SQLite creates from here (the file, -wal, -shm) is owner-only.
  process.umask(0o077);
  if (!exists) {
    try {
      fs.mkdirSync(path.dirname(file), { recursive: true, mode: OWNER_ONLY_DIR });
    } catch (err) {
      throw new FileError(`the folder for ${file} could not be created (${(err as NodeJS.ErrnoException).code ?? 'error'}).`, { cause: err });
    }
  } else if (fs.statSync(file).isDirectory()) {
    throw new FileError(`${file} is a folder, not a custfile database.`);
  }
  let sqlite: SqliteDatabase;
  try {
    sqlite = newDatabase(file, { timeout: options.busyTimeoutMs ?? BUSY_TIMEOUT_MS });
  } catch (err) {
    throw translateError(err, file);
  }
  try {
    configure(sqlite, file, options.write);
    // known to be a custfile database now: only then are its permissions anyone's business
    if (exists) tighten(file, options.notice);
    migrate(sqlite, MIGRATIONS, file);
    if (options.write && sqlite.pragma('application_id', { simple: true }) !== APPLICATION_ID) sqlite.pragma(`application_id = ${APPLICATION_ID}`);
  } catch (err) {
    sqlite.close();
    throw translateError(err, file);
  }
  return { sqlite, path: file, ephemeral: false, close: () => sqlite.close() };
}

/** Runs `work` in one IMMEDIATE transaction: all of it lands, or none. */
export function writeTransaction<T>(db: Db, work: () => T): T {
  try {
    return db.sqlite.transaction(work).immediate();
  } catch (err) {
    throw translateError(err, db.path);
  }
}

/** Runs `work` in one read transaction, so it sees a single snapshot. */
export function readTransaction<T>(db: Db, work: () => T): T {
  try {
    return db.sqlite.transaction(work).deferred();
  } catch (err) {
    throw translateError(err, db.path);
  }
}

/** Work outside a transaction (streams, pragmas), with errors translated. */
export function guard<T>(db: Db, work: () => T): T {
  try {
    return work();
  } catch (err) {
    throw translateError(err, db.path);
  }
}
