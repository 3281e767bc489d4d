/**
 * The xlsx writer read back by exceljs (the full, non-streaming reader, a different code path
 * from our import) and by a small zip reader here: cell types, the frozen header, the zip
 * container itself, backpressure from a slow target and a failing one.
 */
import { Writable } from 'node:stream';
import zlib from 'node:zlib';
import ExcelJS from 'exceljs';
import { describe, expect, it } from 'vitest';
import { FileError, UsageError } from '../../src/errors.js';
import { type XlsxColumn, XLSX_MAX_ROWS, checkXlsxRows, dateSerial, writeXlsx } from '../../src/io/xlsx-writer.js';

type Row = Record<string, string | number | null>;

const col = (header: string, kind: XlsxColumn<Row>['kind']): XlsxColumn<Row> => ({ header, kind, get: (r) => r[header] ?? null });

/** Collects what is written; `delay` answers every write later, so the writer meets backpressure. */
function sink(options: { delay?: boolean; fail?: string } = {}): Writable & { bytes: () => Promise<Buffer> } {
  const chunks: Buffer[] = [];
  const stream = new Writable({
    highWaterMark: 1024,
    write(chunk: Buffer, _enc, cb) {
      if (options.fail) {
        const err = Object.assign(new Error(`${options.fail}: no space left on device`), { code: options.fail });
        return setImmediate(() => cb(err));
      }
      chunks.push(chunk);
      if (options.delay) setImmediate(cb);
      else cb();
    },
  });
  // what the writer wrote may still wait in the stream's queue: end it and wait, as export does
  const bytes = async () => {
    await new Promise((resolve) => stream.end(resolve));
    return Buffer.concat(chunks);
  };
  return Object.assign(stream, { bytes });
}

/** The entries of a zip, checked the way unzip -t does: central directory, local headers, CRCs. */
function unzip(zip: Buffer): Map<string, { method: number; data: Buffer }> {
  const end = zip.lastIndexOf(Buffer.from([0x50, 0x4b, 0x05, 0x06]));
  expect(end).toBeGreaterThan(0);
  const count = zip.readUInt16LE(end + 10);
  let p = zip.readUInt32LE(end + 16);
  const entries = new Map<string, { method: number; data: Buffer }>();
  for (let n = 0; n < count; n++) {
    expect(zip.readUInt32LE(p)).toBe(0x02014b50);
    const method = zip.readUInt16LE(p + 10);
    const crc = zip.readUInt32LE(p + 16);
    const compressed = zip.readUInt32LE(p + 20);
    const size = zip.readUInt32LE(p + 24);
    const nameLength = zip.readUInt16LE(p + 28);
    const offset = zip.readUInt32LE(p + 42);
    const name = zip.toString('utf8', p + 46, p + 46 + nameLength);
    expect(zip.readUInt32LE(offset), name).toBe(0x04034b50);
    const start = offset + 30 + zip.readUInt16LE(offset + 26) + zip.readUInt16LE(offset + 28);
    const raw = zip.subarray(start, start + compressed);
    const data = method === 8 ? zlib.inflateRawSync(raw) : raw;
    expect(data.length, name).toBe(size);
    expect(zlib.crc32(data), name).toBe(crc);
    entries.set(name, { method, data });
    p += 46 + nameLength + zip.readUInt16LE(p + 30) + zip.readUInt16LE(p + 32);
  }
  return entries;
}

async function readBack(bytes: Buffer): Promise<ExcelJS.Worksheet> {
  const workbook = new ExcelJS.Workbook();
  await workbook.xlsx.load(bytes as unknown as ArrayBuffer);
  return workbook.worksheets[0]!;
}

const COLUMNS = [col('id', 'number'), col('text', 'text'), col('date', 'date'), col('money', 'number')];

