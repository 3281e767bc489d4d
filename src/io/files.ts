/** Opening the files a command reads and writes, with errors that name the file. */
import fs from 'node:fs';
import path from 'node:path';
import type { Readable } from 'node:stream';
import { FileError, UsageError } from '../errors.js';

export function fileError(file: string, err: unknown, doing: string): FileError {
  const code = (err as NodeJS.ErrnoException).code;
  const why = code === 'ENOENT' ? 'it does not exist' : code === 'EACCES' ? 'permission denied' : code === 'EISDIR' ? 'it is a folder' : (code ?? 'error');
  return new FileError(`${file} cannot be ${doing} (${why}).`, { cause: err });
}

/** A file, or stdin for `-`. Checks up front so a missing file is one clear sentence. */
export function openInput(file: string, stdin: Readable = process.stdin): Readable {
  if (file === '-') return stdin;
  checkReadable(file);
  return fs.createReadStream(file, { highWaterMark: READ_CHUNK });
}

/** Throws a FileError naming the file when it cannot be read: missing, a folder, no permission. */
export function checkReadable(file: string): void {
  try {
    const stat = fs.statSync(file);
    if (stat.isDirectory()) throw Object.assign(new Error('folder'), { code: 'EISDIR' });
    fs.accessSync(file, fs.constants.R_OK);
  } catch (err) {
    throw fileError(file, err, 'read');
  }
}

/**
 * Bytes read at a time. A chunk lives while its rows are parsed and applied (cells are slices of
 * its text), long enough to be promoted, so only a full GC frees it; and a decoded text over ~1 MB
 * is an external string, one over 128 KB (64K characters beyond Latin-1) a large object, both
 * freed only by full GCs. With 1 MiB chunks a re-import of 1M rows held up to 66 MB of dead chunks
 * (V8 runs a full GC for external memory every ~64 MB) and peaked at 204 MiB; with 64 KiB chunks,
 * 121 MiB, no slower; 32 KiB keeps any text below the large-object size, as fast again.
 */
const READ_CHUNK = 1 << 15;

/**
 * True when two paths name the same file: through links when both exist, else by their resolved
 * paths (the folder's links followed).
 */
export function isSameFile(a: string, b: string): boolean {
  const sa = statOrNull(a);
  const sb = statOrNull(b);
  if (sa !== null && sb !== null) return sa.dev === sb.dev && sa.ino === sb.ino;
  return canonicalPath(a) === canonicalPath(b);
}

function statOrNull(file: string): fs.Stats | null {
  try {
    return fs.statSync(file);
  } catch {
    return null;
  }
}

function canonicalPath(file: string): string {
  const absolute = path.resolve(file);
  try {
    return fs.realpathSync(absolute);
  } catch {
    try {
      return path.join(fs.realpathSync(path.dirname(absolute)), path.basename(absolute));
    } catch {
      return absolute;
    }
  }
}

/**
 * `-` or a name of the standard output (`/dev/stdout`, `/dev/fd/1`, `/proc/self/fd/1`): written
 * through the process's own descriptor. Opened again by name, the file behind it would be written
 * from its start, under whatever the shell writes there after the command.
 */
export function namesStdout(file: string): boolean {
  return file === '-' || ['/dev/stdout', '/dev/fd/1', '/proc/self/fd/1'].includes(path.resolve(file));
}

/**
 * Refuses to write `file` when it is one the command reads: the customer file (with its journal
 * files) or an input. Writing there would destroy what the command is about to read.
 */
export function refuseOverwrite(file: string, option: string, protectedFiles: { file: string; what: string }[]): void {
  for (const p of protectedFiles) {
    if (p.file !== '-' && isSameFile(file, p.file)) {
      throw new UsageError(`${option} ${file} is ${p.what}; choose another file.`);
    }
  }
}

/**
 * The customer file and its journals, for refuseOverwrite: by the name given and, when that is a
 * link, by the file's real name too (SQLite names its -wal and -shm after the real file).
 */
export function databaseFiles(database: string): { file: string; what: string }[] {
  const names = new Set([database, canonicalPath(database)]);
  return [...names].flatMap((name) =>
    ['', '-wal', '-shm', '-journal'].map((suffix) => ({ file: `${name}${suffix}`, what: suffix === '' ? 'the customer file itself' : `the customer file's journal (${name}${suffix})` })),
  );
}

/** What an import reads, for its `--rejects` file: the customer file and the input. */
export function importReads(database: string, input: string): { file: string; what: string }[] {
  return [...databaseFiles(database), { file: input, what: 'the file being imported' }];
}

const STOP_SIGNALS: NodeJS.Signals[] = ['SIGINT', 'SIGTERM', 'SIGHUP'];

/**
 * Ctrl-C or a kill while a temporary file is written: the file goes, then the signal does what it
 * does. Listening starts before the file exists: a signal between the two would leave it behind.
 * Returns what stops the listening.
 */
export function guardTemp(...temps: string[]): () => void {
  const onSignal = (signal: NodeJS.Signals) => {
    release();
    for (const temp of temps) fs.rmSync(temp, { force: true });
    process.kill(process.pid, signal);
  };
  const release = () => {
    for (const signal of STOP_SIGNALS) process.removeListener(signal, onSignal);
  };
  for (const signal of STOP_SIGNALS) process.once(signal, onSignal);
  return release;
}

