/**
 * The xlsx reader on sheets large enough that the zip hands them over in many chunks: every
 * character must come through whole however its UTF-8 bytes fall on a chunk boundary, in inline
 * strings (our export) and in shared strings read before or after the sheet (Excel, exceljs).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import ExcelJS from 'exceljs';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { isDateFormat, openXlsxSource, wholeStrings, zeroPadding } from '../../src/io/xlsx-source.js';
import { writeXlsx } from '../../src/io/xlsx-writer.js';
import { ZipWriter } from '../../src/io/zip-writer.js';

let dir: string;
beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'custfile-xlsx-'));
});
afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

const ROWS = 6000;
/** Only multi-byte characters (2, 3 and 4 bytes), so nearly every chunk boundary inside a text splits one. */
const text = (i: number) => `${'äöüß€–🎂'.repeat(1 + (i % 7))}${'ÄÖÜ'.slice(0, i % 3)} ${i}`;

/**
 * An xlsx written part by part (what exceljs's writer cannot be made to write): one sheet
 * "Kunden" of `rows`, shared `strings`, workbook.xml stored first or (`workbookLast`) last.
 */
async function handMadeXlsx(file: string, parts: { strings: string; rows: string; workbookLast?: boolean }): Promise<void> {
  const out = fs.createWriteStream(file);
  const zip = new ZipWriter(out, file);
  const xml = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>';
  const main = 'http://schemas.openxmlformats.org/spreadsheetml/2006/main';
  const rel = 'http://schemas.openxmlformats.org/officeDocument/2006/relationships';
  const workbook = () => zip.addFile('xl/workbook.xml', `${xml}<workbook xmlns="${main}" xmlns:r="${rel}"><sheets><sheet name="Kunden" sheetId="1" r:id="rId1"/></sheets></workbook>`);
  await zip.addFile('[Content_Types].xml', `${xml}<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/><Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/></Types>`);
  await zip.addFile('_rels/.rels', `${xml}<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="${rel}/officeDocument" Target="xl/workbook.xml"/></Relationships>`);
  if (!parts.workbookLast) await workbook();
  await zip.addFile('xl/_rels/workbook.xml.rels', `${xml}<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="${rel}/worksheet" Target="worksheets/sheet1.xml"/></Relationships>`);
  await zip.addFile('xl/sharedStrings.xml', `${xml}<sst xmlns="${main}">${parts.strings}</sst>`);
  await zip.addFile('xl/worksheets/sheet1.xml', `${xml}<worksheet xmlns="${main}"><sheetData>${parts.rows}</sheetData></worksheet>`);
  if (parts.workbookLast) await workbook();
  await zip.finish();
  await new Promise<void>((resolve) => out.end(resolve));
}

async function readAll(file: string): Promise<string[][]> {
  const source = await openXlsxSource(file, {});
  const rows = [source.headers];
  for await (const row of source.rows) rows.push(row.cells);
  return rows;
}

const expected = () => [['Name', 'Ort'], ...Array.from({ length: ROWS }, (_, i) => [text(i), `Görlitz ${i}`])];

describe('openXlsxSource keeps every character whole', () => {
  it('in our own export (inline strings)', async () => {
    const file = path.join(dir, 'ours.xlsx');
    const rows = Array.from({ length: ROWS }, (_, i) => [text(i), `Görlitz ${i}`]);
    const columns = [
      { header: 'Name', kind: 'text' as const, get: (r: string[]) => r[0]! },
      { header: 'Ort', kind: 'text' as const, get: (r: string[]) => r[1]! },
    ];
    const out = fs.createWriteStream(file);
    await writeXlsx(rows, columns, out, file);
    await new Promise((resolve) => out.end(resolve));
    expect(await readAll(file)).toEqual(expected());
  });

  it('in shared strings, as Excel writes them', async () => {
    const file = path.join(dir, 'shared.xlsx');
    const workbook = new ExcelJS.stream.xlsx.WorkbookWriter({ filename: file, useSharedStrings: true });
    const sheet = workbook.addWorksheet('Tabelle1');
    sheet.addRow(['Name', 'Ort']).commit();
    for (let i = 0; i < ROWS; i++) sheet.addRow([text(i), `Görlitz ${i}`]).commit();
    sheet.commit();
    await workbook.commit();
    expect(await readAll(file)).toEqual(expected());
  });
});

