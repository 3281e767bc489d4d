/**
 * One renderer per format for lists of records: table (people), json and ndjson (scripts), csv
 * (spreadsheets and pipes). Lists stream: json, ndjson and csv write as rows arrive.
 */
import type { CsvSource } from '../app/export-profiles.js';
import type { CsvCell } from '../storage/profile-csv.js';
import { type CsvColumn, type CsvOptions, careFor, csvBlockCheck, csvHeader, csvLineCheck, csvRows } from './csv.js';
import type { Format, Output } from './output.js';

export interface TableColumn<T> {
  header: string;
  get: (row: T) => string;
}

export interface ListView<T> {
  table: readonly TableColumn<T>[];
  json: (row: T) => unknown;
  csv: readonly CsvColumn<T>[];
  /** A row's JSON text when the view has it already (else JSON.stringify of `json`). */
  jsonText?: (row: T) => string;
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
      const it = rows[Symbol.iterator]();
      const head = it.next();
      if (head.done) {
        if (options.emptyMessage) await out.write(`${options.emptyMessage}\n`);
        break;
      }
      // a row at a time: the widths from the first rows, the rest cut to them (ui/table.ts)
      const { streamTable } = await (await import('./table.js')).loadTables();
      const cells = function* (): Generator<string[]> {
        yield view.table.map((c) => c.get(head.value));
        for (let r = it.next(); !r.done; r = it.next()) yield view.table.map((c) => c.get(r.value));
      };
      count = await streamTable(view.table.map((c) => c.header), cells(), options.color, out.stream.columns, (text) => out.write(text));
      break;
    }
    // Output.write returns a promise only when its buffer went to the stream and must drain:
    // awaiting only then spares a row an `await` (a suspension and a microtask, ~2 us at start-up)
    case 'json': {
      const text = view.jsonText ?? ((row: T) => JSON.stringify(view.json(row)));
      await out.write('[');
      for (const row of rows) {
        const full = out.write(`${count === 0 ? '\n' : ',\n'}  ${text(row)}`);
        if (full) await full;
        count++;
      }
      await out.write(count === 0 ? ']\n' : '\n]\n');
      break;
    }
    case 'ndjson': {
      const text = view.jsonText ?? ((row: T) => JSON.stringify(view.json(row)));
      for (const row of rows) {
        const full = out.write(`${text(row)}\n`);
        if (full) await full;
        count++;
      }
      break;
    }
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
 * Text encoded straight into chunks of bytes for the output: joining lines into one long string
 * first cost more than the encoding (the string is copied flat, then encoded).
 */
class Utf8Chunks {
  private chunk = Buffer.allocUnsafe(CSV_CHUNK);
  private used = 0;
  constructor(private readonly out: Output) {}

  /** Whether `text` surely fits (a UTF-16 unit is at most 3 bytes of UTF-8); else `flush` first. */
  fits(text: string): boolean {
    return this.used + 3 * text.length <= this.chunk.length;
  }

  add(text: string): void {
    this.used += this.chunk.write(text, this.used);
  }

  /** Hands the chunk to the output (it is the output's now); the next one has room for `text`. */
  async flush(text = ''): Promise<void> {
    if (this.used > 0) {
      await this.out.writeBytes(this.chunk.subarray(0, this.used));
      this.chunk = Buffer.allocUnsafe(CSV_CHUNK);
      this.used = 0;
    }
    if (!this.fits(text)) this.chunk = Buffer.allocUnsafe(3 * text.length);
  }
}

/**
 * A CSV whose lines SQLite writes (`export --format csv`; storage/profile-csv.ts), the same bytes
 * as renderList's csv. Blocks of lines are checked as bytes (csvBlockCheck) and written as they
 * came. From a line that fails on, the block's lines are checked one by one (csvLineCheck); a line
 * that fails that too is written from its record by csvRows, and SQLite is asked to guard or
 * quote the columns that needed it (careFor) from the next line on, so that a file where, say,
 * every street holds a comma costs one slow line, not one per row.
 */
export async function renderCsvFromSqlite<T>(
  source: CsvSource,
  columns: readonly (CsvColumn<T> & { cell: CsvCell })[],
  recordOf: (id: number) => T,
  out: Output,
  options: CsvOptions = {},
): Promise<number> {
  const eol = options.eol ?? '\n';
  const delimiter = options.delimiter ?? ',';
  let cells = columns.map((c) => c.cell);
  let checks = { block: csvBlockCheck(columns, delimiter, eol), line: csvLineCheck(columns, delimiter) };
  const chunks = new Utf8Chunks(out);
  let count = 0;
  /** Writes a line SQLite made, or, when it fails its check, csvRows's; true when `cells` took more care. */
  const writeLine = async (id: number, line: string): Promise<boolean> => {
    count++;
    const record = checks.line.test(line) ? undefined : recordOf(id);
    const text = record === undefined ? line + eol : csvRows([record], columns, options);
    if (!chunks.fits(text)) await chunks.flush(text);
    chunks.add(text);
    if (record === undefined) return false;
    const cared = cells.map((cell, i) => careFor(columns[i]!, cell, record));
    if (cared.every((cell, i) => cell === cells[i])) return false;
    cells = cared;
    const checked = cells.map((cell, i) => ({ text: columns[i]!.text, cell }));
    checks = { block: csvBlockCheck(checked, delimiter, eol), line: csvLineCheck(checked, delimiter) };
    return true;
  };
  await out.write(csvHeader(columns, options));
  for (let block = source.nextBlock(cells); block; block = source.nextBlock(cells)) {
    const passed = checks.block(block.bytes, block.lineLengths);
    count += passed.lines;
    await chunks.flush();
    if (passed.end > 0) await out.writeBytes(block.bytes.subarray(0, passed.end));
    if (passed.lines === block.lineLengths.length) continue;
    for (const [id, line] of source.blockLines(cells, passed.lines)) {
      if (await writeLine(id, line)) {
        // the rest of the block comes again, with the new care
        source.cutBlock();
        break;
      }
    }
  }
  await chunks.flush();
  await out.flush();
  return count;
}

/** A single document (show, check): pretty JSON. */
export async function renderJson(value: unknown, out: Output): Promise<void> {
  await out.write(`${JSON.stringify(value, null, 2)}\n`);
  await out.flush();
}
