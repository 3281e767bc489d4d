/**
 * Import and export end to end: the sheets people have (German Excel, Outlook, Google, UTF-16,
 * vCard, xlsx) in, and our files out and back in, with the database checked afterwards.
 */
import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type Sandbox, ROOT, dumpDatabase, json, runBin, sandbox } from './helpers.js';

const FIXTURES = path.join(ROOT, 'test', 'fixtures', 'import');
const fixture = (name: string) => path.join(FIXTURES, name);

let sb: Sandbox;
beforeEach(() => {
  sb = sandbox();
});
afterEach(() => sb.cleanup());

type Rec = Record<string, unknown> & { id: number; name: string; custom: Record<string, string>; tags: string[] };
const list = (s: Sandbox, ...args: string[]) => json<Rec[]>(s.run(['--format', 'json', 'list', ...args]));
const byName = (records: Rec[], name: string) => {
  const r = records.find((p) => p.name === name);
  if (!r) throw new Error(`no profile named ${name}: ${records.map((p) => p.name).join(', ')}`);
  return r;
};

describe('files people have', () => {
  it("DATEV's Debitoren export (format line above the header, Windows-1252): accounts as external ids, empty rows skipped, rejects keep the format line", () => {
    const rejects = path.join(sb.dir, 'datev-rejects.csv');
    const r = sb.run(['import', fixture('datev-debitoren.csv'), '--rejects', rejects]);
    expect(r.code, r.stderr).toBe(4);
    expect(r.stderr).toMatch(/inserted 2, updated 0, unchanged 0, skipped 2, rejected 1/);
    expect(r.stderr).toMatch(/line 5: email/);
    const all = list(sb);
    expect(byName(all, 'Erzgebirgische Holzkunst eG')).toMatchObject({ kind: 'company', external_id: '10000', street: 'Hauptstraße 43', postcode: '09548', city: 'Seiffen' });
    expect(byName(all, 'Käthe Lößnitz')).toMatchObject({ kind: 'person', external_id: '10001', first_name: 'Käthe', last_name: 'Lößnitz', postcode: '01796' });
    const lines = fs.readFileSync(rejects, 'latin1').split('\r\n');
    expect(lines[0]).toMatch(/^"EXTF";700;/);
    expect(lines[1]).toMatch(/^Konto;Name \(Adressatentyp Unternehmen\)/);
    expect(lines[2]).toBe('10002;;Fehler;Ohne;1;;;;keine-mail');
    // the second import changes nothing
    expect(sb.run(['import', fixture('datev-debitoren.csv')]).stderr).toMatch(/inserted 0, updated 0, unchanged 2, skipped 2, rejected 1/);
  });

  it('a German Excel CSV (windows-1252, ;, CRLF, DD.MM.YYYY, 1.234,56) lands field by field', () => {
    const r = sb.run(['import', fixture('german-excel.csv')]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/windows-1252 \(guessed\)/);
    const all = list(sb);
    const juergen = byName(all, 'Jürgen Müller');
    expect(juergen).toMatchObject({
      kind: 'person',
      external_id: 'K-1001',
      first_name: 'Jürgen',
      last_name: 'Müller',
      company: 'Bäckerei Müller GmbH',
      street: 'Königstraße 5',
      postcode: '01067',
      city: 'Dresden',
      birthday: '1985-05-17',
      email: 'juergen@example.de',
      phone: '0351 1234567',
      customer_since: '2020-03-01',
      notes: 'Größter Kunde, zahlt pünktlich',
    });
    expect(juergen.tags).toEqual(['VIP', 'Stammkunde']);
    expect(juergen.custom).toEqual({ Lieblingsfarbe: 'Grün' });
    // revenue on a key contact's row belongs to the company
    expect(byName(all, 'Bäckerei Müller GmbH')).toMatchObject({ kind: 'company', revenue: 1234.56 });
    expect(byName(all, 'Ökobau Süd GmbH')).toMatchObject({ kind: 'company', revenue: 1234567.89, postcode: '09111', notes: 'Rahmenvertrag; „Premium“ bis 2027' });
    expect(byName(all, 'Anna-Lena Weiß')).toMatchObject({ birthday: '1990-02-01', notes: 'Zeile 1\nZeile 2', postcode: '04109' });
    expect(byName(all, 'Özlem Çelik')).toMatchObject({ birthday: '1988-02-29', street: 'Schloßstraße 1', postcode: '01309' });
    expect(sb.query("SELECT DISTINCT source FROM history")).toEqual([{ source: 'import:german-excel.csv' }]);
  });

  it('an Excel CSV whose first umlaut comes after the sniffed 64 KiB is read as windows-1252, in the worker too', async () => {
    const { default: iconv } = await import('iconv-lite');
    const rows = ['Vorname;Nachname;E-Mail;Ort', ...Array.from({ length: 3000 }, (_, i) => `Max${i};Muster;m${i}@example.org;Berlin`), 'Jörg;Schröder;joerg@example.org;München'];
    const file = path.join(sb.dir, 'spaet.csv');
    fs.writeFileSync(file, iconv.encode(`${rows.join('\r\n')}\r\n`, 'windows-1252'));
    const r = sb.run(['import', file]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/3,001 rows, windows-1252 \(guessed\)/);
    expect(sb.query("SELECT name, city FROM profiles WHERE email = 'joerg@example.org'")).toEqual([{ name: 'Jörg Schröder', city: 'München' }]);
    // from stdin too
    const piped = sandbox();
    try {
      const viaStdin = piped.run(['import', '-'], { input: fs.readFileSync(file) });
      expect(viaStdin.code, viaStdin.stderr).toBe(0);
      expect(viaStdin.stderr).toMatch(/windows-1252 \(guessed\)/);
      expect(piped.query("SELECT name FROM profiles WHERE email = 'joerg@example.org'")).toEqual([{ name: 'Jörg Schröder' }]);
    } finally {
      piped.cleanup();
    }
    // again, into a file with profiles: parsed in the worker, which reports the same
    const again = sb.run(['import', file], { env: { CUSTFILE_WORKER_MIN_BYTES: '0' } });
    expect(again.code, again.stderr).toBe(0);
    expect(again.stderr).toMatch(/windows-1252 \(guessed\)/);
    expect(again.stderr).toMatch(/unchanged 3001/);
  });

  it('a UTF-8 file with BOM keeps umlauts, zeros and the guarded phone', () => {
    expect(sb.run(['import', fixture('utf8-bom.csv')]).code).toBe(0);
    const all = list(sb);
    expect(byName(all, 'Zoë Åström')).toMatchObject({ postcode: '01067', phone: '+46 8 123 456', birthday: '1992-11-03', company: 'Nordlicht AB', email: 'zoe@example.se', notes: 'Café au lait, bitte' });
    expect(byName(all, 'François Lefèvre')).toMatchObject({ birthday: '--07-14', notes: '=HYPERLINK("x")' });
  });

  it('a UTF-16LE tab-separated file (Excel "Unicode text")', () => {
    const r = sb.run(['import', fixture('utf16le-tab.txt')]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/utf16le.*delimiter tab/);
    const all = list(sb);
    expect(byName(all, 'Jörg Schäfer')).toMatchObject({ postcode: '01067', city: 'Dresden', birthday: '1970-04-03', company: 'Schäfer & Söhne KG' });
    expect(byName(all, 'Ülkü Öztürk')).toMatchObject({ postcode: '08056', city: 'Zwickau' });
  });

  it('an Outlook export imports without --map', () => {
    const r = sb.run(['import', fixture('outlook.csv')]);
    expect(r.code, r.stderr).toBe(0);
    const all = list(sb);
    const juergen = byName(all, 'Jürgen Müller');
    expect(juergen).toMatchObject({ company: 'Müller & Söhne KG', role: 'Geschäftsführer', postcode: '01067', city: 'Dresden' });
    expect(String(juergen.street)).toMatch(/^Königstraße 5/);
  });

  it('a Google Contacts export imports without --map; labels become tags', () => {
    const r = sb.run(['import', fixture('google.csv')]);
    expect(r.code, r.stderr).toBe(0);
    const all = list(sb);
    const anna = byName(all, 'Anna Schmidt');
    expect(anna).toMatchObject({ email: 'anna.schmidt@example.de', company: 'Schmidt IT GmbH', role: 'Geschäftsführerin', birthday: '1979-08-03', postcode: '01069', city: 'Dresden', street: 'Prager Straße 1' });
    expect(anna.tags).toEqual(['Kunden']);
    expect(byName(all, 'Zoë Krüger')).toMatchObject({ birthday: '--12-24' });
    expect(sb.run(['import', fixture('google-old.csv')]).code).toBe(0);
  });

  it('an Excel "sep=;" line is honoured', () => {
    expect(sb.run(['import', fixture('excel-sep.csv')]).code).toBe(0);
    expect(byName(list(sb), 'Jürgen Müller')).toMatchObject({ postcode: '01067' });
  });

  it('a vCard file (3.0 and 4.0) imports', () => {
    const r = sb.run(['import', fixture('contacts.vcf')]);
    expect(r.code, r.stderr).toBe(0);
    expect(list(sb).length).toBeGreaterThanOrEqual(6);
  });

  it('a vCard in windows-1252 or UTF-16 keeps its umlauts; --encoding names one', () => {
    const card = 'BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Jürgen Größ\r\nN:Größ;Jürgen;;;\r\nEMAIL:jg@example.org\r\nADR:;;Königstraße 5;Görlitz;;02826;\r\nEND:VCARD\r\n';
    const latin = path.join(sb.dir, 'outlook.vcf');
    fs.writeFileSync(latin, Buffer.from(card, 'latin1'));
    const r = sb.run(['import', latin]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/windows-1252/);
    expect(byName(list(sb), 'Jürgen Größ')).toMatchObject({ city: 'Görlitz', street: 'Königstraße 5' });
    const other = sandbox();
    try {
      const utf16 = path.join(other.dir, 'utf16.vcf');
      fs.writeFileSync(utf16, Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(card, 'utf16le')]));
      expect(other.run(['import', utf16]).code).toBe(0);
      expect(byName(list(other), 'Jürgen Größ')).toMatchObject({ city: 'Görlitz' });
      const named = path.join(other.dir, 'named.vcf');
      fs.writeFileSync(named, Buffer.from(card.replace('jg@', 'jg2@'), 'latin1'));
      expect(other.run(['import', named, '--encoding', 'windows-1252']).code).toBe(0);
      expect(list(other).filter((p) => p.name === 'Jürgen Größ')).toHaveLength(2);
    } finally {
      other.cleanup();
    }
  });

  it('reads from stdin with -', () => {
    const r = sb.run(['import', '-'], { input: 'Vorname;Nachname;PLZ\nHans;Groß;01234\n' });
    expect(r.code, r.stderr).toBe(0);
    expect(byName(list(sb), 'Hans Groß')).toMatchObject({ postcode: '01234' });
    expect(sb.query('SELECT DISTINCT source FROM history')).toEqual([{ source: 'import:stdin' }]);
  });

  it('--format names the file format whatever the extension; json still formats the report', () => {
    const first = sandbox();
    try {
      const out = path.join(first.dir, 'sheet.dat');
      first.run(['import', fixture('german-excel.csv')]);
      expect(first.run(['export', '--format', 'xlsx', '--out', out]).code).toBe(0);
      const r = sb.run(['import', out, '--format', 'xlsx']);
      expect(r.code, r.stderr).toBe(0);
      expect(list(sb).length).toBe(list(first).length);
      const vcf = path.join(sb.dir, 'cards.txt');
      fs.copyFileSync(fixture('contacts.vcf'), vcf);
      expect(sb.run(['import', vcf, '--format', 'vcf']).code).toBe(0);
      const report = sb.run(['import', fixture('german-excel.csv'), '--format', 'json']);
      expect(json<{ rows: number }>(report).rows).toBeGreaterThan(0);
      // a sheet cannot come from stdin: said, not an unexpected failure
      const stdin = sb.run(['import', '-', '--format', 'xlsx'], { input: fs.readFileSync(out) });
      expect(stdin.code).toBe(2);
      expect(stdin.stderr).toMatch(/an xlsx sheet cannot be read from stdin/);
    } finally {
      first.cleanup();
    }
  });
});

