/**
 * Our xlsx export as a real spreadsheet sees it: LibreOffice Calc (Debian's
 * libreoffice-calc-nogui; `.ci/run` installs it) converts it to CSV, quoting every text cell, and
 * that CSV must hold what our own CSV export holds, cell for cell, with the types right: postcodes,
 * phones and `=1+1` are text, money and counts numbers, dates shown as dates (a date cell is no
 * text and shows yyyy-mm-dd, not a day number). Skipped where no `soffice` is installed.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { parse } from 'csv-parse/sync';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ROOT, type Sandbox, sandbox } from './helpers.js';

const soffice = ['soffice', 'libreoffice'].find((candidate) => spawnSync(candidate, ['--version'], { stdio: 'ignore' }).status === 0);

let sb: Sandbox;
beforeEach(() => {
  sb = sandbox();
});
afterEach(() => sb.cleanup());

interface Cell {
  text: string;
  quoted: boolean;
}

/** CSV rows whose cells say whether they were quoted. */
function readCsv(file: string): Cell[][] {
  return parse(fs.readFileSync(file, 'utf8'), {
    relax_column_count: true,
    cast: (text: string, context: { quoting: boolean }) => ({ text, quoted: context.quoting }) as never,
  }) as unknown as Cell[][];
}

describe.skipIf(!soffice)('xlsx export read by LibreOffice', () => {
  it('has every cell of the CSV export, text as text, numbers as numbers, dates as dates', () => {
    expect(sb.run(['import', path.join(ROOT, 'fixtures', 'customers.csv')]).code).toBe(0);
    const set = (ref: string, ...pairs: string[]) => {
      const r = sb.run(['update', ref, ...pairs.flatMap((p) => ['--set', p])]);
      expect(r.code, r.stderr).toBe(0);
    };
    set('K-1011', 'notes==1+1', 'custom.Lieblingsfarbe=Grün');
    set('K-1001', 'notes=Schäfer & Söhne <KG>\nZeile 2', 'reviewed_at=2024-02-29');

    const xlsx = path.join(sb.dir, 'all.xlsx');
    const csv = path.join(sb.dir, 'all.csv');
    expect(sb.run(['export', '--out', xlsx]).code).toBe(0);
    expect(sb.run(['export', '--out', csv]).code).toBe(0);

    // 44,34,76: comma, double quote, UTF-8; the 7th token quotes every text cell, the 9th
    // writes cells as shown (so a date cell shows its yyyy-mm-dd format)
    const filter = 'csv:Text - txt - csv (StarCalc):44,34,76,1,,0,true,true,true';
    const converted = spawnSync(soffice!, [`-env:UserInstallation=file://${path.join(sb.dir, 'lo-profile')}`, '--headless', '--convert-to', filter, '--outdir', path.join(sb.dir, 'lo'), xlsx], {
      encoding: 'utf8',
      timeout: 120_000,
    });
    const loCsv = path.join(sb.dir, 'lo', 'all.csv');
    expect(fs.existsSync(loCsv), `${converted.stdout}\n${converted.stderr}`).toBe(true);

    const lo = readCsv(loCsv);
    const ours = readCsv(csv);
    const header = ours[0]!.map((c) => c.text);
    expect(lo[0]!.map((c) => c.text)).toEqual(header);
    expect(lo).toHaveLength(ours.length);

    const numbers = new Set(['id', 'company_id', 'revenue', 'headcount', 'sales_total', 'sales_count']);
    const dates = new Set(['customer_since', 'next_contact', 'reviewed_at', 'last_sale']);
    let dateCells = 0;
    for (let r = 1; r < ours.length; r++) {
      header.forEach((name, c) => {
        const mine = ours[r]![c]!.text;
        const theirs = lo[r]![c] ?? { text: '', quoted: false };
        const where = `row ${r} ${name}`;
        if (mine === '') return expect(theirs.text, where).toBe('');
        if (numbers.has(name)) {
          expect(theirs.quoted, `${where} is a number`).toBe(false);
          return expect(Number(theirs.text), where).toBe(Number(mine));
        }
        if (dates.has(name)) {
          dateCells++;
          expect(theirs.quoted, `${where} is a date`).toBe(false);
          return expect(theirs.text, where).toBe(mine);
        }
        expect(theirs.quoted, `${where} is text`).toBe(true);
        // our CSV guards a leading = + - @ with ' (formula injection); the xlsx cell needs no guard
        expect(theirs.text, where).toBe(/^'[=+\-@\t\r]/.test(mine) ? mine.slice(1) : mine);
      });
    }
    expect(dateCells).toBeGreaterThan(5);

    const row = (ref: string) => lo.find((cells) => cells[header.indexOf('external_id')]!.text === ref)!;
    const cell = (ref: string, name: string) => row(ref)[header.indexOf(name)]!;
    expect(cell('K-1001', 'postcode')).toEqual({ text: '01067', quoted: true });
    expect(cell('K-1001', 'phone')).toEqual({ text: '+49 351 4711000', quoted: true });
    expect(cell('K-1001', 'revenue')).toEqual({ text: '2500000.5', quoted: false });
    expect(cell('K-1001', 'reviewed_at')).toEqual({ text: '2024-02-29', quoted: false });
    expect(cell('K-1001', 'notes')).toEqual({ text: 'Schäfer & Söhne <KG>\nZeile 2', quoted: true });
    expect(cell('K-1011', 'notes')).toEqual({ text: '=1+1', quoted: true });
    expect(cell('K-1011', 'Lieblingsfarbe')).toEqual({ text: 'Grün', quoted: true });
  });
});
