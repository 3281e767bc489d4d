/**
 * The worker half of a large CSV import: it reads, decodes, parses and maps the file on a second
 * core and hands the records to the main thread in batches (record-batches.ts), while the main
 * thread looks up and writes. Parsing and mapping were about half of an import's time on one
 * thread. At most MAX_AHEAD batches are in flight, so a fast reader never fills the memory.
 *
 * Runs only as `new Worker(...)` (see import-in-worker.ts); it has no exports.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { decimalForDelimiter, defaultKey } from '../domain/import-mapping.js';
import { openCsvSource } from '../io/csv-source.js';
import { openInput } from '../io/files.js';
import { type ImportRecord, mapRows } from './import-profiles.js';
import type { FromWorker, ToWorker, WorkerJob } from './import-in-worker.js';
import { batchToBytes, encodeBatch } from './record-batches.js';

const BATCH_RECORDS = 500;
const BATCH_CHARS = 1 << 18;
const MAX_AHEAD = 3;

const port = parentPort!;
/** The import's key field, once the mapping is known: each record tells its key cell ahead. */
let key = 'email';
const job = workerData as WorkerJob;
let credits = MAX_AHEAD;
let wake: (() => void) | null = null;
let answers: ((map: Record<string, string>) => void) | null = null;

port.on('message', (m: ToWorker) => {
  if (m.type === 'more') {
    credits++;
    wake?.();
  } else if (m.type === 'answers') {
    answers?.(m.answers);
  }
});

const post = (m: FromWorker) => port.postMessage(m);

async function send(records: ImportRecord[]): Promise<void> {
  while (credits === 0) await new Promise<void>((resolve) => (wake = resolve));
  wake = null;
  credits--;
  const batch = batchToBytes(encodeBatch(records, key));
  port.postMessage({ type: 'batch', ...batch } satisfies FromWorker, [batch.bytes.buffer as ArrayBuffer]);
}

async function run(): Promise<void> {
  const source = await openCsvSource(openInput(job.file), job.label, { encoding: job.encoding, delimiter: job.delimiter });
  post({ type: 'opened', headerRaw: source.headerRaw, encoding: source.encoding, guessed: source.guessed, delimiter: source.delimiter });
  const decimal = decimalForDelimiter(source.delimiter);
  const askUnknown = job.ask
    ? (headers: string[]) =>
        new Promise<Record<string, string>>((resolve) => {
          answers = resolve;
          post({ type: 'ask', headers });
        })
    : undefined;
  const records = mapRows(source.headers, source.rows, { map: job.map, dateFormat: job.dateFormat, askUnknown, decimal }, (mapping) => {
    const keyHint = defaultKey(mapping);
    key = job.key ?? keyHint;
    post({ type: 'mapping', keyHint });
  });
  let batch: ImportRecord[] = [];
  let chars = 0;
  for await (const record of records) {
    batch.push(record);
    chars += record.raw.length;
    if (batch.length >= BATCH_RECORDS || chars >= BATCH_CHARS) {
      await send(batch);
      batch = [];
      chars = 0;
    }
  }
  if (batch.length > 0) await send(batch);
  post({ type: 'end' });
}

run().catch((err: unknown) => {
  const e = err instanceof Error ? err : new Error(String(err));
  post({ type: 'error', name: e.name, message: e.message });
});