describe('import rules', () => {
  it('rejected vCards go to --rejects whole, as they were read, and import once fixed', () => {
    const good = 'BEGIN:VCARD\nVERSION:3.0\nFN:Good One\nEMAIL:good@example.org\nEND:VCARD';
    const badDate = 'BEGIN:VCARD\nVERSION:3.0\nFN:Bad Date\nEMAIL:bad@example.org\nBDAY:1980-02-30\nEND:VCARD';
    const badMail = 'BEGIN:VCARD\nVERSION:3.0\nFN:Bad Mail\nEMAIL:nomail\nEND:VCARD';
    const file = path.join(sb.dir, 'cards.vcf');
    fs.writeFileSync(file, `${good}\n${badDate}\nstray text\n${badMail}\n`);
    const rejects = path.join(sb.dir, 'rejected.vcf');
    const r = sb.run(['import', file, '--rejects', rejects]);
    expect(r.code).toBe(4);
    expect(r.stderr).toMatch(/line 10: BDAY/);
    expect(fs.readFileSync(rejects, 'utf8')).toBe(`${badDate}\nstray text\n${badMail}\n`);
    expect(list(sb).map((p) => p.name)).toEqual(['Good One']);
    fs.writeFileSync(rejects, fs.readFileSync(rejects, 'utf8').replace('1980-02-30', '1980-02-28').replace('EMAIL:nomail', 'EMAIL:mail@example.org').replace('stray text\n', ''));
    expect(sb.run(['import', rejects]).code).toBe(0);
    expect(list(sb).map((p) => p.name).sort()).toEqual(['Bad Date', 'Bad Mail', 'Good One']);
  });

  it('a vCard file bigger than a read is read a piece at a time: lines and rejects as in a small one', () => {
    const card = (i: number, bday = `1980-01-${String(1 + (i % 28)).padStart(2, '0')}`) =>
      `BEGIN:VCARD\r\nVERSION:3.0\r\nN:Müller${i};Jörg;;;\r\nFN:Jörg Müller${i}\r\nNOTE:eine Notiz, die gefaltet\r\n  weitergeht\r\nEMAIL:j${i}@example.org\r\nBDAY:${bday}\r\nEND:VCARD`;
    const cards = Array.from({ length: 3000 }, (_, i) => (i === 2500 ? card(i, '1980-02-30') : card(i)));
    const file = path.join(sb.dir, 'big.vcf');
    fs.writeFileSync(file, `${cards.join('\r\n')}\r\n`);
    expect(fs.statSync(file).size).toBeGreaterThan(4 * 65536);
    const rejects = path.join(sb.dir, 'rejected.vcf');
    const r = sb.run(['import', file, '--rejects', rejects]);
    expect(r.code).toBe(4);
    expect(r.stderr).toMatch(new RegExp(`line ${2500 * 9 + 8}: BDAY`)); // nine lines a card; the BDAY line
    expect(r.stderr).toMatch(/inserted 2999,/);
    expect(fs.readFileSync(rejects, 'utf8')).toBe(`${cards[2500]!}\r\n`); // as it was read, CRLF and all
    expect(sb.query("SELECT notes FROM profiles WHERE email = 'j2999@example.org'")).toEqual([{ notes: 'eine Notiz, die gefaltet weitergeht' }]);
  });

  it('importing the same file twice changes nothing the second time', () => {
    for (const f of ['german-excel.csv', 'outlook.csv', 'google.csv', 'contacts.vcf']) {
      expect(sb.run(['import', fixture(f)]).code, f).toBe(0);
      const before = dumpDatabase(sb.db);
      const again = sb.run(['import', fixture(f)]);
      expect(again.code, f).toBe(0);
      expect(again.stderr, f).toMatch(/inserted 0, updated 0/);
      expect(dumpDatabase(sb.db), f).toBe(before);
    }
  });

  it('a later row with the same key updates the earlier one, in file order', () => {
    const file = path.join(sb.dir, 'dupes.csv');
    fs.writeFileSync(file, 'email,first_name,last_name,city\na@example.org,Anna,Alt,Dresden\na@example.org,Anna,Alt,Leipzig\n');
    const r = sb.run(['import', file]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/inserted 1, updated 1/);
    expect(list(sb).map((p) => p.city)).toEqual(['Leipzig']);
    // the summary says why such a file changes the profile on every import
    expect(r.stderr).toMatch(/1 row repeats the email of an earlier row: applied in file order, the later row wins/);
    const again = json<{ updated: number; repeated: number }>(sb.run(['--format', 'json', 'import', file]));
    expect(again).toMatchObject({ updated: 2, repeated: 1 });
    // a file without repeated keys says nothing of it, also when its rows take the short cut
    const single = path.join(sb.dir, 'single.csv');
    fs.writeFileSync(single, 'email,first_name,last_name,city\nb@example.org,Bea,Berg,Bonn\n');
    expect(sb.run(['import', single]).stderr).not.toMatch(/repeat/);
    expect(json<{ unchanged: number; repeated: number }>(sb.run(['--format', 'json', 'import', single]))).toMatchObject({ unchanged: 1, repeated: 0 });
  });

  it('the rejects file is written as the source was: encoding, BOM, sep= line and line breaks', async () => {
    const { default: iconv } = await import('iconv-lite');
    const text = 'sep=;\r\nVorname;Nachname;E-Mail;Ort\r\nJörg;Schröder;joerg@example.org;Köln\r\nÄnne;Groß;kein-at;Gießen €\r\n';
    const cases: [string, Buffer, string][] = [
      ['windows-1252', iconv.encode(text, 'windows-1252'), 'windows-1252'],
      ['utf-8 with BOM', Buffer.from(`\ufeff${text}`, 'utf8'), 'utf8'],
      ['utf-16le', iconv.encode(`\ufeff${text}`, 'utf16le'), 'utf16le'],
    ];
    for (const [label, bytes, encoding] of cases) {
      const file = path.join(sb.dir, `${label}.csv`);
      fs.writeFileSync(file, bytes);
      const rejects = path.join(sb.dir, `${label}-rejected.csv`);
      expect(sb.run(['import', file, '--rejects', rejects]).code, label).toBe(4);
      const expected = (encoding === 'windows-1252' ? '' : '\ufeff') + 'sep=;\r\nVorname;Nachname;E-Mail;Ort\r\nÄnne;Groß;kein-at;Gießen €\r\n';
      expect(iconv.decode(fs.readFileSync(rejects), encoding, { stripBOM: false }), label).toBe(expected);
    }
    // a Windows-1252 file whose first umlaut comes after the first rejected row: still 1252
    const late = ['Vorname;Nachname;E-Mail;Ort', 'Bad;Row;kein-at;Bonn', ...Array.from({ length: 3000 }, (_, i) => `Max${i};Muster;m${i}@example.org;Berlin`), 'Jürgen;Groß;jg-bad;Köln'];
    const file = path.join(sb.dir, 'late.csv');
    fs.writeFileSync(file, iconv.encode(`${late.join('\r\n')}\r\n`, 'windows-1252'));
    const rejects = path.join(sb.dir, 'late-rejected.csv');
    expect(sb.run(['import', file, '--rejects', rejects]).code).toBe(4);
    expect(fs.readFileSync(rejects).equals(iconv.encode('Vorname;Nachname;E-Mail;Ort\r\nBad;Row;kein-at;Bonn\r\nJürgen;Groß;jg-bad;Köln\r\n', 'windows-1252'))).toBe(true);
  });

  it('rejected rows: line numbers, --rejects file, exit 4, good rows in', () => {
    const file = path.join(sb.dir, 'leads.csv');
    fs.writeFileSync(file, [
      'email;Vorname;Nachname;Geburtstag;Umsatz',
      'ok1@example.org;Anna;Eins;01.02.1980;',
      'broken-mail;Bert;Zwei;;',
      'ok2@example.org;Carl;Drei;31.02.1980;',
      '"ok3@example.org";"Dora";"Vier";;',
      'ok4@example.org;Emil;"Fünf',
      'und mehr";;',
      '',
    ].join('\n'));
    const rejects = path.join(sb.dir, 'rejected.csv');
    const r = sb.run(['import', file, '--rejects', rejects]);
    expect(r.code).toBe(4);
    expect(r.stderr).toMatch(/line 3: email/);
    expect(r.stderr).toMatch(/line 4: birthday/);
    expect(r.stderr).not.toMatch(/broken-mail|31\.02/); // reasons, not cell values
    expect(r.stderr).toMatch(/2 rows were rejected and written to/);
    expect(fs.readFileSync(rejects, 'utf8')).toBe('email;Vorname;Nachname;Geburtstag;Umsatz\nbroken-mail;Bert;Zwei;;\nok2@example.org;Carl;Drei;31.02.1980;\n');
    expect(list(sb).map((p) => p.email).sort()).toEqual(['ok1@example.org', 'ok3@example.org', 'ok4@example.org']);
    // the fixed rejects import cleanly
    fs.writeFileSync(rejects, fs.readFileSync(rejects, 'utf8').replace('broken-mail', 'bert@example.org').replace('31.02.1980', '28.02.1980'));
    expect(sb.run(['import', rejects]).code).toBe(0);
    expect(list(sb)).toHaveLength(5);
  });

  it('--atomic imports nothing when a row fails; --dry-run writes nothing', () => {
    sb.run(['add', 'company', '--name', 'Vorher GmbH']);
    const before = dumpDatabase(sb.db);
    const file = path.join(sb.dir, 'mixed.csv');
    fs.writeFileSync(file, 'email,last_name\nx@example.org,X\nbad,Y\n');
    const atomic = sb.run(['import', file, '--atomic']);
    expect(atomic.code).toBe(4);
    expect(atomic.stderr).toMatch(/nothing was imported/);
    // the counts say what would have been, not what was
    expect(atomic.stderr).toMatch(/would insert 1, would update 0/);
    expect(sb.run(['import', file, '--sheet', 'Kunden']).stderr).toMatch(/--sheet names a sheet of an xlsx file, and .*mixed\.csv is read as csv/);
    expect(dumpDatabase(sb.db)).toBe(before);
    const good = path.join(sb.dir, 'good.csv');
    fs.writeFileSync(good, 'email,last_name\nx@example.org,X\ny@example.org,Y\n');
    const dry = sb.run(['import', good, '--dry-run']);
    expect(dry.code).toBe(0);
    expect(dry.stderr).toMatch(/would insert 2/);
    expect(dumpDatabase(sb.db)).toBe(before);
    // nor does it make a file where there is none
    const fresh = path.join(sb.dir, 'fresh', 'new.db');
    for (const args of [['import', good, '--dry-run'], ['import', good, '--sales', '--dry-run']]) {
      runBin(['--db', fresh, ...args], sb.dir);
      expect(fs.existsSync(path.dirname(fresh)), args.join(' ')).toBe(false);
    }
    expect(json<{ inserted: number }>(runBin(['--db', fresh, '--format', 'json', 'import', good, '--dry-run'], sb.dir)).inserted).toBe(2);
    expect(fs.existsSync(path.dirname(fresh))).toBe(false);
    expect(runBin(['--db', fresh, 'import', good], sb.dir).code).toBe(0);
    expect(fs.existsSync(fresh)).toBe(true);
  });

  it('rows the key cannot place: a taken external_id, a key shared by two profiles, a --key that is no key', () => {
    expect(sb.run(['add', 'person', '--name', 'Eva Alt', '--email', 'shared@example.org', '--set', 'external_id=K-1']).code).toBe(0);
    expect(sb.run(['add', 'person', '--name', 'Eva Neu', '--email', 'shared@example.org']).code).toBe(0);
    const file = path.join(sb.dir, 'keys.csv');
    fs.writeFileSync(file, 'email,external_id,first_name,last_name\nnew@example.org,K-1,Ute,Kern\nshared@example.org,,Eva,Lang\nok@example.org,K-2,Max,Muster\n');
    const before = list(sb).length;
    const r = sb.run(['import', file, '--key', 'email']);
    expect(r.code).toBe(4);
    expect(r.stderr).toMatch(/line 2: external_id is already used by another profile/);
    expect(r.stderr).toMatch(/line 3: its email matches more than one profile/);
    expect(list(sb).length).toBe(before + 1);
    const bad = sb.run(['import', file, '--key', 'birthday']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/--key must be a field that identifies a profile/);
  });

  it('a structural error after whole batches: those stay, the message says so, and a rerun is safe', () => {
    expect(sb.run(['add', 'company', '--name', 'Vorhanden GmbH']).code).toBe(0); // not empty: batched, not bulk
    const file = path.join(sb.dir, 'long.csv');
    const rows = Array.from({ length: 6000 }, (_, i) => `p${i}@example.org,Person,Nr ${i}`);
    fs.writeFileSync(file, `email,first_name,last_name\n${rows.join('\n')}\nbroken@example.org,"Never,closed\n`);
    const r = sb.run(['import', file]);
    expect(r.code).toBe(4);
    expect(r.stderr).toMatch(/a quoted cell is never closed/);
    expect(r.stderr).toMatch(/rows before that were imported, and running it again after the fix is safe/);
    // batches end at 5,000 rows or 250 ms: some whole ones are in, the open one is not
    const persons = () => sb.query<{ n: number }>("SELECT count(*) AS n FROM profiles WHERE kind = 'person'")[0]!.n;
    expect(persons()).toBeGreaterThan(0);
    expect(persons()).toBeLessThanOrEqual(6000);
    // the report counts what is in the file, not the rows of the batch rolled back
    const small = path.join(sb.dir, 'small.csv');
    // past the rows read ahead for the mapping (1,000), within the first batch or two
    const few = Array.from({ length: 2000 }, (_, i) => `q${i}@example.org,Person,Nr ${i}`);
    fs.writeFileSync(small, `email,first_name,last_name\n${few.join('\n')}\nbroken@example.org,"Never,closed\n`);
    const before = persons();
    const stopped = json<{ inserted: number; stopped: string }>(sb.run(['--format', 'json', 'import', small]));
    expect(stopped.stopped).toMatch(/a quoted cell is never closed/);
    expect(stopped.inserted).toBe(persons() - before);
    fs.writeFileSync(file, `email,first_name,last_name\n${rows.join('\n')}\nbroken@example.org,Now,closed\n`);
    const again = sb.run(['import', file]);
    expect(again.code, again.stderr).toBe(0);
    // the 6,000 rows and the fixed one, and what the small file's whole batches left (a batch also
    // ends after 250 ms: on a loaded machine some of its rows are in)
    expect(persons()).toBe(6001 + stopped.inserted);
  });

  it("a contact row's company fields reach its company on every row, in file order, and count as an update", () => {
    const file = path.join(sb.dir, 'cc.csv');
    fs.writeFileSync(file, 'Vorname,Nachname,E-Mail,Firma,Branche\nAnn,A,a@example.org,Elbwerk GmbH,Bau\nBob,B,b@example.org,Elbwerk GmbH,Maschinenbau\n');
    expect(sb.run(['import', file]).code).toBe(0);
    const industry = () => sb.query<{ industry: string }>("SELECT industry FROM profiles WHERE kind = 'company'").map((r) => r.industry);
    expect(industry()).toEqual(['Maschinenbau']);
    const bob = path.join(sb.dir, 'cc2.csv');
    fs.writeFileSync(bob, 'Vorname,Nachname,E-Mail,Firma,Branche\nBob,B,b@example.org,Elbwerk GmbH,Holzbau\n');
    const r = json<{ updated: number; unchanged: number }>(sb.run(['--format', 'json', 'import', bob]));
    expect(industry()).toEqual(['Holzbau']);
    expect(r).toMatchObject({ updated: 1, unchanged: 0 });
    // the same row again changes nothing
    expect(json<{ updated: number; unchanged: number }>(sb.run(['--format', 'json', 'import', bob]))).toMatchObject({ updated: 0, unchanged: 1 });
  });

  it('a company renamed in the sheet keeps its key contacts whose rows still name it as it was called, in either order', () => {
    const rows = {
      company: (name: string) => `C1,company,${name},,,,info@elbwerk.example`,
      contact: 'P1,person,Elbwerk GmbH,Jens,Koch,CEO,jens@elbwerk.example',
    };
    const header = 'external_id,kind,company,first_name,last_name,role,email';
    for (const companyFirst of [true, false]) {
      const other = sandbox();
      try {
        const write = (name: string) => {
          const file = path.join(other.dir, `${name === 'Elbwerk GmbH' ? 'old' : 'new'}.csv`);
          const lines = companyFirst ? [rows.company(name), rows.contact] : [rows.contact, rows.company(name)];
          fs.writeFileSync(file, `${header}\n${lines.join('\n')}\n`);
          return file;
        };
        expect(other.run(['import', write('Elbwerk GmbH')]).code).toBe(0);
        const renamed = write('Elbwerk Pumpen GmbH');
        for (let i = 0; i < 3; i++) {
          const r = other.run(['--format', 'json', 'import', renamed]);
          expect(r.code, r.stderr).toBe(0);
          expect(json<{ companiesCreated: number; updated: number }>(r), `import ${i + 1}, company first: ${companyFirst}`).toMatchObject({ companiesCreated: 0, updated: i === 0 ? 1 : 0 });
        }
        // (a contact's row first makes the company for it, which its own row then fills in: the same ids)
        expect(other.query('SELECT p.name, c.name AS company FROM profiles p LEFT JOIN profiles c ON c.id = p.company_id ORDER BY p.id')).toEqual([
          { name: 'Elbwerk Pumpen GmbH', company: null },
          { name: 'Jens Koch', company: 'Elbwerk Pumpen GmbH' },
        ]);
      } finally {
        other.cleanup();
      }
    }
  });

  it('--on-conflict skip and fail', () => {
    const file = path.join(sb.dir, 'a.csv');
    fs.writeFileSync(file, 'email,last_name,city\na@example.org,A,Dresden\n');
    sb.run(['import', file]);
    fs.writeFileSync(file, 'email,last_name,city\na@example.org,A,Leipzig\n');
    const skip = sb.run(['import', file, '--on-conflict', 'skip']);
    expect(skip.code).toBe(0);
    expect(skip.stderr).toMatch(/skipped 1/);
    const fail = sb.run(['import', file, '--on-conflict', 'fail']);
    expect(fail.code).toBe(4);
    expect(list(sb).map((p) => p.city)).toEqual(['Dresden']);
  });

  it('--map renames, sends to custom fields and ignores columns', () => {
    const file = path.join(sb.dir, 'm.csv');
    fs.writeFileSync(file, 'Nr,Wer,Geheim,Farbe\n7,Zander,xyz,rot\n');
    const r = sb.run(['import', file, '--map', 'Nr=external_id,Wer=last_name,Geheim=-,Farbe=custom.colour']);
    expect(r.code, r.stderr).toBe(0);
    const [p] = list(sb);
    expect(p).toMatchObject({ external_id: '7', last_name: 'Zander', custom: { colour: 'rot' } });
  });

  it('slash dates are decided per column, or need --date-format', () => {
    const file = path.join(sb.dir, 's.csv');
    fs.writeFileSync(file, 'email,last_name,birthday\na@example.org,A,13/02/1980\nb@example.org,B,01/02/1980\n');
    expect(sb.run(['import', file]).code).toBe(0);
    expect(list(sb).map((p) => p.birthday)).toEqual(['1980-02-13', '1980-02-01']);
    const amb = path.join(sb.dir, 'amb.csv');
    fs.writeFileSync(amb, 'email,last_name,birthday\nc@example.org,C,01/02/1980\n');
    const r = sb.run(['import', amb]);
    expect(r.code).toBe(4);
    expect(r.stderr).toMatch(/--date-format/);
    expect(sb.run(['import', amb, '--date-format', 'MM/DD/YYYY']).code).toBe(0);
    expect(byName(list(sb), 'C').birthday).toBe('1980-01-02');
  });
});

