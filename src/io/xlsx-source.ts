/**
 * An .xlsx sheet as a header and a stream of rows (exceljs's streaming reader: the workbook is
 * never held in memory). Before exceljs sees the file, the zip's directory is checked against
 * bomb limits. Dates become ISO dates; every other cell becomes its text.
 */
import { Readable } from 'node:stream';
import { StringDecoder } from 'node:string_decoder';
import { RejectedInputError, UsageError } from '../errors.js';
import { csvLine } from './csv-text.js';
import type { SourceRow, TabularSource } from './csv-source.js';
import { checkReadable } from './files.js';
import { checkZip } from './zip-guard.js';

function cellText(value: unknown): string {
  if (value === null || value === undefined) return '';
  if (value instanceof Date) {
    // exceljs gives date cells as UTC midnight (plus a time for date-times)
    const iso = value.toISOString();
    return iso.endsWith('T00:00:00.000Z') ? iso.slice(0, 10) : iso.slice(0, 19).replace('T', ' ');
  }
  if (typeof value === 'object') {
    const v = value as { richText?: { text: string }[]; text?: unknown; result?: unknown; error?: string; hyperlink?: string };
    if (Array.isArray(v.richText)) return v.richText.map((r) => r.text).join('');
    if (v.result !== undefined) return cellText(v.result);
    if (v.text !== undefined) return cellText(v.text);
    if (v.error !== undefined) return '';
    return '';
  }
  return String(value);
}

/** A streamed row of exceljs: its values (1-based, sparse) and its cells' styles. */
interface SheetRow {
  number: number;
  values: unknown;
  getCell(column: number): { numFmt?: string };
}

/**
 * The digits a number format pads a whole number to: `00000` (Excel's "Zip Code"), also with
 * literal text or a locale around it (`"D-"00000`, `[$-407]00000`, `00000;@`) or a space inside
 * (`000 00`); 0 when it pads nothing (`0`, `#,##0`, `0.00`).
 */
export function zeroPadding(format: string): number {
  const first = format.split(';')[0]!.replace(/"[^"]*"|\[[^\]]*\]|\\./g, '').replace(/[@\s]/g, '');
  return /^0{2,}$/.test(first) ? first.length : 0;
}

/**
 * Whether a number format shows a date (`dd.mm.yyyy`, `m/d/yy`, `[$-407]d. mmmm yyyy`): a day,
 * month or year code outside quoted text, brackets and escapes. (`mm` alone would be minutes in a
 * time, but a formula's result shown as a bare time is no field of ours.)
 */
export function isDateFormat(format: string): boolean {
  const codes = format.split(';')[0]!.replace(/"[^"]*"|\[[^\]]*\]|\\.|_.|\*./g, '');
  return /[dy]/i.test(codes) || /m/i.test(codes.replace(/am\/pm|a\/p/gi, ''));
}

/** An Excel date serial (days since 1899-12-30, whole days for a date) → ISO date. */
function serialDate(serial: number): string | null {
  if (!Number.isFinite(serial) || serial < 61 || serial >= 2958466) return null; // 1900-03-01 … 9999-12-31
  return cellText(new Date(Math.round((serial - 25569) * 86400000)));
}

/** A row's values as cells; a whole number formatted with leading zeros keeps them (a postcode 01067). */
function cells(row: SheetRow, width: number): string[] {
  const arr = Array.isArray(row.values) ? (row.values as unknown[]) : [];
  const out: string[] = [];
  const n = Math.max(width, arr.length - 1);
  for (let i = 1; i <= n; i++) {
    const value = arr[i];
    let text = cellText(value);
    // a formula's result keeps its number (exceljs makes dates only of plain cells): =HEUTE()+30
    const result = value !== null && typeof value === 'object' && ('formula' in value || 'sharedFormula' in value) ? (value as { result?: unknown }).result : undefined;
    if (typeof result === 'number') {
      const format = row.getCell(i).numFmt;
      if (format !== undefined && isDateFormat(format)) text = serialDate(result) ?? text;
    }
    if (typeof value === 'number' && Number.isSafeInteger(value) && value >= 0) {
      const format = row.getCell(i).numFmt;
      if (format !== undefined) text = text.padStart(zeroPadding(format), '0');
    }
    out.push(text);
  }
  return out;
}

