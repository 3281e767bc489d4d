/**
 * One renderer per format for lists of records: table (people), json and ndjson (scripts), csv
 * (spreadsheets and pipes). Lists stream: json, ndjson and csv write as rows arrive.
 */
import { type CsvColumn, type CsvOptions, csvHeader, csvRows } from './csv.js';
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

/** A single document (show, check): pretty JSON. */
export async function renderJson(value: unknown, out: Output): Promise<void> {
  await out.write(`${JSON.stringify(value, null, 2)}\n`);
  await out.flush();
}
