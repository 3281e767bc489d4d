/**
 * The main thread's side of a CSV import parsed in a worker (import-worker.ts): it starts the
 * worker, answers its question about unknown columns, and yields the record batches it sends.
 *
 * The worker is a second bundle next to the CLI's (dist/cli/import-worker.cjs). Where it does not
 * exist (the sources run by the in-process tests) or does not pay (a small file, stdin, a first
 * import into an empty file: see import-file.ts), the import parses on the main thread instead;
 * both paths give the same records.
 */
import fs from 'node:fs';
import path from 'node:path';
import { Worker } from 'node:worker_threads';
import { FileError, errorFromName } from '../errors.js';
import { type RecordDelimiter, recordCells } from '../io/csv-records.js';
import { type RejectsStyle, csvRejectsStyle } from '../io/rejects-file.js';
import type { ColumnMapping } from '../domain/import-mapping.js';
import { type ImportRecord, type RowMapping, type UnknownColumnsAsker, mapRow } from './import-profiles.js';
import { type BatchBytes, type Remap, type Tally, batchFromBytes, decodeBatch } from './record-batches.js';

/** Below this size a worker's start (≈40 ms) costs more than it saves. */
const WORKER_MIN_BYTES = 4 << 20;

export interface WorkerJob {
  file: string;
  label: string;
  encoding?: string;
  delimiter?: string;
  map?: Record<string, string>;
  dateFormat?: string;
  /** `--key`; else the worker takes the default key of the mapping (as importRecords does). */
  key?: string;
  ask: boolean;
  /**
   * Start by sending rows unmapped (record-batches.ts `UnmappedRow`): a re-import into a file
   * that has profiles, whose rows are mostly unchanged. The main thread switches it by how many
   * rows of each batch it had to map (see `nextMode`).
   */
  unmapped: boolean;
}

export type FromWorker =
  | { type: 'opened'; headerRaw: string; encoding: string; guessed: boolean; delimiter: string; bom: boolean; sepLine: boolean; datevLine: string | null }
  | { type: 'ask'; headers: string[] }
  /** `recordDelimiter`: for reading rows sent unmapped (null: none are); `eol`: the file's, for a rejects file. */
  | { type: 'mapping'; keyHint: string; rowMapping: RowMapping; recordDelimiter: RecordDelimiter | null; eol: RecordDelimiter | null }
  | ({ type: 'batch' } & BatchBytes)
  /** The encoding as it ended up: a guessed UTF-8 may have turned out Windows-1252 (io/sniff.ts). */
  | { type: 'end'; encoding: string; guessed: boolean }
  | { type: 'error'; name: string; message: string };

export type ToWorker = { type: 'more' } | { type: 'answers'; answers: Record<string, string> } | { type: 'mode'; unmapped: boolean };

/**
 * Whether the worker should send rows unmapped, after a batch of which `mapped` rows had to be
 * mapped: the main thread maps a row sent unmapped only when the short cut cannot skip it, which
 * costs the main thread what it saves the worker. More than half: send them mapped; fewer than
 * one in ten (mapped ones the short cut skipped): unmapped again.
 */
export function nextMode(unmapped: boolean, mapped: number, count: number): boolean {
  return unmapped ? mapped * 2 <= count : mapped * 10 < count;
}

export interface WorkerCsvSource {
  headerRaw: string;
  encoding: string;
  guessed: boolean;
  delimiter: string;
  /** How the file is written, for a rejects file written alike. */
  rejectsStyle(): RejectsStyle;
  keyHint: string;
  /** The column mapping the worker settled. */
  mapping: ColumnMapping[];
  records: AsyncIterable<ImportRecord[]>;
  /** Stops the worker (safe to call twice). */
  close(): Promise<void>;
}

/**
 * The worker's young generation. Its garbage is short-lived, but it is made fast. When the worker
 * mapped every row, re-importing the 1M bench file took 19.5 s with 4 MB (scavenging all the
 * time), 16 s with 8 and 11–14 s with 16. Now that a re-import's unchanged rows travel unmapped,
 * 8 MB re-imports it as fast as 16 (4.8–5.1 s against 4.7–4.9 s) and peaks ~8 MiB lower; where
 * the worker maps rows, the main thread's writes are the slower side anyway.
 */
const WORKER_YOUNG_MB = 8;

declare const __dirname: string | undefined;