/** The parts of exceljs's WorkbookReader (4.4.0) that read one zip entry each. */
interface ReaderInternals {
  _parseRels(entry: NodeJS.ReadableStream): Promise<void>;
  _parseWorkbook(entry: NodeJS.ReadableStream): Promise<void>;
  _parseSharedStrings(entry: NodeJS.ReadableStream): AsyncIterable<unknown>;
  _parseStyles(entry: NodeJS.ReadableStream): Promise<void>;
  _parseWorksheet(chunks: AsyncIterable<Buffer | string>, sheetNo: string): Iterable<unknown>;
}

/**
 * exceljs's streaming reader decodes every chunk of a zip entry to text on its own, so a
 * character whose UTF-8 bytes straddle two chunks (ä, €, –, any emoji) comes out as U+FFFD:
 * a few names per 100k rows were garbled on import, and a company name garbled that way no
 * longer matched its key contacts (exceljs issues #2084, #2316; the fixes are unmerged as of
 * 4.4.0). Here every entry is decoded by a StringDecoder, which keeps a split character for the
 * next chunk; exceljs passes text chunks through as they are.
 */
function decodeEntriesWhole(reader: object, limit: InflateLimit): void {
  const internals = reader as ReaderInternals;
  const entryNames: Record<string, string | null> = { _parseRels: null, _parseWorkbook: 'xl/workbook.xml', _parseSharedStrings: 'xl/sharedStrings.xml', _parseStyles: 'xl/styles.xml' };
  for (const name of ['_parseRels', '_parseWorkbook', '_parseSharedStrings', '_parseStyles'] as const) {
    const parse = internals[name] as (entry: NodeJS.ReadableStream) => unknown;
    if (typeof parse !== 'function') continue;
    (internals as unknown as Record<string, unknown>)[name] = (entry: NodeJS.ReadableStream & { path?: string }) => {
      const counted = limit.counter(entryNames[name] ?? entry.path ?? '');
      // the shared strings read through wholeStrings (phonetic readings dropped), counted as they go
      if (name === '_parseSharedStrings') return parse.call(reader, Readable.from(wholeStrings(utf8Text(entry as AsyncIterable<Buffer>, counted))));
      entry.setEncoding('utf8');
      entry.on('data', (text: string) => {
        const err = counted(Buffer.byteLength(text));
        if (err) (entry as unknown as { destroy(e: Error): void }).destroy(err);
      });
      return parse.call(reader, entry);
    };
  }
  const parseWorksheet = internals._parseWorksheet;
  if (typeof parseWorksheet === 'function') {
    // a sheet arrives as the entry's chunks or, when it came before the shared strings, as a
    // temporary file's: decode either
    internals._parseWorksheet = (chunks, sheetNo) => {
      // a sheet stored before workbook.xml (exceljs's own writer may do so: its entries are
      // appended as they finish) found exceljs without a model: "reading 'sheets'" of undefined
      const r = reader as unknown as { model?: object };
      r.model ??= {};
      return parseWorksheet.call(reader, wholeStrings(utf8Text(chunks, limit.counter(`xl/worksheets/sheet${sheetNo}.xml`))), sheetNo);
    };
  }
}

/**
 * What an entry may inflate to: the size the zip's directory declares for it (checked against the
 * bomb limits before anything was read). A zip that declares less than it holds is a bomb in
 * disguise: stopped at its declared size, before it fills the memory.
 */
interface InflateLimit {
  /** A counter for one entry; it returns the error to stop with once the entry inflates past its size. */
  counter(entry: string): (bytes: number) => RejectedInputError | null;
}