describe('openXlsxSource reads a sheet as Excel shows it', () => {
  it('a whole number formatted with leading zeros (Excel\'s "Zip Code", 00000) keeps them', async () => {
    const file = path.join(dir, 'plz.xlsx');
    const workbook = new ExcelJS.Workbook();
    const sheet = workbook.addWorksheet('Kunden');
    sheet.addRow(['Name', 'PLZ', 'Anzahl']);
    const row = sheet.addRow(['Elbwerk', 1067, 7]);
    row.getCell(2).numFmt = '00000';
    row.getCell(3).numFmt = '0';
    sheet.addRow(['Ohne Format', 1067, 7]);
    await workbook.xlsx.writeFile(file);
    expect(await readAll(file)).toEqual([['Name', 'PLZ', 'Anzahl'], ['Elbwerk', '01067', '7'], ['Ohne Format', '1067', '7']]);
  });

  it('without --sheet, the first tab, also when the tabs were reordered and it is stored second', async () => {
    const file = path.join(dir, 'tabs.xlsx');
    const workbook = new ExcelJS.Workbook();
    workbook.addWorksheet('Kunden').addRow(['Name']);
    workbook.getWorksheet('Kunden')!.addRow(['aus Kunden']);
    workbook.addWorksheet('Other').addRow(['Name']);
    workbook.getWorksheet('Other')!.addRow(['aus Other']);
    // tab order: Other first (what dragging the tab does); the sheets stay stored as they were
    (workbook.getWorksheet('Other')! as unknown as { orderNo: number }).orderNo = 0;
    (workbook.getWorksheet('Kunden')! as unknown as { orderNo: number }).orderNo = 1;
    await workbook.xlsx.writeFile(file);
    const rows = await readAll(file);
    expect(rows[1]).toEqual(['aus Other']);
    const named = await openXlsxSource(file, { sheet: 'Kunden' });
    for await (const row of named.rows) expect(row.cells).toEqual(['aus Kunden']);
  });

  it("a formula's date result is a date (=HEUTE()+30 under a date format), a number result stays a number", async () => {
    const file = path.join(dir, 'formula-date.xlsx');
    const workbook = new ExcelJS.Workbook();
    const sheet = workbook.addWorksheet('Kunden');
    sheet.addRow(['Name', 'Nächster Kontakt', 'Summe']);
    const row = sheet.addRow(['Elbwerk', { formula: 'DATE(2026,12,3)', result: 46359 }, { formula: '1+1', result: 2 }]);
    row.getCell(2).numFmt = 'dd.mm.yyyy';
    row.getCell(3).numFmt = '0';
    await workbook.xlsx.writeFile(file);
    expect((await readAll(file))[1]).toEqual(['Elbwerk', '2026-12-03', '2']);
  });

  it('a sheet stored before workbook.xml is read (exceljs met it without a model)', async () => {
    const file = path.join(dir, 'late-workbook.xlsx');
    await handMadeXlsx(file, {
      strings: '<si><t>Name</t></si><si><t>Jörg</t></si>',
      rows: '<row r="1"><c r="A1" t="s"><v>0</v></c></row><row r="2"><c r="A2" t="s"><v>1</v></c></row>',
      workbookLast: true,
    });
    expect(await readAll(file)).toEqual([['Name'], ['Jörg']]);
  });

  it("reads a name's text, not its phonetic reading, and every run of an inline rich string", async () => {
    const file = path.join(dir, 'runs.xlsx');
    await handMadeXlsx(file, {
      strings: '<si><t>Name</t></si><si><t>Vorname</t></si><si><t>山田</t><rPh sb="0" eb="2"><t>ヤマダ</t></rPh><phoneticPr fontId="1"/></si>',
      rows: '<row r="1"><c r="A1" t="s"><v>0</v></c><c r="B1" t="s"><v>1</v></c></row><row r="2"><c r="A2" t="s"><v>2</v></c><c r="B2" t="inlineStr"><is><r><t>An</t></r><r><rPr><i/></rPr><t xml:space="preserve">na </t></r><r><t>Lena</t></r></is></c></row>',
    });
    expect(await readAll(file)).toEqual([['Name', 'Vorname'], ['山田', 'Anna Lena']]);
  });

  it('wholeStrings puts elements cut between chunks together before it fixes them', async () => {
    const text = '<si><t>山田</t><rPh sb="0" eb="2"><t>ヤマダ</t></rPh></si><c t="inlineStr"><is><r><t>An</t></r><r><t>na</t></r></is></c>';
    for (let size = 1; size <= 7; size++) {
      const chunks = async function* () {
        for (let i = 0; i < text.length; i += size) yield text.slice(i, i + size);
      };
      let joined = '';
      for await (const piece of wholeStrings(chunks())) joined += piece;
      expect(joined, `chunks of ${size}`).toBe('<si><t>山田</t></si><c t="inlineStr"><is><t xml:space="preserve">Anna</t></is></c>');
    }
  });

  it('a title above the header is skipped; a one-column sheet keeps every row', async () => {
    const titled = path.join(dir, 'titled.xlsx');
    const workbook = new ExcelJS.Workbook();
    const sheet = workbook.addWorksheet('Kunden');
    sheet.addRow(['Kundenliste Stand 27.11.2026']);
    sheet.addRow([]);
    sheet.addRow(['Vorname', 'Nachname', 'Ort']);
    sheet.addRow(['Anna', 'Berg', 'Dresden']);
    await workbook.xlsx.writeFile(titled);
    expect(await readAll(titled)).toEqual([['Vorname', 'Nachname', 'Ort'], ['Anna', 'Berg', 'Dresden']]);
    const single = path.join(dir, 'single.xlsx');
    const one = new ExcelJS.Workbook();
    const col = one.addWorksheet('E-Mails');
    for (const v of ['E-Mail', 'a@x.de', 'b@x.de', 'c@x.de']) col.addRow([v]);
    await one.xlsx.writeFile(single);
    expect(await readAll(single)).toEqual([['E-Mail'], ['a@x.de'], ['b@x.de'], ['c@x.de']]);
    // a title and nothing below it: the title is the header, and there are no rows
    const bare = path.join(dir, 'bare.xlsx');
    const onlyTitle = new ExcelJS.Workbook();
    onlyTitle.addWorksheet('Kunden').addRow(['Kundenliste Stand 27.11.2026']);
    await onlyTitle.xlsx.writeFile(bare);
    expect(await readAll(bare)).toEqual([['Kundenliste Stand 27.11.2026']]);
  });

  it('tells date formats from number formats', () => {
    const dates = ['dd.mm.yyyy', 'm/d/yy', 'mm-dd-yy', '[$-407]d. mmmm yyyy', 'yyyy-mm-dd;@', 'd-mmm'];
    const numbers = ['0', '00000', '#,##0.00', '0.00 "days"', '#,##0.00 [$€-407]', 'General', '@'];
    expect(dates.filter(isDateFormat)).toEqual(dates);
    expect(numbers.filter(isDateFormat)).toEqual([]);
  });

  it('zero padding is read from the formats Excel and LibreOffice write for postcodes', () => {
    const cases: [string, number][] = [['00000', 5], ['00000;@', 5], ['"D-"00000', 5], ['[$-407]00000', 5], ['000 00', 5], ['0000', 4], ['0', 0], ['#,##0', 0], ['0.00', 0], ['00000.00', 0], ['@', 0], ['General', 0]];
    expect(cases.map(([format]) => [format, zeroPadding(format)])).toEqual(cases);
  });

  it('a hidden first sheet is not the default one', async () => {
    const file = path.join(dir, 'hidden.xlsx');
    const workbook = new ExcelJS.Workbook();
    const hidden = workbook.addWorksheet('Intern', { state: 'hidden' });
    hidden.addRow(['Name']);
    hidden.addRow(['geheim']);
    const visible = workbook.addWorksheet('Kunden');
    visible.addRow(['Name']);
    visible.addRow(['sichtbar']);
    await workbook.xlsx.writeFile(file);
    expect((await readAll(file))[1]).toEqual(['sichtbar']);
  });

  it('a missing file or a folder is one sentence naming it', async () => {
    await expect(openXlsxSource(path.join(dir, 'nope.xlsx'), {})).rejects.toThrow(`${path.join(dir, 'nope.xlsx')} cannot be read (it does not exist).`);
    fs.mkdirSync(path.join(dir, 'd.xlsx'));
    await expect(openXlsxSource(path.join(dir, 'd.xlsx'), {})).rejects.toThrow('cannot be read (it is a folder).');
  });
});

