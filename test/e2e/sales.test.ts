/**
 * Transactions end to end: `sale`, `sales`, `import --sales`, and the derived fields
 * (sales_total, sales_count, last_sale) after each of them and after `forget` and `remove`.
 * Dates are in the past (a sale in the future is refused).
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type RunResult, type Sandbox, dumpDatabase, json, sandbox } from './helpers.js';

const PROFILES = `kind,external_id,name,first_name,last_name,industry,city,email
company,C1,Elbwerk GmbH,,,Maschinenbau,Dresden,info@elbwerk.example
company,C2,Nordlicht AG,,,IT,Berlin,info@nordlicht.example
person,P1,,Anna,Müller,,Dresden,anna@example.org
`;

interface Derived {
  id: number;
  sales_total_cents: number;
  sales_count: number;
  last_sale: string | null;
}

let sb: Sandbox;
beforeEach(() => {
  sb = sandbox();
  const file = path.join(sb.dir, 'profiles.csv');
  fs.writeFileSync(file, PROFILES);
  ok(sb.run(['import', file]));
});
afterEach(() => sb.cleanup());

function ok(r: RunResult): RunResult {
  if (r.code !== 0) throw new Error(`exit ${r.code}: ${r.stderr}`);
  return r;
}

function write(name: string, text: string): string {
  const file = path.join(sb.dir, name);
  fs.writeFileSync(file, text);
  return file;
}

/** The derived fields as stored, next to what the sales table says they must be. */
function derived(): { stored: Derived[]; expected: Derived[] } {
  const stored = sb.query<Derived>('SELECT id, sales_total_cents, sales_count, last_sale FROM profiles ORDER BY id');
  const expected = sb.query<Derived>(
    `SELECT p.id, coalesce(sum(s.amount_cents), 0) AS sales_total_cents, count(s.id) AS sales_count, max(s.date) AS last_sale
     FROM profiles p LEFT JOIN sales s ON s.profile_id = p.id GROUP BY p.id ORDER BY p.id`,
  );
  return { stored, expected };
}

function expectDerivedInStep(): Derived[] {
  const { stored, expected } = derived();
  expect(stored).toEqual(expected);
  return stored;
}

