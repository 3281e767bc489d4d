/** Opening the files a command reads and writes, with errors that name the file. */
import fs from 'node:fs';
import type { Readable, Writable } from 'node:stream';
import { FileError } from '../errors.js';

function fileError(file: string, err: unknown, doing: string): FileError {
  const code = (err as NodeJS.ErrnoException).code;
  const why = code === 'ENOENT' ? 'it does not exist' : code === 'EACCES' ? 'permission denied' : code === 'EISDIR' ? 'it is a folder' : (code ?? 'error');
  return new FileError(`${file} cannot be ${doing} (${why}).`, { cause: err });
}

/** A file, or stdin for `-`. Checks up front so a missing file is one clear sentence. */
export function openInput(file: string, stdin: Readable = process.stdin): Readable {
  if (file === '-') return stdin;
  try {
    const stat = fs.statSync(file);
    if (stat.isDirectory()) throw Object.assign(new Error('folder'), { code: 'EISDIR' });
    fs.accessSync(file, fs.constants.R_OK);
  } catch (err) {
    throw fileError(file, err, 'read');
  }
  return fs.createReadStream(file, { highWaterMark: READ_CHUNK });
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

/** A text file written synchronously, line by line (rejects files are small). */
class TextFileWriter {
  private fd: number;
  constructor(readonly file: string) {
    try {
      this.fd = fs.openSync(file, 'w', 0o600);
    } catch (err) {
      throw fileError(file, err, 'written');
    }
  }

  write(text: string): void {
    fs.writeSync(this.fd, text);
  }

  close(): void {
    fs.closeSync(this.fd);
  }
}

/**
 * A `--rejects` file: the source's header, then each rejected record as it was read. Opened on
 * the first rejection; `finish()` makes it even when there was none, so that a stale file of an
 * earlier run is not taken for this one's.
 */
export class RejectsFile {
  private writer: TextFileWriter | null = null;
  /** `header`: the source's header line as read, once it is known (null: none, as in vCard). */
  constructor(
    private readonly file: string,
    private readonly header: () => string | null,
  ) {}

  add(raw: string): void {
    this.open().write(`${raw}\n`);
  }

  finish(): void {
    this.open();
  }

  close(): void {
    this.writer?.close();
  }

  private open(): TextFileWriter {
    if (this.writer === null) {
      this.writer = new TextFileWriter(this.file);
      const header = this.header();
      if (header !== null) this.writer.write(`${header}\n`);
    }
    return this.writer;
  }
}

export function createFileStream(file: string): Writable {
  try {
    const fd = fs.openSync(file, 'w', 0o600);
    // room for a few of the writers' chunks, so they go on while the last one is being written
    return fs.createWriteStream(file, { fd, highWaterMark: 1 << 20 });
  } catch (err) {
    throw fileError(file, err, 'written');
  }
}
