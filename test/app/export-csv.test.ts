/**
 * `export --format csv` writes what SQLite makes of the rows (storage/profile-csv.ts, checked and
 * patched by ui/render.ts's renderCsvBlocks). These tests hold it to the bytes of the plain path
 * (profiles read into JavaScript, then ui/csv.ts's csvRows) on a real file whose cells need every
 * kind of care: formula starts in every column, quotes, delimiters and line breaks, edge spaces of
 * all kinds, NUL, umlauts and emoji, custom fields, odd JSON, and enough rows for several blocks.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AppContext } from '../../src/app/context.js';
import { type CsvSource, exportProfiles } from '../../src/app/export-profiles.js';
import type { FilterOptions } from '../../src/app/filters.js';
import { type ProfileDraft, emptyDraft } from '../../src/domain/profile.js';
import type { Kind } from '../../src/domain/fields.js';
import { type Store, openStore } from '../../src/storage/store.js';
import { type CsvOptions } from '../../src/ui/csv.js';
import { Output, type WritableLike } from '../../src/ui/output.js';
import { csvColumns } from '../../src/ui/records.js';
import { renderCsvFromSqlite, renderList } from '../../src/ui/render.js';
import { profileListView } from '../../src/ui/views.js';

const NOW = '2026-11-22T10:00:00.000Z';
const EXCEL: CsvOptions = { bom: true, delimiter: ';', eol: '\r\n' };

let dir: string;
let store: Store;
let ctx: AppContext;

/** Text that needs care in a CSV cell, one kind each; all ASCII where it matters. */
const AWKWARD = [
  '=SUM(A1)', '+49 351 1', '-5', '@user', '\tTab', '\rCR', ' lead', 'trail ', 'a"b', '"quoted"', 'a,b', 'a;b', 'a|b',
  'a\tb', 'line\nbreak', 'line\r\nbreak', 'Müller–Lüdenscheidt „Grüße“ 😀', '', "'quote", '"', ' ', '=', 'x\u000b',
  '\u000cff', '\u0085nel', 'ß', 'René', 'Straße 5',
];

/** Spaces beyond ASCII (a block with one is read line by line), and NUL (where SQLite's GLOB stops). */
const WIDE = ['\u00a0nbsp', 'nbsp\u00a0', '\u3000ideo', 'ideo\u3000', '\ufeffbom', 'ls\u2028', 'mid\u2028dle', 'en\u2002space', '\u202fnarrow', 'nul\u0000inside'];

function draft(kind: Kind, fields: Partial<ProfileDraft>): ProfileDraft {
  return { ...emptyDraft(kind), name: 'x', ...fields };
}

function insert(kind: Kind, fields: Partial<ProfileDraft>): number {
  return store.profiles.insert(draft(kind, fields), NOW);
}

/** Writes into memory what a command would write to a file. */
function memoryOutput(): { out: Output; bytes: () => Buffer } {
  const parts: Buffer[] = [];
  const stream: WritableLike = {
    write: (chunk) => {
      parts.push(Buffer.from(chunk));
      return true;
    },
    once: () => stream,
    on: () => stream,
  };
  return { out: new Output(stream), bytes: () => Buffer.concat(parts) };
}

/** The CSV of the plain path: profiles read into JavaScript, then csvRows. */
async function plainCsv(filters: FilterOptions, sort?: string, csv?: CsvOptions): Promise<Buffer> {
  const data = exportProfiles(ctx, filters, sort);
  const { out, bytes } = memoryOutput();
  await renderList(data.rows, profileListView(data.customKeys), 'csv', out, { color: false, csv });
  return bytes();
}

/** The CSV that `export --format csv` writes, and how many rows SQLite gave line by line. */
async function exportedCsv(filters: FilterOptions, sort?: string, csv: CsvOptions = {}): Promise<{ bytes: Buffer; count: number; lineByLine: number }> {
  const data = exportProfiles(ctx, filters, sort);
  const { out, bytes } = memoryOutput();
  const source = data.csv(csv.delimiter ?? ',', csv.eol ?? '\n');
  let lineByLine = 0;
  const counted: CsvSource = {
    ...source,
    *blockLines(cells, skip) {
      for (const line of source.blockLines(cells, skip)) {
        lineByLine++;
        yield line;
      }
    },
  };
  try {
    const count = await renderCsvFromSqlite(counted, csvColumns(data.customKeys), data.byId, out, csv);
    return { bytes: bytes(), count, lineByLine };
  } finally {
    data.close();
  }
}

beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'custfile-export-csv-'));
  store = openStore(path.join(dir, 'customers.db'), { write: true });
  ctx = { store, clock: { today: () => '2026-11-22', now: () => NOW }, source: 'cli' };
  store.write(() => {
    const company = insert('company', { name: 'Elbwerk GmbH', legal_form: 'GmbH', revenue: 123456789, headcount: 42, city: 'Dresden', tags: ['b2b', 'key-account'] });
    // blocks are 4096 rows: the first all plain, the next with awkward rows in the middle, the
    // third with wide spaces, the fourth with bytes that are not UTF-8
    for (let i = 0; i < 16000; i++) {
      insert('person', {
        name: `Jörg Schröder ${i}`,
        first_name: 'Jörg',
        last_name: 'Schröder',
        company_id: i % 3 === 0 ? company : null,
        decision_maker: i % 3 === 0 ? i % 2 === 0 : null,
        birthday: i % 20 === 0 ? '--05-10' : '1988-12-11',
        phone: i % 2 === 0 ? '+49 351 1234567' : null,
        street: 'Grüner Weg 81',
        postcode: '01067',
        city: i % 7 === 0 ? 'Dresden' : 'Leipzig',
        lifecycle: 'customer',
        tags: i % 4 === 0 ? ['b2c', 'newsletter'] : i % 4 === 1 ? ['vip'] : [],
        notes: i % 5 === 0 ? 'Angebot vom 12.03. nachfassen, "Paket B" favorisiert\nBudget offen' : null,
        custom: i % 6 === 0 ? { messe: 'bauma 2025', zahlungsziel: '60 Tage' } : {},
      });
      if (i === 2000) insertFreeText(AWKWARD);
      if (i === 6000) insertAwkward(company, AWKWARD);
      if (i === 10000) insertAwkward(company, WIDE);
      if (i === 14000) {
        const broken = insert('person', { name: 'not UTF-8' });
        store.db.sqlite.prepare("UPDATE profiles SET notes = CAST(x'41ff42' AS TEXT), city = CAST(x'c3' AS TEXT) WHERE id = ?").run(broken);
      }
    }
    insert('company', { name: 'Minus AG', revenue: -5, city: 'Dresden' });
    // a column that SQLite does not quote, needing quotes in every row
    for (let i = 0; i < 5000; i++) insert('person', { name: `Komma ${i}`, street: 'Hauptstr. 5, Hinterhaus', city: 'Komma' });
    // a line break in the last cell (updated_at, where no custom field is in use), before what
    // reads as a whole line: where a line ends is known from its length, not from its bytes
    const broken = insert('company', { name: 'Zeilenbruch AG' });
    store.db.sqlite.prepare('UPDATE profiles SET updated_at = ? WHERE id = ?').run(`x\n${Array(39).fill('a').join(',')}`, broken);
    insert('company', { name: 'Cent AG', revenue: 5, headcount: 0 });
    // JSON that custfile does not write itself, but that a file may hold
    const odd = insert('person', { name: 'odd json' });
    store.db.sqlite
      .prepare(`UPDATE profiles SET tags = ?, custom = ? WHERE id = ?`)
      .run('[ "a" , "b\\"c" , null ]', '{"messe":"first","messe":"second","x\\u00fcy":"escaped","\\u00fc k":"=1"}', odd);
  });
});

/** One profile per awkward text, that text in every text field, a custom field and a tag. */
function insertAwkward(company: number, texts: readonly string[]): void {
  for (const text of texts) {
    insert('person', {
      name: text || 'empty',
      external_id: null,
      company_id: company,
      role: text, first_name: text, last_name: text, birthday: text, profession: text, household: text,
      income_band: text, email: text, phone: text, street: text, postcode: text, city: text, region: text,
      country: text, lifecycle: text, source: text, customer_since: text, next_contact: text,
      reviewed_at: text, notes: text,
      tags: text && !text.includes(',') ? [text, 'vip'] : [],
      custom: { messe: text, name: text, 'Lieblings farbe': text, 'a"b': text, 'constructor': text },
    });
  }
}