/**
 * A file written whole or not at all: the bytes go to a temporary file beside it, which replaces
 * the file only on `commit` (a rename), so a failed export leaves an earlier file as it was and no
 * empty one behind. A new file is owner-only (0600: exports hold personal data); a file replaced
 * keeps its permissions. A device or a pipe (`/dev/stdout`, a FIFO) is written in place, as is a
 * file whose folder cannot take the temporary one.
 */
/**
 * Where a file that replaces `file` whole goes: through a link (or a chain of them) to the file it
 * names, made there if it does not exist yet. A folder is refused; so is a device, a pipe or a
 * socket when `regularOnly` (a backup renamed over /dev/null would replace the device).
 */
export function replacementTarget(file: string, option: string): { target: string; stat: fs.Stats | null } {
  let target = path.resolve(file);
  for (let hops = 0; hops < 40 && statOrNull(target) === null && fs.lstatSync(target, { throwIfNoEntry: false })?.isSymbolicLink(); hops++) {
    target = path.resolve(path.dirname(target), fs.readlinkSync(target));
  }
  const stat = statOrNull(target);
  if (stat?.isDirectory()) throw new UsageError(`${option} ${file} is a folder; name a file.`);
  if (stat !== null && !stat.isFile()) throw new UsageError(`${option} ${file} is not a regular file (a device, pipe or socket); name a file.`);
  return { target: stat === null ? target : fs.realpathSync(target), stat };
}

export class OutputFile {
  private committed = false;

  private constructor(
    readonly file: string,
    readonly stream: fs.WriteStream,
    private readonly temp: string | null,
    private readonly target: string,
    /** Stops removing the temporary file on a signal (see guardTemp). */
    private readonly release: () => void,
  ) {}

  static create(file: string): OutputFile {
    let target = path.resolve(file);
    let mode = 0o600;
    // /dev/stdout, /dev/fd/3, /proc/self/fd/1: a descriptor someone else holds, whatever it points
    // at; renaming a file over its target would take the output from under them
    if (/^\/(dev|proc)\//.test(target)) return OutputFile.inPlace(file, target);
    // a link (or a chain of them) to a file not made yet: the file is made where it points, the links stay
    for (let hops = 0; hops < 40 && statOrNull(target) === null && fs.lstatSync(target, { throwIfNoEntry: false })?.isSymbolicLink(); hops++) {
      target = path.resolve(path.dirname(target), fs.readlinkSync(target));
    }
    const stat = statOrNull(target);
    if (stat?.isDirectory()) throw fileError(file, Object.assign(new Error('folder'), { code: 'EISDIR' }), 'written');
    if (stat !== null && !stat.isFile()) return OutputFile.inPlace(file, target);
    if (stat !== null) {
      target = fs.realpathSync(target);
      mode = stat.mode & 0o777;
    }
    // a short name of its own: the target's name plus a suffix could pass the 255 bytes a name may have
    const temp = path.join(path.dirname(target), `.custfile-${process.pid}.tmp`);
    const release = guardTemp(temp);
    let fd: number;
    try {
      fs.rmSync(temp, { force: true });
      fd = fs.openSync(temp, 'wx', 0o600);
    } catch (err) {
      release();
      const code = (err as NodeJS.ErrnoException).code;
      // a folder that takes no new file, but the file itself may be writable
      if (stat !== null && (code === 'EACCES' || code === 'EPERM' || code === 'EROFS')) return OutputFile.inPlace(file, target);
      throw fileError(file, err, 'written');
    }
    try {
      fs.fchmodSync(fd, mode);
    } catch {
      // the owner-only mode of the open stays
    }
    return new OutputFile(file, OutputFile.streamOf(temp, fd, true), temp, target, release);
  }

  private static inPlace(file: string, target: string): OutputFile {
    let fd: number;
    try {
      fd = fs.openSync(target, 'w', 0o600);
    } catch (err) {
      throw fileError(file, err, 'written');
    }
    return new OutputFile(file, OutputFile.streamOf(target, fd, false), null, target, () => {});
  }

  private static streamOf(file: string, fd: number, flush: boolean): fs.WriteStream {
    // room for a few of the writers' chunks, so they go on while the last one is being written;
    // a temporary file is flushed to disk before it replaces the file
    return fs.createWriteStream(file, { fd, highWaterMark: 1 << 20, flush });
  }

  /** Ends the stream (unless the writer did), waits until its bytes are on disk, and puts the file in place. */
  async commit(): Promise<void> {
    const stream = this.stream;
    try {
      await new Promise<void>((resolve, reject) => {
        if (stream.errored) return reject(stream.errored);
        if (stream.closed) return resolve();
        stream.once('close', () => (stream.errored ? reject(stream.errored) : resolve()));
        stream.once('error', reject);
        if (!stream.writableEnded) stream.end();
      });
      if (this.temp !== null) fs.renameSync(this.temp, this.target);
      this.committed = true;
      this.release();
    } catch (err) {
      this.abort();
      const code = (err as NodeJS.ErrnoException).code ?? (err as Error).message;
      throw new FileError(`${this.file} could not be written (${code}); ${this.temp === null ? 'it is incomplete' : 'it was left as it was'}.`, { cause: err });
    }
  }

  /** Drops what was written (unless committed): the file stays as it was. */
  abort(): void {
    if (this.committed) return;
    this.committed = true;
    this.release();
    this.stream.destroy();
    if (this.temp !== null) fs.rmSync(this.temp, { force: true });
  }
}