const CASES: { row: Row; type: ExcelJS.ValueType; value: unknown; numFmt?: string }[] = [
  { row: { text: '01067' }, type: ExcelJS.ValueType.String, value: '01067' },
  { row: { text: '+49 351 4711000' }, type: ExcelJS.ValueType.String, value: '+49 351 4711000' },
  { row: { text: '=1+1' }, type: ExcelJS.ValueType.String, value: '=1+1' },
  { row: { text: '=HYPERLINK("http://x")' }, type: ExcelJS.ValueType.String, value: '=HYPERLINK("http://x")' },
  { row: { text: 'Jürgen Müller – Großkunde, Königstraße' }, type: ExcelJS.ValueType.String, value: 'Jürgen Müller – Großkunde, Königstraße' },
  { row: { text: 'Schäfer & Söhne <KG>' }, type: ExcelJS.ValueType.String, value: 'Schäfer & Söhne <KG>' },
  { row: { text: '  spaces kept  ' }, type: ExcelJS.ValueType.String, value: '  spaces kept  ' },
  { row: { text: 'Zeile 1\nZeile 2' }, type: ExcelJS.ValueType.String, value: 'Zeile 1\nZeile 2' },
  { row: { text: 'bell\u0007 dropped' }, type: ExcelJS.ValueType.String, value: 'bell dropped' },
  { row: { text: 'emoji 🎂 kept' }, type: ExcelJS.ValueType.String, value: 'emoji 🎂 kept' },
  { row: { text: 'true' }, type: ExcelJS.ValueType.String, value: 'true' },
  { row: { date: '2024-02-29' }, type: ExcelJS.ValueType.Date, value: new Date(Date.UTC(2024, 1, 29)), numFmt: 'yyyy-mm-dd' },
  { row: { date: '1900-03-01' }, type: ExcelJS.ValueType.Date, value: new Date(Date.UTC(1900, 2, 1)), numFmt: 'yyyy-mm-dd' },
  { row: { date: '--05-10' }, type: ExcelJS.ValueType.String, value: '--05-10' },
  { row: { date: '2023-02-29' }, type: ExcelJS.ValueType.String, value: '2023-02-29' },
  { row: { date: '1899-12-31' }, type: ExcelJS.ValueType.String, value: '1899-12-31' },
  { row: { date: '2026-11-26T10:00:00.000Z' }, type: ExcelJS.ValueType.String, value: '2026-11-26T10:00:00.000Z' },
  { row: { money: 1234567.89 }, type: ExcelJS.ValueType.Number, value: 1234567.89 },
  { row: { money: 0 }, type: ExcelJS.ValueType.Number, value: 0 },
  { row: { money: -12.5 }, type: ExcelJS.ValueType.Number, value: -12.5 },
  { row: { money: '42' }, type: ExcelJS.ValueType.Number, value: 42 },
  { row: { money: 'n/a' }, type: ExcelJS.ValueType.String, value: 'n/a' },
];