/**
 * The same texts only where SQLite guards and quotes them itself (notes, tags, custom fields), and
 * formula starts where it only guards (phone, birthday), so that the lines pass their check as
 * SQLite wrote them.
 */
function insertFreeText(texts: readonly string[]): void {
  for (const text of texts) {
    insert('person', {
      name: 'free text',
      notes: text,
      tags: text && !text.includes(',') ? [text, 'vip'] : [],
      custom: { messe: text, 'a"b': text },
    });
  }
  for (const text of ['=1', '+49 351 1', '-5', '@x', '--05-10', '=']) insert('person', { name: 'guarded', phone: text, birthday: text });
}

afterAll(() => {
  store.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

describe('export --format csv', () => {
  it('is the same bytes as the plain path, on every kind of cell', async () => {
    const plain = await plainCsv({});
    const { bytes, count } = await exportedCsv({});
    expect(bytes.equals(plain)).toBe(true);
    expect(count).toBe(store.profiles.count(null));
    expect(bytes.toString('utf8')).toContain(",'+49 351 1234567,");
  });

  it('the same for --excel (BOM, ; and CRLF)', async () => {
    const plain = await plainCsv({}, undefined, EXCEL);
    const { bytes } = await exportedCsv({}, undefined, EXCEL);
    expect(bytes.subarray(0, 3)).toEqual(Buffer.from([0xef, 0xbb, 0xbf]));
    expect(bytes.equals(plain)).toBe(true);
  });

  it('the same with filters, and sorted (read line by line)', async () => {
    for (const [filters, sort] of [[{ city: 'Dresden' }, undefined], [{ kind: 'company' }, undefined], [{ where: "lifecycle = 'customer'" }, undefined], [{}, 'name'], [{ city: 'Dresden' }, '-revenue,city']] as [FilterOptions, string | undefined][]) {
      const plain = await plainCsv(filters, sort);
      const { bytes } = await exportedCsv(filters, sort);
      expect(bytes.equals(plain), JSON.stringify([filters, sort])).toBe(true);
    }
  });

  it('asks SQLite to quote a column once a line needed it: one line by line, not one per row', async () => {
    for (const sort of [undefined, '-name']) {
      const { bytes, count, lineByLine } = await exportedCsv({ city: 'Komma' }, sort);
      expect(count).toBe(5000);
      expect(bytes.equals(await plainCsv({ city: 'Komma' }, sort))).toBe(true);
      expect(bytes.toString('utf8')).toContain(',"Hauptstr. 5, Hinterhaus",');
      expect(lineByLine, sort).toBe(1);
    }
  });

  it('the same from a file whose text is UTF-16 (its blocks are made line by line)', async () => {
    const file = path.join(dir, 'utf16.db');
    const raw = new Database(file);
    raw.pragma("encoding = 'UTF-16le'");
    raw.exec('CREATE TABLE t (x); DROP TABLE t;');
    raw.close();
    const utf16 = openStore(file, { write: true });
    const saved = ctx;
    try {
      ctx = { ...ctx, store: utf16 };
      utf16.write(() => {
        for (const text of AWKWARD) utf16.profiles.insert(draft('person', { name: text || 'x', street: text, notes: text, phone: text, custom: { messe: text } }), NOW);
      });
      expect(utf16.profiles.textIsUtf8()).toBe(false);
      for (const sort of [undefined, 'name']) {
        const { bytes } = await exportedCsv({}, sort);
        expect(bytes.equals(await plainCsv({}, sort)), sort).toBe(true);
      }
    } finally {
      ctx = saved;
      utf16.close();
    }
  });

  it('an export that matches nothing is the header alone', async () => {
    const { bytes, count } = await exportedCsv({ city: 'Nowhere' });
    expect(count).toBe(0);
    expect(bytes.equals(await plainCsv({ city: 'Nowhere' }))).toBe(true);
  });

  it('ends its read snapshot when done', async () => {
    await exportedCsv({});
    expect(store.inTransaction).toBe(false);
  });
});
