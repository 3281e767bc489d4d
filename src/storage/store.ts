/**
 * The customer file as the app layer sees it: the repositories over one connection, the two
 * kinds of transaction, and the maintenance work (backup, check, secure erase).
 */
import fs from 'node:fs';
import path from 'node:path';
import type Database from 'better-sqlite3';
import { FileError } from '../errors.js';
import { databaseFiles, guardTemp, isSameFile, replacementTarget } from '../io/files.js';
import { type BulkLoad, beginBulkLoad, beginSalesBulkLoad } from './bulk-load.js';
import { CommunicationRepo } from './communication-repo.js';
import { type Db, type OpenOptions, guard, newDatabase, openDb, readTransaction, translateError, writeTransaction } from './db.js';
import { HistoryRepo } from './history-repo.js';
import { ProfileRepo } from './profile-repo.js';
import { ReminderRepo } from './reminder-repo.js';
import { StatsRepo } from './stats-repo.js';
import { SaleRepo } from './sale-repo.js';
import { SegmentRepo } from './segment-repo.js';

/** The page cache of `check`, in KiB (better-sqlite3's default). */
const CHECK_CACHE_KIB = 16000;

export class Store {
  readonly profiles: ProfileRepo;
  readonly history: HistoryRepo;
  readonly communications: CommunicationRepo;
  readonly sales: SaleRepo;
  readonly segments: SegmentRepo;

  constructor(readonly db: Db) {
    this.profiles = new ProfileRepo(db.sqlite);
    this.history = new HistoryRepo(db.sqlite);
    this.communications = new CommunicationRepo(db.sqlite);
    this.sales = new SaleRepo(db.sqlite);
    this.segments = new SegmentRepo(db.sqlite);
  }

  private reminderRepo: ReminderRepo | null = null;
  private statsRepo: StatsRepo | null = null;

  /** Birthdays, follow-ups and stale profiles (prepared on first use). */
  get reminders(): ReminderRepo {
    this.reminderRepo ??= new ReminderRepo(this.db.sqlite);
    return this.reminderRepo;
  }

  /** Group sums and trends (prepared on first use). */
  get stats(): StatsRepo {
    this.statsRepo ??= new StatsRepo(this.db.sqlite);
    return this.statsRepo;
  }

  get path(): string {
    return this.db.path;
  }

  /** One IMMEDIATE transaction: all of `work` lands, or none of it. */
  write<T>(work: () => T): T {
    this.profiles.newTransaction();
    return writeTransaction(this.db, work);
  }

  /** One read snapshot. */
  read<T>(work: () => T): T {
    return readTransaction(this.db, work);
  }

  /**
   * A transaction the caller ends (imports commit in batches and roll back a dry run). Always
   * IMMEDIATE: the write lock is taken up front, so no read-then-write upgrade can fail.
   */
  begin(): void {
    this.profiles.newTransaction();
    this.guard(() => this.db.sqlite.exec('BEGIN IMMEDIATE'));
  }

  /** A read snapshot the caller ends with `commit()` (a streamed export reads one snapshot). */
  beginRead(): void {
    this.guard(() => this.db.sqlite.exec('BEGIN'));
  }

  get inTransaction(): boolean {
    return this.db.sqlite.inTransaction;
  }

  commit(): void {
    this.guard(() => this.db.sqlite.exec('COMMIT'));
  }

  rollback(): void {
    // a bulk load's deferred renames were part of the transaction
    this.profiles.dropDeferredRenames();
    if (this.db.sqlite.inTransaction) this.guard(() => this.db.sqlite.exec('ROLLBACK'));
  }

  /** Sets indexes aside until `finish()` (inside an open write transaction); see bulk-load.ts. */
  beginBulkLoad(what: 'profiles' | 'sales' = 'profiles'): BulkLoad {
    return this.guard(() => {
      if (what === 'sales') {
        const sales = beginSalesBulkLoad(this.db.sqlite);
        return { finish: () => this.guard(() => sales.finish()) };
      }
      const load = beginBulkLoad(this.db.sqlite);
      this.profiles.deferRenames();
      return {
        finish: () =>
          this.guard(() => {
            load.finish();
            this.profiles.flushRenames();
          }),
      };
    });
  }

  /** Work outside a transaction (streaming reads), with SQLite's errors translated. */
  guard<T>(work: () => T): T {
    return guard(this.db, work);
  }