/** A minimal zip (stored or deflated entries) for the xlsx guard tests. */
function zip(entries: { name: string; data: Buffer }[]): Buffer {
  const locals: Buffer[] = [];
  const centrals: Buffer[] = [];
  let offset = 0;
  for (const e of entries) {
    const compressed = zlib.deflateRawSync(e.data);
    const name = Buffer.from(e.name);
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    local.writeUInt16LE(20, 4);
    local.writeUInt16LE(8, 8);
    local.writeUInt32LE(compressed.length, 18);
    local.writeUInt32LE(e.data.length, 22);
    local.writeUInt16LE(name.length, 26);
    const central = Buffer.alloc(46);
    central.writeUInt32LE(0x02014b50, 0);
    central.writeUInt16LE(20, 6);
    central.writeUInt16LE(8, 10);
    central.writeUInt32LE(compressed.length, 20);
    central.writeUInt32LE(e.data.length, 24);
    central.writeUInt16LE(name.length, 28);
    central.writeUInt32LE(offset, 42);
    locals.push(local, name, compressed);
    centrals.push(central, name);
    offset += 30 + name.length + compressed.length;
  }
  const dir = Buffer.concat(centrals);
  const eocd = Buffer.alloc(22);
  eocd.writeUInt32LE(0x06054b50, 0);
  eocd.writeUInt16LE(entries.length, 8);
  eocd.writeUInt16LE(entries.length, 10);
  eocd.writeUInt32LE(dir.length, 12);
  eocd.writeUInt32LE(offset, 16);
  return Buffer.concat([...locals, dir, eocd]);
}