describe('writeXlsx', () => {
  it('writes every cell with the type a spreadsheet must see', async () => {
    const out = sink();
    const rows = CASES.map((c, i) => ({ id: i + 1, ...c.row }));
    expect(await writeXlsx(rows, COLUMNS, out, 'test.xlsx')).toBe(CASES.length);
    const sheet = await readBack(await out.bytes());
    expect(sheet.name).toBe('Customers');
    expect(sheet.getRow(1).values).toEqual([undefined, 'id', 'text', 'date', 'money']);
    CASES.forEach((c, i) => {
      const row = sheet.getRow(i + 2);
      expect(row.getCell(1).value).toBe(i + 1);
      const column = Object.keys(c.row)[0]!;
      const cell = row.getCell(COLUMNS.findIndex((x) => x.header === column) + 1);
      const label = JSON.stringify(c.row);
      expect(cell.type, label).toBe(c.type);
      expect(cell.value, label).toEqual(c.value);
      if (c.numFmt) expect(cell.numFmt, label).toBe(c.numFmt);
      // nothing else in the row: empty values are no cells
      expect(row.cellCount, label).toBe(COLUMNS.findIndex((x) => x.header === column) + 1);
    });
  });

  it('freezes the header row and writes no formula', async () => {
    const out = sink();
    await writeXlsx([{ id: 1, text: '=SUM(A1:A2)' }], COLUMNS, out, 'test.xlsx', 'Kunden');
    const bytes = await out.bytes();
    const sheet = await readBack(bytes);
    expect(sheet.name).toBe('Kunden');
    expect(sheet.views[0]).toMatchObject({ state: 'frozen', ySplit: 1 });
    const xml = unzip(bytes).get('xl/worksheets/sheet1.xml')!.data.toString('utf8');
    expect(xml).not.toContain('<f>');
    expect(xml).toContain('<t>=SUM(A1:A2)</t>');
  });

  it('is a well-formed zip: the parts, each CRC, the sheet deflated', async () => {
    const out = sink();
    await writeXlsx([{ id: 1, date: '2020-03-01' }], COLUMNS, out, 'test.xlsx');
    const entries = unzip(await out.bytes());
    expect([...entries.keys()].sort()).toEqual([
      '[Content_Types].xml',
      '_rels/.rels',
      'docProps/app.xml',
      'xl/_rels/workbook.xml.rels',
      'xl/sharedStrings.xml',
      'xl/styles.xml',
      'xl/workbook.xml',
      'xl/worksheets/sheet1.xml',
    ]);
    expect(entries.get('xl/worksheets/sheet1.xml')!.method).toBe(8);
    // 2020-03-01 is day 43891 since 1899-12-30, in the date style
    expect(entries.get('xl/worksheets/sheet1.xml')!.data.toString()).toContain('<c r="C2" s="1"><v>43891</v></c>');
    expect(entries.get('xl/styles.xml')!.data.toString()).toContain('formatCode="yyyy-mm-dd"');
  });

  it('waits for a slow target instead of buffering, and loses no row', async () => {
    const out = sink({ delay: true });
    const rows = (function* () {
      for (let i = 1; i <= 30_000; i++) yield { id: i, text: `Zeile ${i} – ${'ä'.repeat(i % 50)}`, date: '2021-06-15', money: i / 100 };
    })();
    expect(await writeXlsx(rows, COLUMNS, out, 'slow.xlsx')).toBe(30_000);
    const xml = unzip(await out.bytes()).get('xl/worksheets/sheet1.xml')!.data.toString('utf8');
    // (toContain would print all 3 MB on a failure)
    expect(xml.match(/<row /g)?.length).toBe(30_001);
    expect(xml.includes(`<c r="B30000" t="inlineStr"><is><t>Zeile 29999 – ${'ä'.repeat(49)}</t></is></c>`)).toBe(true);
    expect(xml.includes('<c r="B30001" t="inlineStr"><is><t xml:space="preserve">Zeile 30000 – </t></is></c>')).toBe(true);
  });

  it('a target that fails is a FileError naming it', async () => {
    const out = sink({ fail: 'ENOSPC' });
    const rows = Array.from({ length: 5000 }, (_, i) => ({ id: i, text: 'x'.repeat(100) }));
    await expect(writeXlsx(rows, COLUMNS, out, 'full.xlsx')).rejects.toThrow(new FileError('full.xlsx could not be written (ENOSPC); it is incomplete.'));
  });

  it('refuses a sheet name Excel would refuse', async () => {
    await expect(writeXlsx([], COLUMNS, sink(), 'x.xlsx', 'a/b')).rejects.toThrow(UsageError);
    await expect(writeXlsx([], COLUMNS, sink(), 'x.xlsx', 'x'.repeat(32))).rejects.toThrow(UsageError);
  });
});

describe('the row limit', () => {
  it('allows a header and 1,048,575 rows, no more', () => {
    expect(XLSX_MAX_ROWS).toBe(1_048_576);
    expect(() => checkXlsxRows(1_048_575)).not.toThrow();
    expect(() => checkXlsxRows(1_048_576)).toThrow(/1,048,576 profiles do not fit one xlsx sheet \(at most 1,048,575 rows\)/);
  });
});

describe('dateSerial', () => {
  it.each([
    ['1900-03-01', 61],
    ['1970-01-01', 25569],
    ['2020-03-01', 43891],
    ['2024-02-29', 45351],
    ['9999-12-31', 2958465],
    ['1900-02-28', null], // Excel's serials are off by one before March 1900
    ['1899-12-31', null],
    ['0050-01-01', null],
    ['2023-02-29', null],
    ['2024-04-31', null],
    ['2024-13-01', null],
    ['2024-00-10', null],
    ['2024- 1-05', null],
    ['--05-10', null],
    ['2024-01-05T10:00', null],
    ['', null],
  ])('%s → %s', (text, serial) => {
    expect(dateSerial(text)).toBe(serial);
  });
});