function inflateLimit(file: string, sizes: Map<string, number>): InflateLimit {
  return {
    counter(entry) {
      // an entry the directory does not name (it would not be read) may have the largest size any entry has
      const declared = sizes.get(entry) ?? Math.max(0, ...sizes.values());
      let seen = 0;
      return (bytes) => {
        seen += bytes;
        return seen > declared ? new RejectedInputError(`${file} holds more than its zip directory declares (${entry} inflates past ${declared.toLocaleString('en')} bytes); it looks like a zip bomb and was not read.`) : null;
      };
    },
  };
}

/**
 * The XML of shared strings or a sheet, with what exceljs reads wrongly put right: a string's
 * phonetic reading (`<rPh>`, Japanese Excel writes one for names: 山田 read ヤマダ) is dropped, where
 * exceljs took it for the text; and an inline string of several runs (`<is><r><t>An</t></r><r><t>na</t>`)
 * becomes one `<t>`, where exceljs kept the last run only. Elements cut by a chunk's end wait for the rest.
 */
export async function* wholeStrings(chunks: AsyncIterable<string>): AsyncGenerator<string> {
  let pending = '';
  for await (const chunk of chunks) {
    pending += chunk;
    // what may still change: an open <rPh> or <is> without its end, or a tag cut in half
    let cut = pending.length;
    const openRph = pending.lastIndexOf('<rPh');
    if (openRph >= 0 && pending.indexOf('</rPh>', openRph) < 0) cut = openRph;
    const openIs = pending.lastIndexOf('<is>');
    if (openIs >= 0 && openIs < cut && pending.indexOf('</is>', openIs) < 0) cut = openIs;
    const lt = pending.lastIndexOf('<', cut - 1);
    if (lt >= 0 && pending.indexOf('>', lt) < 0) cut = Math.min(cut, lt);
    if (cut > 0) {
      yield fixStrings(pending.slice(0, cut));
      pending = pending.slice(cut);
    }
  }
  if (pending !== '') yield fixStrings(pending);
}

function fixStrings(xml: string): string {
  let out = xml.includes('<rPh') ? xml.replace(/<rPh\b[^>]*>[\s\S]*?<\/rPh>/g, '') : xml;
  if (out.includes('<is>')) {
    out = out.replace(/<is>([\s\S]*?)<\/is>/g, (_m, inner: string) => {
      const runs = [...inner.matchAll(/<t\b[^>]*>([\s\S]*?)<\/t>/g)].map((m) => m[1]);
      return `<is><t xml:space="preserve">${runs.join('')}</t></is>`;
    });
  }
  return out;
}

async function* utf8Text(chunks: AsyncIterable<Buffer | string>, count: (bytes: number) => RejectedInputError | null): AsyncGenerator<string> {
  const decoder = new StringDecoder('utf8');
  for await (const chunk of chunks) {
    const err = count(typeof chunk === 'string' ? Buffer.byteLength(chunk) : chunk.length);
    if (err) throw err;
    yield typeof chunk === 'string' ? chunk : decoder.write(chunk);
  }
  const rest = decoder.end();
  if (rest) yield rest;
}

/** Rows of one cell above the header that are taken for its title, at most. */
const TITLE_ROWS = 5;