/** The worker bundle, when this code runs from the CLI bundle and the file is big enough. */
export function importWorkerFile(file: string, minBytes: number = WORKER_MIN_BYTES): string | null {
  if (file === '-' || typeof __dirname !== 'string') return null;
  const worker = path.join(__dirname, 'import-worker.cjs');
  try {
    const stat = fs.statSync(file);
    if (!stat.isFile() || stat.size < minBytes) return null;
    return fs.existsSync(worker) ? worker : null;
  } catch {
    return null; // the main thread's open reports the problem with the file
  }
}

export async function openCsvInWorker(workerFile: string, job: WorkerJob, askUnknown?: UnknownColumnsAsker): Promise<WorkerCsvSource> {
  // a bounded heap: it counts toward the import's memory (a default worker added ~100 MiB of RSS)
  const worker = new Worker(workerFile, { workerData: job, resourceLimits: { maxYoungGenerationSizeMb: WORKER_YOUNG_MB, maxOldGenerationSizeMb: 48 } });
  const queue: FromWorker[] = [];
  let wake: (() => void) | null = null;
  let failure: unknown = null;
  let exited = false;
  worker.on('message', (m: FromWorker) => {
    queue.push(m);
    wake?.();
  });
  worker.on('error', (err) => {
    failure = (err as NodeJS.ErrnoException).code === 'ERR_WORKER_OUT_OF_MEMORY'
      ? new FileError(`${job.label} could not be read: its records are too big for the import's memory (a single record may have up to 1,000,000 characters).`, { cause: err })
      : err;
    wake?.();
  });
  worker.on('exit', () => {
    exited = true;
    wake?.();
  });
  const next = async (): Promise<FromWorker> => {
    for (;;) {
      const m = queue.shift();
      if (m !== undefined) {
        if (m.type === 'error') throw errorFromName(m.name, m.message);
        if (m.type === 'ask') {
          worker.postMessage({ type: 'answers', answers: askUnknown ? await askUnknown(m.headers) : {} } satisfies ToWorker);
          continue;
        }
        return m;
      }
      if (failure !== null) throw failure;
      if (exited) throw new Error('the import worker stopped before the end of the file');
      await new Promise<void>((resolve) => (wake = resolve));
      wake = null;
    }
  };
  const close = async () => {
    if (!exited) await worker.terminate();
  };
  try {
    const opened = await next();
    if (opened.type !== 'opened') throw new Error(`the import worker sent ${opened.type} first`);
    // mapRows settles the mapping (after the question about unknown columns) before any row
    const mapped = await next();
    if (mapped.type !== 'mapping') throw new Error(`the import worker sent ${mapped.type} before the mapping`);
    const { keyHint, rowMapping, recordDelimiter, eol } = mapped;
    const delimiter = opened.delimiter;
    const remap: Remap | null = recordDelimiter === null ? null : (line, raw) => {
      const cells = recordCells(raw, delimiter, recordDelimiter);
      if (cells === null) throw new Error(`line ${line} could not be read again from its text`);
      return mapRow(rowMapping, { line, cells, raw }).result;
    };
    let unmapped = job.unmapped;
    const read = { encoding: opened.encoding, guessed: opened.guessed };
    async function* records(): AsyncGenerator<ImportRecord[]> {
      try {
        for (;;) {
          const m = await next();
          if (m.type === 'end') {
            read.encoding = m.encoding;
            read.guessed = m.guessed;
            return;
          }
          if (m.type !== 'batch') continue;
          worker.postMessage({ type: 'more' } satisfies ToWorker);
          const tally: Tally = { mapped: 0 };
          yield decodeBatch(batchFromBytes(m), remap, tally);
          // the batch is applied: tell the worker how to send the next rows
          const want = nextMode(unmapped, tally.mapped, m.count);
          if (want !== unmapped && remap !== null) {
            unmapped = want;
            worker.postMessage({ type: 'mode', unmapped } satisfies ToWorker);
          }
        }
      } finally {
        await close();
      }
    }
    return {
      headerRaw: opened.headerRaw,
      delimiter: opened.delimiter,
      get encoding() {
        return read.encoding;
      },
      get guessed() {
        return read.guessed;
      },
      rejectsStyle: () => csvRejectsStyle({ encoding: read.encoding, bom: opened.bom, sepLine: opened.sepLine, datevLine: opened.datevLine, delimiter }, eol ?? '\n'),
      keyHint,
      mapping: rowMapping.mapping,
      records: records(),
      close,
    };
  } catch (err) {
    await close();
    throw err;
  }
}
