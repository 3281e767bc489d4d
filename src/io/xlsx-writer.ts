/**
 * Profiles to an .xlsx sheet, streamed: rows become SpreadsheetML as they come and are deflated
 * into the zip straight away, so memory stays flat. Every data cell is a value, never a formula
 * or a hyperlink: text is an inline string (so 01067, +49 … and =1+1 stay text as written),
 * money and counts are numbers, dates are date serials with a `yyyy-mm-dd` format.
 *
 * Why not exceljs here (it still reads xlsx, src/io/xlsx-source.ts): its streaming writer builds
 * a Row, a Cell, a Value and a style object for every cell and renders each through its generic
 * XML stream. With styles on, 100k profiles took 12-18 s (two thirds per-cell style bookkeeping);
 * with styles off 9 s; and exceljs alone, writing 100k constant rows with no database and no
 * styles at all, already took 3.6 s — over the 3 s budget for the whole export. The sheet we
 * write is simple (one sheet, inline strings, numbers, one date style, a frozen header row), so
 * it is written here directly; src/io/zip-writer.ts packs it. The parts follow ECMA-376 as Excel
 * writes them, and the tests read the result back with exceljs and LibreOffice.
 */
import type { Writable } from 'node:stream';
import { daysInMonth } from '../domain/dates.js';
import { guardQuote } from '../domain/formula-guard.js';
import { FileError, UsageError } from '../errors.js';
import { type ZipEntryStream, ZipWriter } from './zip-writer.js';

export const XLSX_MAX_ROWS = 1_048_576;

export interface XlsxColumn<T> {
  header: string;
  kind: 'text' | 'number' | 'date';
  get: (row: T) => string | number | null;
  width?: number;
}

/** The style index (cellXfs) of date cells in our styles.xml. */
const DATE_STYLE = 1;
/** Bytes of XML gathered before they go to zlib: enough to keep the calls few. */
const CHUNK_BYTES = 512 * 1024;
const MS_PER_DAY = 86_400_000;
/** Excel's serial of 1970-01-01 (serials count days from 1899-12-30). */
const UNIX_EPOCH_SERIAL = 25_569;
/** 1900-03-01: below it Excel's serials are off by one (its 1900 is a leap year), so earlier dates stay text. */
const FIRST_SAFE_SERIAL = 61;

export async function writeXlsx<T>(rows: Iterable<T>, columns: readonly XlsxColumn<T>[], target: Writable, label: string, sheetName = 'Customers'): Promise<number> {
  checkSheetName(sheetName);
  try {
    return await writeWorkbook(rows, columns, target, label, sheetName);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code && !code.startsWith('ERR_')) throw new FileError(`${label} could not be written (${code}); it is incomplete.`, { cause: err });
    throw err;
  }
}

export function checkXlsxRows(count: number): void {
  if (count + 1 > XLSX_MAX_ROWS) {
    throw new UsageError(`${count.toLocaleString('en')} profiles do not fit one xlsx sheet (at most ${(XLSX_MAX_ROWS - 1).toLocaleString('en')} rows); narrow the selection with filters or export CSV.`);
  }
}

