/**
 * Output streams and the choices made once per run: format, colour, quiet. Data goes to
 * stdout, messages to stderr. A closed pipe (`custfile list | head -1`) ends the run quietly.
 */
import { FileError, UsageError } from '../errors.js';

export const FORMATS = ['table', 'json', 'ndjson', 'csv'] as const;
export type Format = (typeof FORMATS)[number];

/**
 * The format: the flag when given; else a table on a terminal; else `fallback` (csv for lists,
 * json for single documents such as `show`), so piped output stays parseable.
 */
export function resolveFormat(flag: string | undefined, isTTY: boolean, fallback: Format = 'csv', allowed: readonly string[] = FORMATS): Format {
  if (flag !== undefined) {
    const f = flag.toLowerCase();
    if (!allowed.includes(f)) throw new UsageError(`--format must be one of ${allowed.join(', ')}, not "${flag}".`);
    return f as Format;
  }
  return isTTY ? 'table' : fallback;
}

export function colorWanted(stream: { isTTY?: boolean }, env: NodeJS.ProcessEnv, noColorFlag: boolean): boolean {
  if (noColorFlag) return false;
  if (env.NO_COLOR !== undefined && env.NO_COLOR !== '') return false;
  if (env.TERM === 'dumb') return false;
  if (env.FORCE_COLOR !== undefined && env.FORCE_COLOR !== '0') return true;
  return stream.isTTY === true;
}

export interface WritableLike {
  write(chunk: string | Uint8Array): boolean;
  once(event: 'drain' | 'error' | 'close', listener: (...args: unknown[]) => void): unknown;
  on(event: 'error', listener: (err: Error) => void): unknown;
  off?(event: 'drain' | 'error' | 'close', listener: (...args: unknown[]) => void): unknown;
  isTTY?: boolean;
  columns?: number;
}

/** Raised to unwind a streaming loop when the reader went away; bin.ts exits 0 on it. */
export class OutputClosed extends Error {
  constructor() {
    super('output closed');
  }
}

/**
 * Buffered writer over stdout (or a file stream). Writes in 64 KiB chunks, waits for `drain`,
 * remembers a closed pipe so loops stop early, and turns a failed write (a full disk) into a
 * FileError naming the output, never an uncaught exception.
 */
export class Output {
  private buffer: string[] = [];
  private size = 0;
  closed = false;
  private failure: NodeJS.ErrnoException | null = null;

  /** `label` names the output in an error: a file's path, or standard output. */
  constructor(readonly stream: WritableLike, readonly label = 'standard output') {
    stream.on('error', (err: NodeJS.ErrnoException) => {
      if (err.code === 'EPIPE' || err.code === 'ERR_STREAM_DESTROYED') this.closed = true;
      else this.failure ??= err;
    });
  }

  get isTTY(): boolean {
    return this.stream.isTTY === true;
  }

  private check(): void {
    if (this.failure) {
      throw new FileError(`${this.label} could not be written (${this.failure.code ?? this.failure.message}); the output is incomplete.`, { cause: this.failure });
    }
    if (this.closed) throw new OutputClosed();
  }

  /** Queue text; returns a promise only when the buffer was handed to the stream and it is full. */
  write(text: string): void | Promise<void> {
    this.check();
    this.buffer.push(text);
    this.size += text.length;
    if (this.size >= 65_536) return this.flush();
  }

  async flush(): Promise<void> {
    this.check();
    if (this.size === 0) return;
    const chunk = this.buffer.join('');
    this.buffer = [];
    this.size = 0;
    await this.send(chunk);
  }

  /** Text already encoded as UTF-8 (a big export's chunks), after any queued text. */
  async writeBytes(bytes: Uint8Array): Promise<void> {
    await this.flush();
    await this.send(bytes);
  }

  private async send(chunk: string | Uint8Array): Promise<void> {
    if (!this.stream.write(chunk)) {
      await new Promise<void>((resolve) => {
        // one wait, one set of listeners, all removed again (a long export waits thousands of times)
        const done = () => {
          this.stream.off?.('drain', done);
          this.stream.off?.('close', done);
          this.stream.off?.('error', done);
          resolve();
        };
        this.stream.once('drain', done);
        this.stream.once('close', done);
        this.stream.once('error', done);
      });
    }
    this.check();
  }

  /**
   * After the last write: lets a pending write error arrive (streams report them on a later
   * tick) and raises it, so a command never reports success over a failed write.
   */
  async settle(): Promise<void> {
    await this.flush();
    await new Promise((resolve) => setImmediate(resolve));
    this.check();
  }
}