describe('bad input fails clearly and changes nothing', () => {
  function expectRefused(file: string, pattern: RegExp, extra: string[] = []) {
    sb.run(['add', 'company', '--name', 'Vorher GmbH']);
    const before = dumpDatabase(sb.db);
    const r = sb.run(['import', file, ...extra]);
    expect(r.code, r.stderr).not.toBe(0);
    expect(r.stderr).toMatch(pattern);
    expect(r.stderr).not.toMatch(/\n\s+at /);
    expect(r.stderr.trim().split('\n').filter((l) => l.startsWith('custfile: '))).toHaveLength(1);
    expect(dumpDatabase(sb.db)).toBe(before);
    return r;
  }

  it('an unclosed quote', () => {
    const file = path.join(sb.dir, 'q.csv');
    fs.writeFileSync(file, 'email,last_name,notes\na@example.org,A,"never closed\nb@example.org,B,x\n');
    const r = expectRefused(file, /q\.csv line \d+: a quoted cell is never closed/);
    expect(r.code).toBe(4);
  });

  it('ragged rows are rejected with their line', () => {
    const file = path.join(sb.dir, 'r.csv');
    fs.writeFileSync(file, 'email,last_name,city\na@example.org,A\nb@example.org,B,Dresden,extra\n');
    const r = expectRefused(file, /line 2: has 2 cells where the header has 3/, ['--atomic']);
    expect(r.stderr).toMatch(/line 3: has 4 cells/);
    expect(r.code).toBe(4);
  });

  it('a row longer than the header only by empty cells is read (a spreadsheet writes a,b,, for once-touched cells); one cell is "1 cell"', () => {
    const file = path.join(sb.dir, 'trailing.csv');
    fs.writeFileSync(file, 'email,last_name\na@example.org,A,,\nb@example.org,B, ,\nsolo\n');
    const r = sb.run(['import', file]);
    expect(r.code).toBe(4);
    expect(r.stderr).toMatch(/inserted 2,/);
    expect(r.stderr).toMatch(/line 4: has 1 cell where the header has 2/);
    expect(sb.query("SELECT last_name FROM profiles WHERE email IN ('a@example.org', 'b@example.org') ORDER BY email")).toEqual([{ last_name: 'A' }, { last_name: 'B' }]);
  });

  it('a NUL byte', () => {
    const file = path.join(sb.dir, 'n.csv');
    fs.writeFileSync(file, 'email,last_name\na@example.org,A\u0000B\n');
    expect(expectRefused(file, /line 2: contains a NUL byte/).code).toBe(4);
  });

  it('a 10 MB field fails fast', () => {
    const file = path.join(sb.dir, 'big.csv');
    fs.writeFileSync(file, `email,notes\na@example.org,"${'x'.repeat(10 * 1024 * 1024)}"\n`);
    expect(expectRefused(file, /longer than 1,000,000 characters/).code).toBe(4);
  });

  it('an xlsx zip bomb is refused before it is inflated', () => {
    const file = path.join(sb.dir, 'bomb.xlsx');
    fs.writeFileSync(file, zip([{ name: '[Content_Types].xml', data: Buffer.from('<Types/>') }, { name: 'xl/worksheets/sheet1.xml', data: Buffer.alloc(50 * 1024 * 1024) }]));
    expect(fs.statSync(file).size).toBeLessThan(200_000);
    expect(expectRefused(file, /zip bomb/).code).toBe(4);
  });

  it('a renamed non-zip .xlsx', () => {
    const file = path.join(sb.dir, 'fake.xlsx');
    fs.writeFileSync(file, 'email,last_name\na@example.org,A\n');
    expect(expectRefused(file, /not an xlsx workbook/).code).toBe(4);
  });

  it('duplicate and prototype-polluting headers', () => {
    const file = path.join(sb.dir, 'h.csv');
    fs.writeFileSync(file, 'email,last_name,__proto__\na@example.org,A,x\n');
    expect(expectRefused(file, /__proto__/).code).toBe(4);
    fs.writeFileSync(file, 'email,last_name,email\na@example.org,A,b@example.org\n');
    expect(expectRefused(file, /Columns 1 \("email"\) and 3 \("email"\) both map to email/).code).toBe(4);
  });

  it('an empty file, a BOM alone and empty stdin are exit 4; a header alone imports nothing', () => {
    const empty = path.join(sb.dir, 'empty.csv');
    fs.writeFileSync(empty, '');
    const bom = path.join(sb.dir, 'bom.csv');
    fs.writeFileSync(bom, Buffer.from([0xef, 0xbb, 0xbf]));
    for (const [args, input] of [[['import', empty], ''], [['import', bom], ''], [['import', '-'], '']] as const) {
      const r = sb.run([...args], { input });
      expect(r.code, args.join(' ')).toBe(4);
      expect(r.stderr).toMatch(/is empty; a CSV needs a header line/);
    }
    const header = path.join(sb.dir, 'header.csv');
    fs.writeFileSync(header, 'email,last_name\n');
    const r = sb.run(['import', header]);
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/0 rows/);
    expect(list(sb)).toEqual([]);
  });

  it('a missing file is exit 1 naming it', () => {
    const r = sb.run(['import', path.join(sb.dir, 'nope.csv')]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/nope\.csv cannot be read \(it does not exist\)/);
  });
});

