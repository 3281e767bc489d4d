/**
 * Profiles to an .xlsx sheet with exceljs's streaming writer: rows are committed as they come,
 * so memory stays flat. Every data cell is a value, never a formula or a hyperlink; postcodes and
 * phones are text; dates are real dates; money and counts are numbers.
 */
import type { Writable } from 'node:stream';
import { FileError, UsageError } from '../errors.js';

export const XLSX_MAX_ROWS = 1_048_576;

export interface XlsxColumn<T> {
  header: string;
  kind: 'text' | 'number' | 'date';
  get: (row: T) => string | number | null;
  width?: number;
}

function dateValue(text: string): Date | string {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(text);
  return m ? new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]))) : text;
}

export async function writeXlsx<T>(rows: Iterable<T>, columns: readonly XlsxColumn<T>[], target: Writable, label: string, sheetName = 'Customers'): Promise<number> {
  try {
    return await writeSheet(rows, columns, target, sheetName);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code && !code.startsWith('ERR_')) throw new FileError(`${label} could not be written (${code}); it is incomplete.`, { cause: err });
    throw err;
  }
}

async function writeSheet<T>(rows: Iterable<T>, columns: readonly XlsxColumn<T>[], target: Writable, sheetName: string): Promise<number> {
  const ExcelJS = (await import('exceljs')).default;
  const workbook = new ExcelJS.stream.xlsx.WorkbookWriter({ stream: target, useStyles: true, useSharedStrings: false });
  const sheet = workbook.addWorksheet(sheetName, { views: [{ state: 'frozen', ySplit: 1 }] });
  // No column styles: exceljs works out a style per styled cell (its profile was two thirds
  // style bookkeeping). Text needs none — a string cell is text, so 01067 and +49 … stay as
  // written; only the date cells that hold a date get the date format.
  sheet.columns = columns.map((c) => ({
    header: c.header,
    key: c.header,
    width: c.width ?? Math.min(40, Math.max(10, c.header.length + 2)),
  }));
  const dateColumns = columns.flatMap((c, i) => (c.kind === 'date' ? [i] : []));
  let count = 0;
  for (const row of rows) {
    const values = columns.map((c) => {
      const v = c.get(row);
      if (v === null || v === '') return null;
      if (c.kind === 'date' && typeof v === 'string') return dateValue(v);
      if (c.kind === 'number') return typeof v === 'number' ? v : Number(v);
      // a plain string: exceljs writes it as a shared/inline string, never as a formula
      return String(v);
    });
    const added = sheet.addRow(values);
    for (const i of dateColumns) if (values[i] instanceof Date) added.getCell(i + 1).numFmt = 'yyyy-mm-dd';
    added.commit();
    count++;
    // let the zip stream drain now and then, so compressed output does not pile up in memory
    if (count % 1000 === 0) await drained(target);
  }
  sheet.commit();
  await workbook.commit();
  return count;
}

export function checkXlsxRows(count: number): void {
  if (count + 1 > XLSX_MAX_ROWS) {
    throw new UsageError(`${count.toLocaleString('en')} profiles do not fit one xlsx sheet (at most ${(XLSX_MAX_ROWS - 1).toLocaleString('en')} rows); narrow the selection with filters or export CSV.`);
  }
}

/** Resolves once the file stream has room again (at once when it has). */
function drained(target: Writable): Promise<void> {
  if (!target.writableNeedDrain) return new Promise((resolve) => setImmediate(resolve));
  return new Promise((resolve) => {
    const done = () => {
      target.off('drain', done);
      target.off('close', done);
      resolve();
    };
    target.once('drain', done);
    target.once('close', done);
  });
}
