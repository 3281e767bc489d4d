/**
 * One renderer per format for lists of records: table (people), json and ndjson (scripts), csv
 * (spreadsheets and pipes). Lists stream: json, ndjson and csv write as rows arrive.
 */
import type { CsvBlock } from '../app/export-profiles.js';
import { type CsvColumn, type CsvOptions, csvBlockCheck, csvHeader, csvLineCheck, csvRows } from './csv.js';
import type { Format, Output } from './output.js';

export interface TableColumn<T> {
  header: string;
  get: (row: T) => string;
}

export interface ListView<T> {
  table: readonly TableColumn<T>[];
  json: (row: T) => unknown;
  csv: readonly CsvColumn<T>[];
}

export interface RenderOptions {
  color: boolean;
  /** Printed to the table (only) when there are no rows, e.g. "No profiles match." */
  emptyMessage?: string;
  /** CSV dialect (`--excel`: BOM, `;`, CRLF). */
  csv?: CsvOptions;
}

const BATCH = 512;

export async function renderList<T>(rows: Iterable<T>, view: ListView<T>, format: Format, out: Output, options: RenderOptions): Promise<number> {
  let count = 0;
  switch (format) {
    case 'table': {
      const all = [...rows];
      count = all.length;
      if (all.length === 0) {
        if (options.emptyMessage) await out.write(`${options.emptyMessage}\n`);
        break;
      }
      const { renderTable } = await (await import('./table.js')).loadTables();
      await out.write(renderTable(view.table.map((c) => c.header), all.map((r) => view.table.map((c) => c.get(r))), options.color, out.stream.columns));
      break;
    }
    case 'json': {
      await out.write('[');
      for (const row of rows) {
        await out.write(`${count === 0 ? '\n' : ',\n'}  ${JSON.stringify(view.json(row))}`);
        count++;
      }
      await out.write(count === 0 ? ']\n' : '\n]\n');
      break;
    }
    case 'ndjson':
      for (const row of rows) {
        await out.write(`${JSON.stringify(view.json(row))}\n`);
        count++;
      }
      break;
    case 'csv': {
      await out.write(csvHeader(view.csv, options.csv));
      let batch: T[] = [];
      for (const row of rows) {
        batch.push(row);
        count++;
        if (batch.length === BATCH) {
          await out.write(csvRows(batch, view.csv, options.csv));
          batch = [];
        }
      }
      if (batch.length > 0) await out.write(csvRows(batch, view.csv, options.csv));
      break;
    }
  }
  await out.flush();
  return count;
}

/** Bytes handed to the output at once: few writes, and memory that stays small. */
const CSV_CHUNK = 1 << 20;

/**
 * A CSV of blocks that SQLite wrote (`export --format csv`; storage/profile-csv.ts), the same bytes
 * as renderList's csv. The lines of a block are checked as bytes (csvBlockCheck) and written as
 * they came; from a line that fails on, the block's lines are checked one by one (csvLineCheck),
 * and a line that fails that too is written from its record by csvRows.
 */
export async function renderCsvBlocks<T>(
  blocks: Iterable<CsvBlock>,
  columns: readonly (CsvColumn<T> & { cell: { quote: boolean } })[],
  recordOf: (id: number) => T,
  out: Output,
  options: CsvOptions = {},
): Promise<number> {
  const eol = options.eol ?? '\n';
  const delimiter = options.delimiter ?? ',';
  const blockCheck = csvBlockCheck(columns, delimiter, eol);
  const lineCheck = csvLineCheck(columns, delimiter);
  await out.write(csvHeader(columns, options));
  let count = 0;
  for (const block of blocks) {
    const passed = blockCheck(block.bytes, block.lineLengths);
    count += passed.lines;
    if (passed.end > 0) await out.writeBytes(block.bytes.subarray(0, passed.end));
    if (passed.lines === block.lineLengths.length && passed.lines > 0) continue;
    // lines are encoded into a chunk of bytes: joining them into one long string first cost
    // more than the encoding (the string is copied flat, then encoded)
    let chunk = Buffer.allocUnsafe(CSV_CHUNK);
    let used = 0;
    for (const [id, line] of block.lines(passed.lines)) {
      const text = lineCheck.test(line) ? line + eol : csvRows([recordOf(id)], columns, options);
      // a UTF-16 unit is at most 3 bytes of UTF-8
      if (used + 3 * text.length > chunk.length) {
        await out.writeBytes(chunk.subarray(0, used));
        chunk = Buffer.allocUnsafe(Math.max(CSV_CHUNK, 3 * text.length));
        used = 0;
      }
      used += chunk.write(text, used);
      count++;
    }
    if (used > 0) await out.writeBytes(chunk.subarray(0, used));
  }
  await out.flush();
  return count;
}

/** A single document (show, check): pretty JSON. */
export async function renderJson(value: unknown, out: Output): Promise<void> {
  await out.write(`${JSON.stringify(value, null, 2)}\n`);
  await out.flush();
}
