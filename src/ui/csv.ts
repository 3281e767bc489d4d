/** CSV text (RFC 4180) for records, with the formula guard on text cells. */
import { stringify } from 'csv-stringify/sync';
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
  return (options.bom ? '\ufeff' : '') + stringify([columns.map((c) => c.header)], { delimiter: options.delimiter ?? ',', record_delimiter: options.eol ?? '\n' });
}

export function csvRows<T>(rows: readonly T[], columns: readonly CsvColumn<T>[], options: CsvOptions = {}): string {
  return stringify(
    rows.map((r) => columns.map((c) => (c.text ? guardFormula(c.get(r)) : c.get(r)))),
    { delimiter: options.delimiter ?? ',', record_delimiter: options.eol ?? '\n' },
  );
}
