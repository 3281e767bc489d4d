/**
 * The worker half of a large CSV import into a file that has profiles: it reads, decodes and
 * parses the file on a second core, maps the rows (or, in a re-import, sends them unmapped with
 * their key cell and fingerprint) and hands them to the main thread in batches (record-batches.ts),
 * while the main thread looks up and writes. At most MAX_AHEAD batches are in flight, so a fast
 * reader never fills the memory.
 *
 * Runs only as `new Worker(...)` (see import-in-worker.ts); it has no exports.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { SEP, hashFrom } from '../domain/import-fingerprint.js';
import { decimalForDelimiter, defaultKey, keyCellReader } from '../domain/import-mapping.js';
import { openCsvSource } from '../io/csv-source.js';
import { openInput } from '../io/files.js';
import { type ImportRecord, csvDialect, mapRow, settleMapping, unmappedKeyCell } from './import-profiles.js';
import type { FromWorker, ToWorker, WorkerJob } from './import-in-worker.js';
import { type UnmappedRow, batchToBytes, encodeBatch } from './record-batches.js';

const BATCH_RECORDS = 500;
/**
 * Raw text a batch holds at most. A batch's text and its parts must stay below V8's large-object
 * size (~128 KB), which only a full GC frees: with 256K characters, mapped batches piled up
 * 18–25 MB of them. The 1M re-import: 4.8–5.1 s and ~153 MiB with 256K, 4.3–4.5 s with 64K,
 * 4.0–4.2 s and ~127 MiB with 32K, 4.6–5.0 s with 16K (a query and a message for every ~100 rows).
 */
const BATCH_CHARS = 1 << 15;
const MAX_AHEAD = 3;

const port = parentPort!;
/** The import's key field, once the mapping is known: each record tells its key cell ahead. */
let key = 'email';
const job = workerData as WorkerJob;
let credits = MAX_AHEAD;
let wake: (() => void) | null = null;
let answers: ((map: Record<string, string>) => void) | null = null;
/** Send rows unmapped where the key cell can be read alone (the main thread says when: import-in-worker.ts). */
let unmapped = job.unmapped;

port.on('message', (m: ToWorker) => {
  if (m.type === 'more') {
    credits++;
    wake?.();
  } else if (m.type === 'answers') {
    answers?.(m.answers);
  } else if (m.type === 'mode') {
    unmapped = m.unmapped;
  }
});

const post = (m: FromWorker) => port.postMessage(m);

async function send(records: (ImportRecord | UnmappedRow)[]): Promise<void> {
  while (credits === 0) await new Promise<void>((resolve) => (wake = resolve));
  wake = null;
  credits--;
  const batch = batchToBytes(encodeBatch(records, key));
  port.postMessage({ type: 'batch', ...batch } satisfies FromWorker, [batch.bytes.buffer as ArrayBuffer]);
}

async function run(): Promise<void> {
  const source = await openCsvSource(openInput(job.file), job.label, { encoding: job.encoding, delimiter: job.delimiter });
  post({ type: 'opened', headerRaw: source.headerRaw, encoding: source.encoding, guessed: source.guessed, delimiter: source.delimiter, bom: source.bom, sepLine: source.sepLine, datevLine: source.datevLine });
  const decimal = decimalForDelimiter(source.delimiter);
  const askUnknown = job.ask
    ? (headers: string[]) =>
        new Promise<Record<string, string>>((resolve) => {
          answers = resolve;
          post({ type: 'ask', headers });
        })
    : undefined;
  const { rowMapping, all } = await settleMapping(source.headers, source.rows, {
    map: job.map,
    dateFormat: job.dateFormat,
    askUnknown,
    decimal,
    dialect: csvDialect(source.delimiter),
  });
  const keyHint = defaultKey(rowMapping.mapping);
  key = job.key ?? keyHint;
  const recordDelimiter = source.recordDelimiter();
  // rows go unmapped only where the key cell can be read alone and the raw text read again alone
  const readKey = recordDelimiter === null ? null : keyCellReader(rowMapping.mapping, key);
  post({ type: 'mapping', keyHint, rowMapping, recordDelimiter: readKey === null ? null : recordDelimiter, eol: recordDelimiter });
  const { seed } = rowMapping;
  let batch: (ImportRecord | UnmappedRow)[] = [];
  let chars = 0;
  for await (const row of all) {
    // a row holding the batches' separator travels mapped (record-batches.ts)
    const keyCell = unmapped && readKey !== null && !row.raw.includes(SEP) ? unmappedKeyCell(rowMapping, readKey, row) : '';
    const record: ImportRecord | UnmappedRow = keyCell === '' ? mapRow(rowMapping, row) : { line: row.line, raw: row.raw, fp: hashFrom(seed, row.raw), keyCell, unmapped: true };
    batch.push(record);
    chars += record.raw.length;
    if (batch.length >= BATCH_RECORDS || chars >= BATCH_CHARS) {
      await send(batch);
      batch = [];
      chars = 0;
    }
  }
  if (batch.length > 0) await send(batch);
  post({ type: 'end', encoding: source.encoding, guessed: source.guessed });
}

run().catch((err: unknown) => {
  const e = err instanceof Error ? err : new Error(String(err));
  post({ type: 'error', name: e.name, message: e.message });
});