  /**
   * Runs `work` (a write) with secure_delete on, so erased rows are overwritten with zeros, then
   * rebuilds the file (VACUUM) and checkpoints the WAL into it and truncates it, so no old page
   * image stays behind. The rebuild is needed: secure_delete zeroes only the cells it deletes, and
   * when pages split (an import) copies of rows stay in the unused space of other pages. It writes
   * the whole file once (seconds for a big file), which an erasure may take.
   */
  writeErasing<T>(work: () => T): { result: T; held: boolean } {
    const sqlite = this.db.sqlite;
    sqlite.pragma('secure_delete = ON');
    try {
      const result = this.write(work);
      const checkpoint = this.guard(() => {
        sqlite.exec('VACUUM');
        return sqlite.pragma('wal_checkpoint(TRUNCATE)') as { busy: number }[];
      });
      // held: a reader kept the checkpoint from finishing; the erased rows are gone, their old pages not yet
      return { result, held: checkpoint[0]?.busy === 1 };
    } finally {
      sqlite.pragma('secure_delete = OFF');
    }
  }

  /**
   * `integrity_check` and `foreign_key_check` findings; empty when the file is sound. The check
   * looks every row up in every index, so it gets a large page cache for its run (a reading
   * command's small one, READ_CACHE_KIB, made it ~15% slower).
   */
  check(): string[] {
    return this.guard(() => {
      const sqlite = this.db.sqlite;
      const saved = sqlite.pragma('cache_size', { simple: true }) as number;
      sqlite.pragma(`cache_size = -${CHECK_CACHE_KIB}`);
      try {
        return checkDatabase(sqlite);
      } finally {
        sqlite.pragma(`cache_size = ${Math.trunc(saved)}`);
      }
    });
  }

  /**
   * An online backup: VACUUM INTO a temporary file beside the target (a consistent snapshot that
   * writers do not restart), check the copy, then rename it into place. The target is never
   * half-written: it is the old file or the whole new one.
   */
  async backupTo(target: string): Promise<{ bytes: number }> {
    if (this.db.ephemeral) throw new FileError(`${this.db.path} does not exist yet; there is nothing to back up.`);
    const absolute = path.resolve(target);
    if (databaseFiles(this.db.path).some((f) => isSameFile(absolute, f.file))) throw new FileError(`the backup must not overwrite the database itself (${target}).`);
    // through a link to its file; never over a device or a pipe (renamed over, /dev/null would be gone)
    const { target: file } = replacementTarget(target, 'backup');
    const dir = path.dirname(file);
    if (!fs.existsSync(dir)) throw new FileError(`the folder of ${target} does not exist.`);
    const temp = path.join(dir, `.${path.basename(file)}.${process.pid}.tmp`);
    // Ctrl-C or a kill: the copy (a whole customer file) goes with its journal
    const release = guardTemp(temp, `${temp}-journal`);
    try {
      fs.rmSync(temp, { force: true });
      // not this.guard: its errors name the customer file, and here it is mostly the copy's writing that fails
      this.db.sqlite.prepare('VACUUM INTO ?').run(temp);
      // the copy blocked the event loop: a Ctrl-C that came meanwhile is handled now (guardTemp
      // removes the copy and ends the process), before the copy could replace the target
      await new Promise<void>((resolve) => setImmediate(resolve));
      const copy = newDatabase(temp, { readonly: true });
      let findings: string[];
      try {
        findings = checkDatabase(copy);
      } finally {
        copy.close();
      }
      if (findings.length > 0) throw new FileError(`the backup copy failed its integrity check (${findings[0]}); ${target} was not written.`);
      await new Promise<void>((resolve) => setImmediate(resolve));
      fs.renameSync(temp, file);
      return { bytes: fs.statSync(file).size };
    } catch (err) {
      fs.rmSync(temp, { force: true });
      if (err instanceof FileError) throw err;
      // what fails here is mostly the copy's writing: name the backup, not the customer file
      const code = (err as { code?: string }).code ?? '';
      if (code === 'SQLITE_FULL' || code === 'ENOSPC') throw new FileError(`the disk holding ${target} is full; the backup was not written.`, { cause: err });
      if (/^SQLITE_(CANTOPEN|READONLY|PERM)/.test(code) || code === 'EACCES' || code === 'EPERM') {
        throw new FileError(`${target} cannot be written; check the permissions of its folder.`, { cause: err });
      }
      const translated = translateError(err, this.db.path);
      if (translated !== err) throw translated;
      throw new FileError(`the backup to ${target} could not be written (${(err as NodeJS.ErrnoException).code ?? (err as Error).message}).`, { cause: err });
    } finally {
      fs.rmSync(`${temp}-journal`, { force: true });
      release();
    }
  }

  close(): void {
    this.db.close();
  }
}

export function checkDatabase(sqlite: Database.Database): string[] {
  const findings: string[] = [];
  const integrity = sqlite.pragma('integrity_check') as { integrity_check: string }[];
  for (const row of integrity) if (row.integrity_check !== 'ok') findings.push(row.integrity_check);
  const fk = sqlite.pragma('foreign_key_check') as { table: string; rowid: number; parent: string }[];
  for (const row of fk) findings.push(`${row.table} row ${row.rowid} points to a missing ${row.parent} row`);
  return findings;
}

export function openStore(file: string, options: OpenOptions): Store {
  return new Store(openDb(file, options));
}