describe('openXlsxSource counts what it inflates', () => {
  it('a zip whose directory declares less than an entry holds is refused at the declared size (a bomb in disguise)', async () => {
    const file = path.join(dir, 'liar.xlsx');
    const workbook = new ExcelJS.Workbook();
    const sheet = workbook.addWorksheet('S');
    sheet.addRow(['name', 'email']);
    for (let i = 0; i < 2000; i++) sheet.addRow([`Person ${i}`, `p${i}@example.org`]);
    await workbook.xlsx.writeFile(file);
    const original = fs.readFileSync(file);
    // declare 1,000 bytes for an entry, in its local header and in the central directory
    for (const entry of ['xl/worksheets/sheet1.xml', 'xl/sharedStrings.xml']) {
      const bytes = Buffer.from(original);
      const name = Buffer.from(entry);
      for (let i = 0; i + 46 < bytes.length; i++) {
        const signature = bytes.readUInt32LE(i);
        if (signature === 0x04034b50 && bytes.subarray(i + 30, i + 30 + bytes.readUInt16LE(i + 26)).equals(name)) bytes.writeUInt32LE(1000, i + 22);
        if (signature === 0x02014b50 && bytes.subarray(i + 46, i + 46 + bytes.readUInt16LE(i + 28)).equals(name)) bytes.writeUInt32LE(1000, i + 24);
      }
      fs.writeFileSync(file, bytes);
      // one sentence, however deep in the workbook the entry is read
      await expect(readAll(file)).rejects.toThrow(new RegExp(`^${file.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')} holds more than its zip directory declares \\(${entry.replace(/[./]/g, '\\$&')} inflates past 1,000 bytes\\); it looks like a zip bomb and was not read\\.$`));
    }
  });
});