async function writeWorkbook<T>(rows: Iterable<T>, columns: readonly XlsxColumn<T>[], target: Writable, label: string, sheetName: string): Promise<number> {
  const zip = new ZipWriter(target, label);
  // The small parts first: a reader that streams (exceljs) then knows the styles before the rows.
  await zip.addFile('[Content_Types].xml', CONTENT_TYPES);
  await zip.addFile('_rels/.rels', ROOT_RELS);
  await zip.addFile('docProps/app.xml', APP_PROPS);
  await zip.addFile('xl/workbook.xml', workbookXml(sheetName));
  await zip.addFile('xl/_rels/workbook.xml.rels', WORKBOOK_RELS);
  await zip.addFile('xl/styles.xml', STYLES);
  // Empty, but with it present exceljs's reader parses the sheet as it streams in instead of
  // spooling it to a temporary file first (custfile import of our own exports).
  await zip.addFile('xl/sharedStrings.xml', SHARED_STRINGS);
  const sheet = await zip.openEntry('xl/worksheets/sheet1.xml');

  // Each row's XML is encoded straight into a chunk buffer; a chunk goes to zlib once it is
  // half full. (Appending all rows of a chunk to one string and encoding that took twice as
  // long: V8 has to flatten the long concatenation first.)
  const out = new ChunkBuffer(sheet);
  const refs = columns.map((_, i) => columnName(i));
  out.add(sheetStart(columns) + `<row r="1">${columns.map((c, i) => textCell(`<c r="${refs[i]}1`, c.header)).join('')}</row>`);
  // the per-cell work is the export's hot loop: 100k profiles are some 2.5 million cells
  const cellStart = refs.map((ref) => `<c r="${ref}`);
  let count = 0;
  for (const row of rows) {
    if (count + 2 > XLSX_MAX_ROWS) throw new UsageError(`more profiles than fit one xlsx sheet (at most ${(XLSX_MAX_ROWS - 1).toLocaleString('en')} rows); ${label} is incomplete.`);
    const r = String(count + 2);
    let xml = `<row r="${r}">`;
    for (let i = 0; i < columns.length; i++) {
      const column = columns[i]!;
      const v = column.get(row);
      if (v === null || v === '') continue;
      const start = cellStart[i]! + r;
      if (column.kind === 'number') xml += numberCell(start, v);
      else if (column.kind === 'date') xml += dateCell(start, v);
      else xml += textCell(start, guardQuote(typeof v === 'string' ? v : String(v)));
    }
    count++;
    if (out.add(`${xml}</row>`)) await out.flush();
  }
  out.add(SHEET_END);
  await out.flush();
  await sheet.close();
  await zip.finish();
  return count;
}

/** XML text encoded into chunk-sized buffers, each handed to the zip entry when full. */
class ChunkBuffer {
  private buffer = Buffer.allocUnsafe(2 * CHUNK_BYTES);
  private used = 0;
  private pending: Buffer[] = [];

  constructor(private readonly entry: ZipEntryStream) {}

  /** Appends XML; true when a chunk is full and should be flushed before more is added. */
  add(xml: string): boolean {
    // UTF-8 needs at most 3 bytes per UTF-16 code unit
    if (this.used + xml.length * 3 > this.buffer.length) {
      // a row too long for the space left (or for any chunk): a chunk of its own
      this.pending.push(this.buffer.subarray(0, this.used), Buffer.from(xml, 'utf8'));
      this.buffer = Buffer.allocUnsafe(2 * CHUNK_BYTES);
      this.used = 0;
      return true;
    }
    this.used += this.buffer.write(xml, this.used);
    return this.used >= CHUNK_BYTES;
  }

  /** Hands what has been added to the zip entry. */
  async flush(): Promise<void> {
    if (this.used > 0) {
      // zlib keeps a chunk until it has deflated it: the next one gets a fresh buffer
      this.pending.push(this.buffer.subarray(0, this.used));
      this.buffer = Buffer.allocUnsafe(2 * CHUNK_BYTES);
      this.used = 0;
    }
    const chunks = this.pending;
    this.pending = [];
    for (const chunk of chunks) if (chunk.length > 0) await this.entry.write(chunk);
  }
}

// ---------------------------------------------------------------------------------- cells

// `start` is a cell's opening up to its reference: `<c r="B12`.

function textCell(start: string, text: string): string {
  // XML would fold leading and trailing blanks and line breaks away without xml:space
  const open = text.charCodeAt(0) <= 32 || text.charCodeAt(text.length - 1) <= 32 ? '" t="inlineStr"><is><t xml:space="preserve">' : '" t="inlineStr"><is><t>';
  return `${start}${open}${escapeXml(text)}</t></is></c>`;
}

function numberCell(start: string, value: string | number): string {
  const n = typeof value === 'number' ? value : Number(value);
  // not a finite number: keep what was there, as text, rather than write an invalid cell
  return Number.isFinite(n) ? `${start}"><v>${n}</v></c>` : textCell(start, String(value));
}

function dateCell(start: string, value: string | number): string {
  const serial = typeof value === 'string' ? dateSerial(value) : null;
  return serial === null ? textCell(start, String(value)) : `${start}" s="${DATE_STYLE}"><v>${serial}</v></c>`;
}


/**
 * `YYYY-MM-DD` → Excel's day number (days since 1899-12-30); null for anything else: `--05-10`,
 * a timestamp, a day that does not exist, and days before 1900-03-01, where Excel's serials are
 * off by one (it takes 1900 for a leap year) and before 1900 do not exist at all.
 */
export function dateSerial(text: string): number | null {
  if (text.length !== 10 || text.charCodeAt(4) !== 45 || text.charCodeAt(7) !== 45) return null;
  const y = digits(text, 0, 4);
  const m = digits(text, 5, 7);
  const d = digits(text, 8, 10);
  if (y < 1900 || m < 1 || m > 12 || d < 1) return null;
  if (d > daysInMonth(y, m)) return null;
  const serial = Date.UTC(y, m - 1, d) / MS_PER_DAY + UNIX_EPOCH_SERIAL;
  return serial >= FIRST_SAFE_SERIAL ? serial : null;
}

/** The decimal number in text[from, to), or -1 unless all of it is ASCII digits. */
function digits(text: string, from: number, to: number): number {
  let n = 0;
  for (let i = from; i < to; i++) {
    const c = text.charCodeAt(i) - 48;
    if (c < 0 || c > 9) return -1;
    n = n * 10 + c;
  }
  return n;
}

// Characters XML 1.0 does not allow at all (C0 controls but tab and line feed, U+FFFE/U+FFFF)
// are dropped; a carriage return is written as a reference so that XML's line-end
// normalisation does not turn it into a line feed.
const XML_SPECIAL = /[&<>\r\u0000-\u0008\u000b\u000c\u000e-\u001f\ufffe\uffff]/;
const XML_SPECIAL_ALL = /[&<>\r\u0000-\u0008\u000b\u000c\u000e-\u001f\ufffe\uffff]/g;

function escapeXml(text: string): string {
  if (!XML_SPECIAL.test(text)) return text;
  return text.replace(XML_SPECIAL_ALL, (ch) => {
    switch (ch) {
      case '&':
        return '&amp;';
      case '<':
        return '&lt;';
      case '>':
        return '&gt;';
      case '\r':
        return '&#13;';
      default:
        return '';
    }
  });
}

function escapeAttribute(text: string): string {
  return escapeXml(text).replace(/"/g, '&quot;');
}

/** 0 → A, 25 → Z, 26 → AA. */
function columnName(index: number): string {
  let name = '';
  for (let n = index + 1; n > 0; n = Math.floor((n - 1) / 26)) name = String.fromCharCode(65 + ((n - 1) % 26)) + name;
  return name;
}

/** Excel refuses a sheet name that is empty, longer than 31 characters or has one of : \ / ? * [ ]. */
function checkSheetName(name: string): void {
  if (name.length === 0 || name.length > 31 || /[:\\/?*[\]]/.test(name) || name.startsWith("'") || name.endsWith("'")) {
    throw new UsageError(`"${name}" cannot be an xlsx sheet name (at most 31 characters, none of : \\ / ? * [ ], no ' at either end).`);
  }
}

// ---------------------------------------------------------------------------------- parts

const XML_HEAD = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n';
const MAIN_NS = 'http://schemas.openxmlformats.org/spreadsheetml/2006/main';
const REL_NS = 'http://schemas.openxmlformats.org/officeDocument/2006/relationships';
const PKG_REL_NS = 'http://schemas.openxmlformats.org/package/2006/relationships';

function sheetStart<T>(columns: readonly XlsxColumn<T>[]): string {
  const cols = columns
    .map((c, i) => {
      const width = c.width ?? Math.min(40, Math.max(10, c.header.length + 2));
      return `<col min="${i + 1}" max="${i + 1}" width="${width}" customWidth="1"/>`;
    })
    .join('');
  return (
    `${XML_HEAD}<worksheet xmlns="${MAIN_NS}" xmlns:r="${REL_NS}">` +
    // the header row stays in view while scrolling
    '<sheetViews><sheetView tabSelected="1" workbookViewId="0"><pane ySplit="1" topLeftCell="A2" activePane="bottomLeft" state="frozen"/>' +
    '<selection pane="bottomLeft" activeCell="A2" sqref="A2"/></sheetView></sheetViews>' +
    `<sheetFormatPr defaultRowHeight="15"/>${cols ? `<cols>${cols}</cols>` : ''}<sheetData>`
  );
}

const SHEET_END = '</sheetData><pageMargins left="0.7" right="0.7" top="0.75" bottom="0.75" header="0.3" footer="0.3"/></worksheet>';

function workbookXml(sheetName: string): string {
  return (
    `${XML_HEAD}<workbook xmlns="${MAIN_NS}" xmlns:r="${REL_NS}">` +
    '<bookViews><workbookView/></bookViews>' +
    `<sheets><sheet name="${escapeAttribute(sheetName)}" sheetId="1" r:id="rId1"/></sheets></workbook>`
  );
}

const CONTENT_TYPES =
  `${XML_HEAD}<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">` +
  '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>' +
  '<Default Extension="xml" ContentType="application/xml"/>' +
  '<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>' +
  '<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>' +
  '<Override PartName="/xl/styles.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/>' +
  '<Override PartName="/xl/sharedStrings.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/>' +
  '<Override PartName="/docProps/app.xml" ContentType="application/vnd.openxmlformats-officedocument.extended-properties+xml"/>' +
  '</Types>';

const ROOT_RELS =
  `${XML_HEAD}<Relationships xmlns="${PKG_REL_NS}">` +
  '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/>' +
  '<Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/extended-properties" Target="docProps/app.xml"/>' +
  '</Relationships>';

const APP_PROPS =
  `${XML_HEAD}<Properties xmlns="http://schemas.openxmlformats.org/officeDocument/2006/extended-properties">` +
  '<Application>custfile</Application></Properties>';

const WORKBOOK_RELS =
  `${XML_HEAD}<Relationships xmlns="${PKG_REL_NS}">` +
  `<Relationship Id="rId1" Type="${REL_NS}/worksheet" Target="worksheets/sheet1.xml"/>` +
  `<Relationship Id="rId2" Type="${REL_NS}/styles" Target="styles.xml"/>` +
  `<Relationship Id="rId3" Type="${REL_NS}/sharedStrings" Target="sharedStrings.xml"/>` +
  '</Relationships>';

/** Two cell formats: 0 the default, 1 (DATE_STYLE) a date shown as yyyy-mm-dd. */
const STYLES =
  `${XML_HEAD}<styleSheet xmlns="${MAIN_NS}">` +
  '<numFmts count="1"><numFmt numFmtId="164" formatCode="yyyy-mm-dd"/></numFmts>' +
  '<fonts count="1"><font><sz val="11"/><name val="Calibri"/><family val="2"/></font></fonts>' +
  '<fills count="2"><fill><patternFill patternType="none"/></fill><fill><patternFill patternType="gray125"/></fill></fills>' +
  '<borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders>' +
  '<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>' +
  '<cellXfs count="2"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>' +
  '<xf numFmtId="164" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/></cellXfs>' +
  '<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles>' +
  '<dxfs count="0"/><tableStyles count="0" defaultTableStyle="TableStyleMedium2" defaultPivotStyle="PivotStyleLight16"/>' +
  '</styleSheet>';

const SHARED_STRINGS = `${XML_HEAD}<sst xmlns="${MAIN_NS}" count="0" uniqueCount="0"/>`;
