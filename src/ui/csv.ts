/** CSV text (RFC 4180) for records, with the formula guard on text cells. */
import { csvLine } from '../io/csv-text.js';
import { guardFormula } from './records.js';

export interface CsvColumn<T> {
  header: string;
  get: (row: T) => string;
  /** Text cells get the formula guard; numbers are ours and safe. */
  text: boolean;
}

export interface CsvOptions {
  delimiter?: string;
  bom?: boolean;
  eol?: string;
}

export function csvHeader<T>(columns: readonly CsvColumn<T>[], options: CsvOptions = {}): string {
  return (options.bom ? '\ufeff' : '') + csvLine(columns.map((c) => c.header), options.delimiter) + (options.eol ?? '\n');
}

export function csvRows<T>(rows: readonly T[], columns: readonly CsvColumn<T>[], options: CsvOptions = {}): string {
  const eol = options.eol ?? '\n';
  let text = '';
  const cells: string[] = new Array<string>(columns.length);
  for (const r of rows) {
    for (let i = 0; i < columns.length; i++) {
      const c = columns[i]!;
      cells[i] = c.text ? guardFormula(c.get(r)) : c.get(r);
    }
    text += csvLine(cells, options.delimiter) + eol;
  }
  return text;
}