describe('custfile sale', () => {
  it('records sales exactly and keeps sales_total, sales_count and last_sale in step (refunds and back-dated sales too)', () => {
    const first = sb.run(['sale', 'C1', '0.10', '--date', '2025-03-01', '--item', 'Kaffee']);
    expect(first.code, first.stderr).toBe(0);
    expect(first.stderr).toMatch(/Recorded 0\.10 on 2025-03-01 for #1 Elbwerk GmbH; its sales: 1 totalling 0\.10, last 2025-03-01/);
    ok(sb.run(['sale', 'Elbwerk GmbH', '0,20', '--date', '2025-02-01']));
    ok(sb.run(['sale', 'info@elbwerk.example', '-0.05', '--date', '2025-01-15', '--item', 'Refund']));
    ok(sb.run(['sale', 'anna@example.org', '1.234,56', '--date', '2024-12-24']));
    expect(sb.query('SELECT profile_id, date, amount_cents, item, source FROM sales ORDER BY id')).toEqual([
      { profile_id: 1, date: '2025-03-01', amount_cents: 10, item: 'Kaffee', source: 'cli' },
      { profile_id: 1, date: '2025-02-01', amount_cents: 20, item: null, source: 'cli' },
      { profile_id: 1, date: '2025-01-15', amount_cents: -5, item: 'Refund', source: 'cli' },
      { profile_id: 3, date: '2024-12-24', amount_cents: 123456, item: null, source: 'cli' },
    ]);
    expect(expectDerivedInStep()).toEqual([
      { id: 1, sales_total_cents: 25, sales_count: 3, last_sale: '2025-03-01' },
      { id: 2, sales_total_cents: 0, sales_count: 0, last_sale: null },
      { id: 3, sales_total_cents: 123456, sales_count: 1, last_sale: '2024-12-24' },
    ]);
    // the derived fields as users see them, and usable in --where and --sort
    const shown = json<{ sales_total: number; sales_count: number; last_sale: string }>(ok(sb.run(['show', '1'])));
    expect(shown).toMatchObject({ sales_total: 0.25, sales_count: 3, last_sale: '2025-03-01' });
    const rich = json<{ id: number }[]>(ok(sb.run(['--format', 'json', 'list', '--where', 'sales_total > 0.25'])));
    expect(rich.map((p) => p.id)).toEqual([3]);
    const sorted = json<{ id: number }[]>(ok(sb.run(['--format', 'json', 'list', '--sort', '-sales_total'])));
    expect(sorted.map((p) => p.id)).toEqual([3, 1, 2]);
    const lapsed = json<{ id: number }[]>(ok(sb.run(['--format', 'json', 'list', '--where', 'sales_count > 0 and last_sale < 2025-01-01'])));
    expect(lapsed.map((p) => p.id)).toEqual([3]);
  });

  it('prints the sale as JSON with --format json', () => {
    const r = ok(sb.run(['--format', 'json', 'sale', 'C2', '99.90', '--date', '2025-05-05', '--item', 'Lizenz']));
    expect(JSON.parse(r.stdout)).toMatchObject({ id: 1, profile_id: 2, name: 'Nordlicht AG', date: '2025-05-05', amount: 99.9, item: 'Lizenz', source: 'cli' });
  });

  it('refuses bad amounts, dates and REFs without writing anything', () => {
    const before = dumpDatabase(sb.db);
    const cases: [string[], number, RegExp][] = [
      [['sale', 'C1', 'lots'], 2, /AMOUNT/],
      [['sale', 'C1', '12.345'], 2, /AMOUNT/],
      [['sale', 'C1', '10', '--date', '2999-01-01'], 2, /future/],
      [['sale', 'C1', '10', '--date', '2025-02-30'], 2, /--date/],
      [['sale', 'Nobody', '10'], 3, /no profile matches/],
      [['sale', 'C1'], 2, /missing required argument/],
    ];
    for (const [args, code, message] of cases) {
      const r = sb.run(args);
      expect(r.code, args.join(' ')).toBe(code);
      expect(r.stderr, args.join(' ')).toMatch(message);
    }
    expect(dumpDatabase(sb.db)).toBe(before);
  });
});

describe('custfile sales', () => {
  beforeEach(() => {
    ok(sb.run(['sale', 'C1', '10', '--date', '2025-01-10', '--item', 'A']));
    ok(sb.run(['sale', 'C2', '20', '--date', '2025-02-10', '--item', 'B, "quoted"']));
    ok(sb.run(['sale', 'C1', '30.50', '--date', '2025-03-10']));
  });

  it('lists sales newest first, for one profile or everyone, with --since and --limit', () => {
    type Row = { id: number; profile_id: number; name: string; date: string; amount: number; item: string | null };
    const all = json<Row[]>(ok(sb.run(['--format', 'json', 'sales'])));
    expect(all.map((s) => [s.date, s.name, s.amount])).toEqual([
      ['2025-03-10', 'Elbwerk GmbH', 30.5],
      ['2025-02-10', 'Nordlicht AG', 20],
      ['2025-01-10', 'Elbwerk GmbH', 10],
    ]);
    expect(json<Row[]>(ok(sb.run(['--format', 'json', 'sales', 'Elbwerk GmbH']))).map((s) => s.amount)).toEqual([30.5, 10]);
    expect(json<Row[]>(ok(sb.run(['--format', 'json', 'sales', '--since', '2025-02-01']))).map((s) => s.date)).toEqual(['2025-03-10', '2025-02-10']);
    expect(json<Row[]>(ok(sb.run(['--format', 'json', 'sales', '--limit', '1']))).map((s) => s.date)).toEqual(['2025-03-10']);
    const nd = ok(sb.run(['--format', 'ndjson', 'sales', 'C2'])).stdout.trim().split('\n');
    expect(nd.map((l) => (JSON.parse(l) as Row).item)).toEqual(['B, "quoted"']);
    expect(sb.run(['sales', 'Nobody']).code).toBe(3);
    expect(json(ok(sb.run(['--format', 'json', 'sales', 'P1'])))).toEqual([]);
  });

  it('CSV when piped (re-importable), a table on request', () => {
    const csv = ok(sb.run(['sales'])).stdout.split('\n');
    expect(csv[0]).toBe('id,date,profile_id,name,amount,item,source');
    expect(csv[1]).toBe('3,2025-03-10,1,Elbwerk GmbH,30.50,,cli');
    expect(csv[2]).toBe('2,2025-02-10,2,Nordlicht AG,20.00,"B, ""quoted""",cli');
    const table = ok(sb.run(['--format', 'table', 'sales'])).stdout;
    expect(table).toMatch(/30\.50/);
    expect(table).toMatch(/Nordlicht AG/);
  });

  it('sales exported as CSV import again as the same sales: nothing is doubled', () => {
    const file = write('out.csv', ok(sb.run(['sales'])).stdout);
    const before = dumpDatabase(sb.db);
    const r = sb.run(['import', file, '--sales', '--key', 'id']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/recorded 0 sales, 3 already recorded, rejected 0/);
    expect(r.stderr).toMatch(/ignored columns: id, name, source/);
    expect(dumpDatabase(sb.db)).toBe(before);
  });
});

describe('custfile import FILE --sales', () => {
  const GERMAN =
    'Kundennr;Datum;Betrag;Artikel;Bemerkung\n' +
    'C1;01.03.2025;0,10;Kaffee;\n' +
    'C1;01.03.2025;0,10;Kaffee;zweiter Kaffee am selben Tag\n' +
    'C2;2025-03-02;1.500;Service;\n' +
    'C9;2025-03-02;5,00;;unbekannt\n' +
    'P1;31.02.2025;5,00;;\n' +
    'P1;2025-03-03;viel;;\n' +
    ';2025-03-03;1,00;;\n' +
    'C2;01.01.2999;1,00;;\n' +
    'C2;2025-03-04;1,00\n' +
    'P1;2025-03-05;-2,50;Gutschrift;\n';

  it('imports German sheets; rejects rows with their line and reason, to --rejects as read; exit 4', () => {
    const file = write('umsatz.csv', GERMAN);
    const rejects = path.join(sb.dir, 'rejected.csv');
    const r = sb.run(['import', file, '--sales', '--rejects', rejects]);
    expect(r.code).toBe(4);
    expect(r.stderr).toMatch(/umsatz\.csv: 10 rows, utf8, delimiter ';', key external_id/);
    expect(r.stderr).toMatch(/recorded 4 sales, 0 already recorded, rejected 6/);
    expect(r.stderr).toMatch(/ignored columns: Bemerkung/);
    const reasons = r.stderr.split('\n').filter((l) => /^ {2}line \d+:/.test(l)).map((l) => l.trim());
    expect(reasons).toEqual([
      'line 5: its external_id matches no profile',
      'line 6: date: not a date',
      expect.stringMatching(/^line 7: amount: not a number/),
      'line 8: its external_id cell is empty',
      'line 9: date: is after today',
      'line 10: has 3 cells where the header has 5',
    ]);
    // no cell values in the messages
    expect(r.stderr).not.toMatch(/viel|C9|2999/);
    expect(r.stderr).toMatch(/6 rows were rejected and written to .*rejected\.csv/);
    const lines = GERMAN.split('\n');
    expect(fs.readFileSync(rejects, 'utf8')).toBe([lines[0], ...lines.slice(4, 10), ''].join('\n'));

    expect(sb.query('SELECT profile_id, date, amount_cents, item, source FROM sales ORDER BY id')).toEqual([
      { profile_id: 1, date: '2025-03-01', amount_cents: 10, item: 'Kaffee', source: 'import:umsatz.csv' },
      { profile_id: 1, date: '2025-03-01', amount_cents: 10, item: 'Kaffee', source: 'import:umsatz.csv' },
      // a `;` sheet with decimal commas: 1.500 is fifteen hundred
      { profile_id: 2, date: '2025-03-02', amount_cents: 150000, item: 'Service', source: 'import:umsatz.csv' },
      { profile_id: 3, date: '2025-03-05', amount_cents: -250, item: 'Gutschrift', source: 'import:umsatz.csv' },
    ]);
    expect(expectDerivedInStep()).toEqual([
      { id: 1, sales_total_cents: 20, sales_count: 2, last_sale: '2025-03-01' },
      { id: 2, sales_total_cents: 150000, sales_count: 1, last_sale: '2025-03-02' },
      { id: 3, sales_total_cents: -250, sales_count: 1, last_sale: '2025-03-05' },
    ]);
  });

  it('importing the same sheet twice does not double the sales; a grown sheet adds only its new rows', () => {
    const rows = ['Kundennr;Datum;Betrag;Artikel', 'C1;01.03.2025;0,10;Kaffee', 'C1;01.03.2025;0,10;Kaffee', 'C2;02.03.2025;99,00;Lizenz'];
    const file = write('maerz.csv', `${rows.join('\n')}\n`);
    expect(ok(sb.run(['import', file, '--sales'])).stderr).toMatch(/recorded 3 sales, 0 already recorded/);
    const once = dumpDatabase(sb.db);
    expect(ok(sb.run(['import', file, '--sales'])).stderr).toMatch(/recorded 0 sales, 3 already recorded/);
    expect(dumpDatabase(sb.db)).toBe(once);

    // the sheet of March and April: the third coffee on 1 March is a new sale, as is April
    const grown = write('maerz-april.csv', `${[...rows, 'C1;01.03.2025;0,10;Kaffee', 'C1;01.04.2025;12,00;Kuchen'].join('\n')}\n`);
    expect(ok(sb.run(['import', grown, '--sales'])).stderr).toMatch(/recorded 2 sales, 3 already recorded/);
    expect(sb.query('SELECT count(*) AS n FROM sales')).toEqual([{ n: 5 }]);
    expect(expectDerivedInStep()[0]).toEqual({ id: 1, sales_total_cents: 1230, sales_count: 4, last_sale: '2025-04-01' });
  });

  it('English headers, --key email, a comma file with thousands separators and quoted cells', () => {
    const file = write(
      'sales.csv',
      'Email,Date,Amount,Product\n' +
        'INFO@elbwerk.example,2025-06-01,"1,500.00",Machine\n' +
        'anna@example.org,06/30/2025,$19.99,"Book, signed"\n' +
        'anna@example.org,07/01/2025,0.01,\n',
    );
    const r = sb.run(['import', file, '--sales', '--key', 'email']);
    expect(r.code, r.stderr).toBe(0);
    expect(sb.query('SELECT profile_id, date, amount_cents, item FROM sales ORDER BY id')).toEqual([
      { profile_id: 1, date: '2025-06-01', amount_cents: 150000, item: 'Machine' },
      { profile_id: 3, date: '2025-06-30', amount_cents: 1999, item: 'Book, signed' },
      { profile_id: 3, date: '2025-07-01', amount_cents: 1, item: null },
    ]);
    expectDerivedInStep();
  });

  it('a first sales import is one load: the fields added up at the end as the trigger would, indexes and trigger back; a broken file leaves nothing', () => {
    const schema = () => sb.query<{ name: string }>("SELECT name FROM sqlite_schema WHERE tbl_name = 'sales' AND name NOT LIKE 'sqlite_%' ORDER BY name").map((r) => r.name);
    const before = schema();
    expect(before).toEqual(['sales', 'sales_date', 'sales_delete', 'sales_insert', 'sales_profile', 'sales_update']);
    // stopped by an unclosed quote after 30 good rows: no sale stays
    const rows = Array.from({ length: 30 }, (_, i) => `C${1 + (i % 2)};2025-03-${String(1 + (i % 28)).padStart(2, '0')};${i},50;Posten ${i}`);
    const broken = write('kaputt.csv', `Kundennr;Datum;Betrag;Artikel\n${rows.join('\n')}\nC1;2025-04-01;1,00;"offen\n`);
    const dump = dumpDatabase(sb.db);
    const r = sb.run(['import', broken, '--sales']);
    expect(r.code).toBe(4);
    expect(dumpDatabase(sb.db)).toBe(dump);
    expect(schema()).toEqual(before);
    // the same rows, whole: every profile's sums as the sales say, and a later sale by the trigger again
    const whole = write('ganz.csv', `Kundennr;Datum;Betrag;Artikel\n${rows.join('\n')}\n`);
    ok(sb.run(['import', whole, '--sales']));
    expect(schema()).toEqual(before);
    expect(sb.query<{ n: number }>('SELECT count(*) AS n FROM sales')[0]!.n).toBe(30);
    expectDerivedInStep();
    ok(sb.run(['sale', 'C1', '1.00', '--date', '2025-05-01']));
    expect(expectDerivedInStep().length).toBeGreaterThan(0);
  });

  it('a first sales import of a header and no rows: nothing recorded, the trigger and indexes back', () => {
    const schema = () => sb.query<{ name: string }>("SELECT name FROM sqlite_schema WHERE tbl_name = 'sales' AND name NOT LIKE 'sqlite_%' ORDER BY name").map((r) => r.name);
    const before = schema();
    const r = sb.run(['import', write('leer.csv', 'Kundennr;Datum;Betrag\n'), '--sales']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/recorded 0 sales, 0 already recorded, rejected 0/);
    expect(schema()).toEqual(before);
    ok(sb.run(['sale', 'C1', '2.00', '--date', '2025-05-01']));
    expectDerivedInStep();
  });

  it('--key email matches as SQLite does (ASCII case only): Ärger and ärger are two customers', () => {
    ok(sb.run(['add', 'person', '--first-name', 'Jörg', '--last-name', 'Ärger', '--email', 'ÄRGER@example.org']));
    ok(sb.run(['add', 'person', '--first-name', 'Eva', '--last-name', 'ärger', '--email', 'ärger@example.org']));
    const ids = sb.query<{ id: number; email: string }>("SELECT id, email FROM profiles WHERE email LIKE '%rger@example.org' ORDER BY id");
    const file = write('sales.csv', 'Email,Date,Amount\nÄRGER@EXAMPLE.ORG,2025-06-01,10.00\närger@example.org,2025-06-02,20.00\n');
    const r = sb.run(['import', file, '--sales', '--key', 'email']);
    expect(r.code, r.stderr).toBe(0);
    expect(sb.query('SELECT profile_id, amount_cents FROM sales ORDER BY id')).toEqual([
      { profile_id: ids[0]!.id, amount_cents: 1000 },
      { profile_id: ids[1]!.id, amount_cents: 2000 },
    ]);
  });

  it('--dry-run reports and writes nothing; --atomic imports nothing when a row fails', () => {
    const file = write('umsatz.csv', GERMAN);
    const before = dumpDatabase(sb.db);
    const dry = sb.run(['import', file, '--sales', '--dry-run']);
    expect(dry.code).toBe(4);
    expect(dry.stderr).toMatch(/would record 4 sales, 0 already recorded, rejected 6 .*dry run, nothing was written/);
    expect(dumpDatabase(sb.db)).toBe(before);
    const atomic = sb.run(['import', file, '--sales', '--atomic']);
    expect(atomic.code).toBe(4);
    expect(atomic.stderr).toMatch(/with --atomic nothing was imported/);
    expect(dumpDatabase(sb.db)).toBe(before);
    const clean = write('clean.csv', 'Kundennr;Datum;Betrag\nC1;01.03.2025;5,00\n');
    ok(sb.run(['import', clean, '--sales', '--atomic']));
    expect(sb.query('SELECT count(*) AS n FROM sales')).toEqual([{ n: 1 }]);
  });

  it('a sheet without the needed columns is refused (exit 4) before anything is written', () => {
    const before = dumpDatabase(sb.db);
    const cases: [string, string[], RegExp][] = [
      ['Kundennr;Datum;Artikel\nC1;01.03.2025;x\n', [], /needs an amount column/],
      ['Name;Datum;Betrag\nElbwerk GmbH;01.03.2025;1,00\n', [], /needs an external_id or email column/],
      ['Kundennr;Datum;Brutto;Netto\nC1;01.03.2025;1,19;1,00\n', [], /both look like the amount.*--map 'Netto=-'/],
      ['Kundennr;Datum;Betrag\nC1;01.03.2025;1,00\n', ['--key', 'phone'], /needs a phone column for --key phone/],
    ];
    for (const [text, extra, message] of cases) {
      const r = sb.run(['import', write('bad.csv', text), '--sales', ...extra]);
      expect(r.code, text).toBe(4);
      expect(r.stderr, text).toMatch(message);
    }
    expect(sb.run(['import', write('x.vcf', 'BEGIN:VCARD\n'), '--sales']).code).toBe(2);
    expect(sb.run(['import', write('ok.csv', 'Kundennr;Datum;Betrag\n'), '--sales', '--on-conflict', 'skip']).code).toBe(2);
    expect(dumpDatabase(sb.db)).toBe(before);
    // --map settles what the headers do not say
    const mapped = sb.run(['import', write('mapped.csv', 'Kunde;Tag;Wert;Brutto\nElbwerk GmbH;01.03.2025;1,00;1,19\n'), '--sales', '--key', 'name', '--map', 'Tag=date,Wert=amount,Brutto=-']);
    expect(mapped.code, mapped.stderr).toBe(0);
    expect(sb.query('SELECT profile_id, amount_cents FROM sales')).toEqual([{ profile_id: 1, amount_cents: 100 }]);
  });

  it('a key that matches several profiles is rejected, never guessed', () => {
    ok(sb.run(['add', 'person', '--name', 'Anna Müller', '--city', 'Bautzen']));
    const r = sb.run(['import', write('names.csv', 'Name,Date,Amount\nAnna Müller,2025-01-01,5.00\nNordlicht AG,2025-01-01,6.00\n'), '--sales', '--key', 'name']);
    expect(r.code).toBe(4);
    expect(r.stderr).toMatch(/line 2: its name matches more than one profile/);
    expect(sb.query('SELECT profile_id, amount_cents FROM sales')).toEqual([{ profile_id: 2, amount_cents: 600 }]);
  });

  it('an amount that could be thousands or decimals is rejected when the sheet does not say which', () => {
    const r = sb.run(['import', write('tab.tsv', 'external_id\tdate\tamount\nC1\t2025-01-01\t1.500\n'), '--sales', '--format', 'csv']);
    expect(r.code).toBe(4);
    expect(r.stderr).toMatch(/line 2: amount: thousands or three decimals/);
    expect(sb.query('SELECT count(*) AS n FROM sales')).toEqual([{ n: 0 }]);
    // a comma file says nothing either: 1.500 is refused, never 1.50 beside a 1.500.000 read as millions
    const comma = sb.run(['import', write('c4.csv', 'external_id,date,amount,item\nC1,2025-01-01,1.500,A\nC1,2025-01-02,1.500.000,B\nC1,2025-01-03,12.000,C\n'), '--sales']);
    expect(comma.code).toBe(4);
    expect(comma.stderr).toMatch(/line 2: amount: thousands or three decimals/);
    expect(comma.stderr).toMatch(/line 4: amount: thousands or three decimals/);
    expect(sb.query('SELECT amount_cents FROM sales')).toEqual([{ amount_cents: 150000000 }]);
    // and where the amounts show a decimal point, a point cannot group thousands as well
    const point = sb.run(['import', write('c5.csv', 'external_id,date,amount,item\nC1,2025-02-01,19.99,A\nC1,2025-02-02,1.500.000,B\n'), '--sales']);
    expect(point.code).toBe(4);
    expect(point.stderr).toMatch(/line 3: amount: "\." is the decimal separator of this sheet's amounts/);
  });

  it('a row longer only by empty cells is recorded, one with text beyond the header rejected; --sheet on a CSV is a usage error', () => {
    const file = write('trail.csv', 'Kundennr;Datum;Betrag\nC1;2025-01-01;1,00;;\nC1;2025-01-02;2,00;;x\n');
    const r = sb.run(['import', file, '--sales', '--key', 'external_id']);
    expect(r.code).toBe(4);
    expect(r.stderr).toMatch(/line 3: has 5 cells where the header has 3/);
    expect(sb.query('SELECT amount_cents FROM sales')).toEqual([{ amount_cents: 100 }]);
    for (const args of [['import', file, '--sales', '--sheet', 'X'], ['import', '-', '--sales', '--sheet', 'X']]) {
      const bad = sb.run(args, { input: '' });
      expect(bad.code, args.join(' ')).toBe(2);
      expect(bad.stderr).toMatch(/--sheet names a sheet of an xlsx file/);
    }
  });

  it('in an xlsx, number cells say nothing about how text amounts were typed: a text 1.500 stays ambiguous', async () => {
    const { default: ExcelJS } = await import('exceljs');
    const file = path.join(sb.dir, 'sales.xlsx');
    const workbook = new ExcelJS.Workbook();
    const sheet = workbook.addWorksheet('Umsatz');
    sheet.addRow(['external_id', 'date', 'amount']);
    sheet.addRow(['C1', '2025-01-01', 1500]);
    sheet.addRow(['C1', '2025-01-02', 1234.5]);
    sheet.addRow(['C1', '2025-01-03', '1.500']);
    await workbook.xlsx.writeFile(file);
    const r = sb.run(['import', file, '--sales']);
    expect(r.code).toBe(4);
    expect(r.stderr).toMatch(/line 4: amount: thousands or three decimals/);
    expect(sb.query('SELECT amount_cents FROM sales ORDER BY id')).toEqual([{ amount_cents: 150000 }, { amount_cents: 123450 }]);
  });
});

describe('derived fields after forget and remove', () => {
  it('forget erases a profile with its sales; the others keep theirs, and the totals follow', () => {
    ok(sb.run(['import', write('s.csv', 'Kundennr;Datum;Betrag\nC1;01.03.2025;0,10\nC1;02.03.2025;0,20\nC2;03.03.2025;5,00\nP1;04.03.2025;7,00\n'), '--sales']));
    const before = json<{ total: { sales_total: number; sales_count: number } }>(ok(sb.run(['--format', 'json', 'stats'])));
    expect(before.total).toMatchObject({ sales_total: 12.3, sales_count: 4 });
    ok(sb.run(['forget', 'C1', '--yes']));
    expect(sb.query('SELECT count(*) AS n FROM sales WHERE profile_id = 1')).toEqual([{ n: 0 }]);
    expect(expectDerivedInStep()).toEqual([
      { id: 2, sales_total_cents: 500, sales_count: 1, last_sale: '2025-03-03' },
      { id: 3, sales_total_cents: 700, sales_count: 1, last_sale: '2025-03-04' },
    ]);
    const after = json<{ total: { sales_total: number; sales_count: number } }>(ok(sb.run(['--format', 'json', 'stats'])));
    expect(after.total).toMatchObject({ sales_total: 12, sales_count: 2 });
    expect(json<{ name: string }[]>(ok(sb.run(['--format', 'json', 'sales', '--since', '2025-01-01']))).map((s: { name: string }) => s.name)).toEqual(['Anna Müller', 'Nordlicht AG']);
    // a re-import of the sheet cannot bring the forgotten profile's sales back: its key matches no one
    const again = sb.run(['import', write('s.csv', 'Kundennr;Datum;Betrag\nC1;01.03.2025;0,10\nC2;03.03.2025;5,00\n'), '--sales']);
    expect(again.code).toBe(4);
    expect(again.stderr).toMatch(/recorded 0 sales, 1 already recorded, rejected 1/);
    expectDerivedInStep();
  });

  it('remove takes the sales with the profile; a company\'s contacts keep their own', () => {
    ok(sb.run(['add', 'contact', '--company', 'Elbwerk GmbH', '--name', 'Jens Koch']));
    ok(sb.run(['sale', 'C1', '100', '--date', '2025-01-01']));
    ok(sb.run(['sale', 'Jens Koch', '40', '--date', '2025-01-02']));
    ok(sb.run(['remove', 'C1', '--yes']));
    expect(sb.query('SELECT profile_id, amount_cents FROM sales')).toEqual([{ profile_id: 4, amount_cents: 4000 }]);
    expect(expectDerivedInStep().find((d) => d.id === 4)).toEqual({ id: 4, sales_total_cents: 4000, sales_count: 1, last_sale: '2025-01-02' });
  });
});