export async function openXlsxSource(file: string, options: { sheet?: string }): Promise<TabularSource> {
  // a zip is read from its directory at the end: it needs a file, not a stream
  if (file === '-') throw new UsageError('an xlsx sheet cannot be read from stdin; give its file name.');
  checkReadable(file);
  const zip = checkZip(file);
  const ExcelJS = (await import('exceljs')).default;
  const reader = new ExcelJS.stream.xlsx.WorkbookReader(file, {
    sharedStrings: 'cache',
    hyperlinks: 'ignore',
    styles: 'cache',
    worksheets: 'emit',
    entries: 'ignore',
  });
  decodeEntriesWhole(reader, inflateLimit(file, zip.sizes));
  const model = reader as unknown as {
    model?: { sheets?: { id: number; name: string; rId: string; state?: string }[] };
    workbookRels?: { Id: string; Target: string }[];
  };
  const sheetName = (id: string): string => {
    const rel = model.workbookRels?.find((r) => r.Target.replace(/^\/?xl\//, '') === `worksheets/sheet${id}.xml`);
    const sheet = model.model?.sheets?.find((s) => s.rId === rel?.Id);
    return sheet?.name ?? `Sheet${id}`;
  };

  const sheets = (reader as unknown as AsyncIterable<{ id: string } & AsyncIterable<SheetRow>>)[Symbol.asyncIterator]();
  let worksheet: ({ id: string } & AsyncIterable<SheetRow>) | null = null;
  const seen: string[] = [];
  try {
    for (;;) {
      const next = await sheets.next();
      if (next.done) break;
      const name = sheetName(next.value.id);
      seen.push(name);
      // the first sheet is the first visible tab (workbook.xml's order), not the first stored in the zip;
      // a workbook.xml stored after the sheets is not known yet: then the first stored it is
      const firstTab = model.model?.sheets?.find((sheet) => sheet.state === undefined || sheet.state === 'visible')?.name;
      if (options.sheet === undefined ? firstTab === undefined || name === firstTab : name === options.sheet) {
        worksheet = next.value;
        break;
      }
      // drain a sheet we do not want
      for await (const _row of next.value) void _row;
    }
  } catch (err) {
    if (err instanceof RejectedInputError) throw err; // ours (a lying zip), already one sentence
    throw new RejectedInputError(`${file} is not a readable xlsx workbook (${(err as Error).message.split('\n')[0]}).`, { cause: err });
  }
  if (!worksheet) {
    throw new RejectedInputError(options.sheet === undefined ? `${file} has no sheet.` : `${file} has no sheet named "${options.sheet}"; its sheets are ${seen.join(', ') || 'none'}.`);
  }
  const sheetRows = worksheet[Symbol.asyncIterator]();
  /** Rows read ahead while the header was looked for, given back to the data. */
  const readAhead: SheetRow[] = [];
  const rows = {
    next: async (): Promise<IteratorResult<SheetRow>> => (readAhead.length > 0 ? { done: false, value: readAhead.shift()! } : sheetRows.next()),
  };
  const filled = (row: SheetRow) => cells(row, 0).filter((c) => c.trim() !== '').length;
  let header: SheetRow | null = null;
  for (;;) {
    const next = await rows.next();
    if (next.done) break;
    if (filled(next.value) > 0) {
      header = next.value;
      break;
    }
  }
  if (!header) throw new RejectedInputError(`${file}: the sheet is empty; it needs a header row.`);
  // A title above the header ("Kundenliste Stand 27.11.2026", a merged group row): a row of one
  // cell, with a row of several cells below it within a few rows, is no header; that row is.
  if (filled(header) === 1) {
    // a one-column sheet stays one: its rows go back as data when no wider row follows soon
    while (readAhead.length < TITLE_ROWS) {
      const next = await sheetRows.next();
      if (next.done) break;
      readAhead.push(next.value);
      const n = filled(next.value);
      if (n >= 2) {
        header = next.value;
        readAhead.length = 0;
        break;
      }
    }
  }
  const headers = cells(header, 0);
  while (headers.length > 0 && headers[headers.length - 1]!.trim() === '') headers.pop();
  const width = headers.length;

  async function* dataRows(): AsyncGenerator<SourceRow> {
    for (;;) {
      const next = await rows.next();
      if (next.done) return;
      const row = cells(next.value, width);
      // trailing empty cells beyond the header are not data
      while (row.length > width && row[row.length - 1]!.trim() === '') row.pop();
      if (row.every((c) => c.trim() === '')) continue;
      yield { line: next.value.number, cells: row, raw: csvLine(row) };
    }
  }
  return { headers, headerRaw: csvLine(headers), rows: dataRows(), encoding: 'xlsx', guessed: false, delimiter: ',' };
}