describe('export and round trips', () => {
  beforeEach(() => {
    expect(sb.run(['import', path.join(ROOT, 'fixtures', 'customers.csv')]).code).toBe(0);
    sb.run(['update', 'K-1011', '--set', 'custom.Lieblingsfarbe=Grün', '--set', 'notes==1+1']);
  });

  const comparable = (records: Rec[]) =>
    records.map(({ id: _i, created_at: _c, updated_at: _u, company_id: _ci, ...rest }) => rest).sort((a, b) => String(a.name).localeCompare(String(b.name)));
  /** The profiles of `file` imported into a fresh file, as `view` shows them (the sandbox is removed). */
  const importedElsewhere = <T>(file: string, view: (records: Rec[]) => T): T => {
    const other = sandbox();
    try {
      const imp = other.run(['import', file]);
      expect(imp.code, imp.stderr).toBe(0);
      return view(list(other));
    } finally {
      other.cleanup();
    }
  };

  it('csv: formula guard, then import into an empty file gives the same profiles', () => {
    const out = path.join(sb.dir, 'all.csv');
    const r = sb.run(['export', '--out', out]);
    expect(r.code, r.stderr).toBe(0);
    const text = fs.readFileSync(out, 'utf8');
    expect(text).toContain(",'+49 351 4711000,");
    expect(text).toContain(",'=1+1,");
    expect(text.split('\n')[0]).toContain(',Lieblingsfarbe');
    expect(importedElsewhere(out, comparable)).toEqual(comparable(list(sb)));
  });

  it('csv: the line SQLite writes for a profile is the one csvRows would (guard, quotes, umlauts, custom)', () => {
    const r = sb.run(['update', 'K-1011', '--set', 'notes=Sagte: "bitte, nicht\nvor 9"', '--set', 'custom.Größe=-2', '--set', 'city=Görlitz; Neiße', '--set', 'street==A1']);
    expect(r.code, r.stderr).toBe(0);
    const out = path.join(sb.dir, 'all.csv');
    expect(sb.run(['export', '--out', out]).code).toBe(0);
    const text = fs.readFileSync(out, 'utf8');
    const header = text.split('\n')[0]!.split(',');
    expect(header.slice(-2)).toEqual(['Größe', 'Lieblingsfarbe']);
    const line = text.split('\n').find((l) => l.includes(',K-1011,'))!;
    // the street and the city need csvRows (a guard, quotes): SQLite leaves them, the check sees it
    expect(line).toContain(",Anna Müller,,,,,Anna,Müller,1984-03-12,,,,,,,,,,anna.mueller@example.org,'+49 3591 123456,'=A1,02625,\"Görlitz; Neiße\",Sachsen,DE,customer,\"newsletter,vip\",");
    expect(line).toContain(',"Sagte: ""bitte, nicht');
    expect(text).toContain('vor 9""",0.00,0,,');
    expect(text).toMatch(/,'-2,Grün\n/);
    // sorted, the same rows are read line by line: the same bytes
    const sorted = path.join(sb.dir, 'sorted.csv');
    expect(sb.run(['export', '--sort', 'id', '--out', sorted]).code).toBe(0);
    expect(fs.readFileSync(sorted).equals(fs.readFileSync(out))).toBe(true);
  });

  it("a text's own quotes before a formula character survive csv, --excel and xlsx (the guard of such a text is one more quote)", () => {
    const r = sb.run(['update', 'K-1011', '--set', "last_name='-Strich", '--set', "notes=''=1+1 is how Excel escapes", '--set', "custom.Kürzel='@x", '--set', "street='s-Hertogenbosch 1"]);
    expect(r.code, r.stderr).toBe(0);
    for (const [name, args] of [['q.csv', []], ['q-excel.csv', ['--excel']], ['q.xlsx', []]] as [string, string[]][]) {
      const out = path.join(sb.dir, name);
      expect(sb.run(['export', ...args, '--out', out]).code).toBe(0);
      const back = importedElsewhere(out, (records) => records.find((p) => p.external_id === 'K-1011')!);
      expect(back, name).toMatchObject({ last_name: "'-Strich", notes: "''=1+1 is how Excel escapes", street: "'s-Hertogenbosch 1", custom: { Kürzel: "'@x" } });
      expect(importedElsewhere(out, comparable), name).toEqual(comparable(list(sb)));
    }
    expect(fs.readFileSync(path.join(sb.dir, 'q.csv'), 'utf8')).toContain(",''-Strich,");
  });

  it('--excel writes a BOM, ; and CRLF, and imports back', () => {
    const out = path.join(sb.dir, 'excel.csv');
    expect(sb.run(['export', '--excel', '--out', out]).code).toBe(0);
    const bytes = fs.readFileSync(out);
    expect([...bytes.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    expect(bytes.toString('utf8')).toMatch(/^\ufeffid;kind;/);
    expect(bytes.toString('utf8')).toContain('\r\n');
    expect(importedElsewhere(out, comparable)).toEqual(comparable(list(sb)));
  });

  it('xlsx: round trip gives the same profiles, postcodes as text', () => {
    const out = path.join(sb.dir, 'all.xlsx');
    const r = sb.run(['export', '--out', out]);
    expect(r.code, r.stderr).toBe(0);
    expect(fs.readFileSync(out).subarray(0, 2).toString()).toBe('PK');
    expect(importedElsewhere(out, comparable)).toEqual(comparable(list(sb)));
  });

  it('vcf: round trip keeps what vCard can carry', () => {
    const out = path.join(sb.dir, 'all.vcf');
    expect(sb.run(['export', '--format', 'vcf', '--out', out]).code).toBe(0);
    const text = fs.readFileSync(out, 'utf8');
    expect(text.match(/BEGIN:VCARD/g)).toHaveLength(list(sb).length);
    const pick = (rs: Rec[]) => rs.map((p) => [p.name, p.kind, p.email, p.phone, p.birthday, p.postcode, p.city, p.company]).sort();
    expect(importedElsewhere(out, pick)).toEqual(pick(list(sb)));
  });

  it('vcf: an empty file, or empty stdin, is no cards: 0 rows, exit 0 (a vCard needs no header)', () => {
    const file = path.join(sb.dir, 'empty.vcf');
    fs.writeFileSync(file, '');
    for (const [args, input] of [[['import', file], undefined], [['import', '-', '--format', 'vcf'], '']] as [string[], string | undefined][]) {
      const r = sb.run(args, { input });
      expect(r.code, args.join(' ')).toBe(0);
      expect(r.stderr).toMatch(/0 rows/);
    }
  });

  it('vcf: a file that ends inside a folded character is refused with its line, not a crash', () => {
    const file = path.join(sb.dir, 'cut.vcf');
    fs.writeFileSync(file, Buffer.from('BEGIN:VCARD\r\nFN:Gr\xc3\r\n ', 'latin1'));
    const r = sb.run(['import', file]);
    expect(r.code).toBe(4);
    expect(r.stderr).toMatch(/line \d+/);
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });

  it('vcf: a group card (a Nextcloud address book has them) is skipped, not rejected: exit 0, no rejects', () => {
    const file = path.join(sb.dir, 'book.vcf');
    fs.writeFileSync(file, 'BEGIN:VCARD\r\nVERSION:4.0\r\nKIND:group\r\nFN:Team\r\nMEMBER:urn:uuid:1\r\nEND:VCARD\r\nBEGIN:VCARD\r\nVERSION:4.0\r\nFN:Gina Gruppe\r\nN:Gruppe;Gina;;;\r\nEMAIL:gina@example.org\r\nEND:VCARD\r\n');
    const rejects = path.join(sb.dir, 'book-rejected.vcf');
    const r = sb.run(['import', file, '--rejects', rejects]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/inserted 1, updated 0, unchanged 0, skipped 1, rejected 0/);
    expect(fs.readFileSync(rejects, 'utf8')).toBe('');
  });

  it('vcf: a file whose cards have UIDs is keyed on them, so a card whose e-mail changed updates its profile', () => {
    const card = (email: string) => `BEGIN:VCARD\r\nVERSION:4.0\r\nUID:K1\r\nFN:Eva Klein\r\nN:Klein;Eva;;;\r\nEMAIL:${email}\r\nADR;TYPE=home:Postfach 12;Apt 3;Weg 2;Bonn;NRW;53111;DE\r\nEND:VCARD\r\n`;
    const file = path.join(sb.dir, 'k.vcf');
    fs.writeFileSync(file, card('eva@example.org'));
    expect(sb.run(['import', file]).stderr).toMatch(/key external_id/);
    fs.writeFileSync(file, card('eva.neu@example.org'));
    const r = sb.run(['import', file]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/inserted 0, updated 1/);
    expect(sb.query("SELECT email, street FROM profiles WHERE external_id = 'K1'")).toEqual([{ email: 'eva.neu@example.org', street: 'Weg 2, Apt 3, Postfach 12' }]);
  });

  it('vcf: a contact named like its company stays a person, and further e-mails, phones, addresses and URL come back', () => {
    expect(sb.run(['add', 'company', '--name', 'Heinz Müller']).code).toBe(0);
    expect(sb.run(['add', 'contact', '--company', 'Heinz Müller', '--name', 'Heinz Müller', '--role', 'Inhaber', '--email', 'heinz@example.org', '--birthday', '1960-01-02']).code).toBe(0);
    const card = path.join(sb.dir, 'in.vcf');
    fs.writeFileSync(card, 'BEGIN:VCARD\r\nVERSION:3.0\r\nN:Doe;Jane;;;\r\nFN:Jane Doe\r\nEMAIL:jane@work.example\r\nEMAIL:jane@home.example\r\nTEL:+49 170 1\r\nTEL:+49 30 2\r\nADR;TYPE=work:;;Hauptstr. 1;Dresden;;01067;DE\r\nADR;TYPE=home:;;Nebenweg 2;Pirna;;01796;DE\r\nURL:https://jane.example\r\nEND:VCARD\r\n');
    expect(sb.run(['import', card]).code).toBe(0);
    const out = path.join(sb.dir, 'back.vcf');
    expect(sb.run(['export', '--format', 'vcf', '--out', out, '--where', "name in ('Heinz Müller', 'Jane Doe')"]).code).toBe(0);
    const view = (rs: Rec[]) => rs.filter((p) => p.name === 'Heinz Müller' || p.name === 'Jane Doe')
      .map((p) => ({ name: p.name, kind: p.kind, role: p.role, birthday: p.birthday, company: p.company, email: p.email, phone: p.phone, street: p.street, custom: p.custom }))
      .sort((a, b) => `${a.name}${a.kind}`.localeCompare(`${b.name}${b.kind}`));
    expect(importedElsewhere(out, view)).toEqual(view(list(sb)));
    expect(view(list(sb)).find((p) => p.name === 'Jane Doe')!.custom).toMatchObject({ 'E-mail 2': 'jane@home.example', 'Phone 2': '+49 30 2', 'Address 2': 'Nebenweg 2, 01796 Pirna, DE', URL: 'https://jane.example' });
  });

  it('a full disk or a folder as --out is exit 1 naming the target, with nothing claimed', () => {
    for (const format of ['csv', 'xlsx', 'vcf']) {
      const r = sb.run(['export', '--format', format, '--out', '/dev/full']);
      expect(r.code, format).toBe(1);
      expect(r.stderr, format).toBe('custfile: /dev/full could not be written (ENOSPC); it is incomplete.\n');
    }
    const folder = sb.run(['export', '--out', sb.dir]);
    expect(folder.code).toBe(1);
    expect(folder.stderr).toMatch(/cannot be written \(it is a folder\)/);
  });

  it('json and ndjson with filters; --subject gives a person their own data', () => {
    const vip = json<Rec[]>(sb.run(['--format', 'json', 'export', '--tag', 'vip']));
    expect(vip.length).toBeGreaterThan(2);
    expect(vip.every((p) => p.tags.includes('vip'))).toBe(true);
    const nd = sb.run(['--format', 'ndjson', 'export', '--kind', 'company']).stdout.trim().split('\n');
    expect(nd.every((l) => (JSON.parse(l) as Rec).kind === 'company')).toBe(true);
    sb.run(['note', 'K-1011', 'Called about chocolates']);
    const subject = json<{ profile: Rec; notes: unknown[]; history: unknown[] }>(sb.run(['--format', 'json', 'export', '--subject', 'anna.mueller@example.org']));
    expect(subject.profile.name).toBe('Anna Müller');
    expect(subject.notes).toHaveLength(1);
    expect(subject.history.length).toBeGreaterThanOrEqual(2);
    // one subject a call: a second --subject silently won
    const two = sb.run(['--format', 'json', 'export', '--subject', 'anna.mueller@example.org', '--subject', 'K-1011']);
    expect([two.code, two.stdout]).toEqual([2, '']);
    expect(two.stderr).toMatch(/--subject names one person/);
  });
});

describe('decomposed text (NFD, as macOS writes it)', () => {
  let sb2: Sandbox;
  beforeEach(() => {
    sb2 = sandbox();
  });
  afterEach(() => sb2.cleanup());

  it('is stored composed, so what a user types finds it, and importing the composed form changes nothing', () => {
    const nfd = path.join(sb2.dir, 'nfd.csv');
    fs.writeFileSync(nfd, 'first_name,last_name,email,city,tags\nJo\u0308rg,Mu\u0308ller,jo\u0308rg@x.de,Mu\u0308nchen,Bu\u0308cher\n');
    expect(sb2.run(['import', nfd]).code).toBe(0);
    const shown = json<Rec>(sb2.run(['--format', 'json', 'show', 'Jörg Müller']));
    expect([shown.first_name, shown.city, shown.email]).toEqual(['Jörg', 'München', 'jörg@x.de']);
    expect(list(sb2, '--city', 'München')).toHaveLength(1);
    expect(list(sb2, '--tag', 'Bücher')).toHaveLength(1);
    expect(list(sb2, '--where', "city = 'München'")).toHaveLength(1);
    // a REF or filter typed decomposed finds it as well
    expect(sb2.run(['--format', 'json', 'show', 'Jo\u0308rg Mu\u0308ller']).code).toBe(0);
    expect(list(sb2, '--where', "city = 'Mu\u0308nchen'")).toHaveLength(1);
    const nfcFile = path.join(sb2.dir, 'nfc.csv');
    fs.writeFileSync(nfcFile, 'first_name,last_name,email,city,tags\nJörg,Müller,jörg@x.de,München,Bücher\n');
    expect(sb2.run(['import', nfcFile]).stderr).toMatch(/inserted 0, updated 0, unchanged 1/);
    expect(sb2.query('SELECT count(*) AS n FROM history')).toEqual([{ n: 1 }]);
  });

  it('tags ignore the case of umlauts too, in --tag, = , != and in (...)', () => {
    const file = path.join(sb2.dir, 'umlaut-tags.csv');
    fs.writeFileSync(file, 'name,email,tags\nAnn A,a@x.de,Ärger\nBob B,b@x.de,ärger\nCid C,c@x.de,vip\n');
    expect(sb2.run(['import', file]).code).toBe(0);
    const names = (...args: string[]) => list(sb2, ...args).map((r) => r.name).sort();
    expect(names('--tag', 'ÄRGER')).toEqual(['Ann A', 'Bob B']);
    expect(names('--where', 'tag = ärger')).toEqual(['Ann A', 'Bob B']);
    expect(names('--where', 'tag != ärger')).toEqual(['Cid C']);
    expect(names('--where', 'tag in (ÄrGeR, vip)')).toEqual(['Ann A', 'Bob B', 'Cid C']);
    // a Greek final sigma, and a tag with more case spellings than the index lookup takes
    const more = path.join(sb2.dir, 'more-tags.csv');
    fs.writeFileSync(more, 'name,email,tags\nDia D,d@x.de,φίλος\nEva E,e@x.de,ПАРТНЁРЫ\n');
    expect(sb2.run(['import', more]).code).toBe(0);
    expect(names('--where', 'tag = ΦΊΛΟΣ')).toEqual(['Dia D']);
    expect(names('--tag', 'партнёры')).toEqual(['Eva E']);
    const many = Array.from({ length: 600 }, (_v, i) => `партнёр${i}`).join(', ');
    expect(names('--where', `tag in (${many}, vip)`)).toEqual(['Cid C']);
  });

  it('"Müller, Anna" in a Name column is Anna Müller, and a second import pairs each such row with its own', () => {
    const file = path.join(sb2.dir, 'sorted-names.csv');
    fs.writeFileSync(file, 'Name;Ort\nMüller, Anna;Dresden\nMüller, Anna;Pirna\nBär, Jörg;Görlitz\n');
    expect(sb2.run(['import', file]).code).toBe(0);
    expect(list(sb2).map((r) => [r.first_name, r.last_name, r.city])).toEqual([['Anna', 'Müller', 'Dresden'], ['Anna', 'Müller', 'Pirna'], ['Jörg', 'Bär', 'Görlitz']]);
    expect(sb2.run(['import', file]).stderr).toMatch(/inserted 0, updated 0, unchanged 3/);
  });

  it('repeated filter options must all hold (--tag a --tag b is --tag a,b)', () => {
    const file = path.join(sb2.dir, 'tags.csv');
    fs.writeFileSync(file, 'name,email,tags,city\nA,a@x.de,"vip,b2b",Dresden\nB,b@x.de,b2b,Leipzig\nC,c@x.de,vip,Dresden\n');
    expect(sb2.run(['import', file]).code).toBe(0);
    expect(list(sb2, '--tag', 'vip', '--tag', 'b2b').map((r) => r.name)).toEqual(['A']);
    expect(list(sb2, '--where', "city = 'Dresden'", '--where', 'tag = b2b').map((r) => r.name)).toEqual(['A']);
    expect(list(sb2, '--city', 'Dresden', '--city', 'Leipzig')).toEqual([]);
  });
});
