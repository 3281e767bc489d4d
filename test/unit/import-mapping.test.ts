import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'csv-parse/sync';
import iconv from 'iconv-lite';
import { describe, expect, it } from 'vitest';
import { RejectedInputError, UsageError } from '../../src/errors.js';
import {
  type ColumnMapping,
  type ImportValues,
  type RowContext,
  decideSlashOrder,
  decideSlashOrders,
  defaultKey,
  describeTarget,
  keyCellOf,
  keyCellReader,
  detectLayout,
  mapHeaders,
  normalizeHeader,
  parseDateFormat,
  parseImportDate,
  parseImportMoney,
  parseMapSpec,
  removeFormulaGuard,
  rowToRecord,
  splitImportTags,
} from '../../src/domain/import-mapping.js';
import { applyChanges, emptyDraft } from '../../src/domain/profile.js';
import { guardFormula, guardQuote } from '../../src/domain/formula-guard.js';
import { formatCents, parseMoneyCents } from '../../src/domain/values.js';
import { sniffDelimiter, sniffEncoding } from '../../src/io/sniff.js';
import { random } from '../seeded-random.js';

const FIXTURES = join(import.meta.dirname, '../fixtures/import');

/** A fixture as rows of cells, decoded and split the way the importer will. */
function readFixture(name: string): { rows: string[][]; delimiter: string } {
  const bytes = readFileSync(join(FIXTURES, name));
  const enc = sniffEncoding(bytes, { complete: true });
  const text = iconv.decode(bytes.subarray(enc.bomLength), enc.encoding);
  const { delimiter, sepLine } = sniffDelimiter(text);
  const rows = parse(text, { delimiter, from_line: sepLine ? 2 : 1, relax_column_count: true }) as string[][];
  return { rows, delimiter };
}

/** header → described target, for the columns that are not ignored. */
function targets(mapping: ColumnMapping[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const m of mapping) if (m.target.type !== 'ignore') out[m.header] = describeTarget(m.target);
  return out;
}

function ok(result: ReturnType<typeof rowToRecord>): ImportValues {
  if (!result.ok) throw new Error(`row rejected: ${result.reason}`);
  return result.values;
}

/** The `set` list as an object (later entries win, as in applyChanges). */
function setOf(values: ImportValues): Record<string, string> {
  return Object.fromEntries(values.set.map((s) => [s.field, s.value]));
}

function rowOf(headers: string[], cells: Record<string, string>, ctx: RowContext = {}, map?: Record<string, string>) {
  const mapping = mapHeaders(headers, { map });
  return rowToRecord(mapping, headers.map((h) => cells[h] ?? ''), ctx);
}

describe('normalizeHeader', () => {
  it.each([
    ['E-Mail', 'email'],
    ['E-mail Address', 'emailaddress'],
    ['  Straße ', 'strasse'],
    ['Strasse', 'strasse'],
    ['STRASSE', 'strasse'],
    ['Nächster Kontakt', 'nachsterkontakt'],
    ['Kunde seit', 'kundeseit'],
    ['Kd.-Nr.', 'kdnr'],
    ['first_name', 'firstname'],
    ['Business Country/Region', 'businesscountryregion'],
    ['Ürün', 'urun'],
  ])('%j → %j', (header, key) => {
    expect(normalizeHeader(header)).toBe(key);
  });
});

describe('mapHeaders: names in English and German', () => {
  const cases: [string, string][] = [
    ['E-Mail', 'email'],
    ['Email Address', 'email'],
    ['e-mail', 'email'],
    ['Mail', 'email'],
    ['E-Mail-Adresse', 'email'],
    ['Vorname', 'first_name'],
    ['First Name', 'first_name'],
    ['first_name', 'first_name'],
    ['Nachname', 'last_name'],
    ['Familienname', 'last_name'],
    ['Name', 'name'],
    ['Firma', 'company'],
    ['Unternehmen', 'company'],
    ['Company', 'company'],
    ['Straße', 'street'],
    ['Strasse', 'street'],
    ['Hausnummer', 'street (house number)'],
    ['PLZ', 'postcode'],
    ['Postleitzahl', 'postcode'],
    ['ZIP Code', 'postcode'],
    ['Ort', 'city'],
    ['Stadt', 'city'],
    ['Land', 'country'],
    ['Bundesland', 'region'],
    ['Geburtstag', 'birthday'],
    ['Geburtsdatum', 'birthday'],
    ['Date of Birth', 'birthday'],
    ['Umsatz', 'revenue'],
    ['Jahresumsatz', 'revenue'],
    ['Mitarbeiter', 'headcount'],
    ['Mitarbeiterzahl', 'headcount'],
    ['Branche', 'industry'],
    ['Rechtsform', 'legal_form'],
    ['Kundennr', 'external_id'],
    ['Kundennummer', 'external_id'],
    ['Kunden-Nr.', 'external_id'],
    ['external_id', 'external_id'],
    ['Kunde seit', 'customer_since'],
    ['Bemerkung', 'notes'],
    ['Notizen', 'notes'],
    ['Telefon', 'phone'],
    ['Mobil', 'phone'],
    ['Handy', 'phone'],
    ['Position', 'role'],
    ['Funktion', 'role'],
    ['Beruf', 'profession'],
    ['Tags', 'tags'],
    ['Schlagworte', 'tags'],
    ['Kategorien', 'tags'],
    ['Quelle', 'source'],
    ['Website', 'website'],
    ['Homepage', 'website'],
    ['Status', 'lifecycle'],
    ['Nächster Kontakt', 'next_contact'],
    ['Naechster Kontakt', 'next_contact'],
    ['Wiedervorlage', 'next_contact'],
    ['Entscheider', 'decision_maker'],
    ['Kundentyp', 'kind'],
    ['Lieblingsfarbe', 'custom.Lieblingsfarbe'],
    ['  Schuhgröße  ', 'custom.Schuhgröße'],
  ];
  it.each(cases)('%j → %s', (header, target) => {
    const [m] = mapHeaders([header]);
    expect(describeTarget(m!.target).replace(/ \(or custom\..*\)$/, '')).toBe(target);
  });

  it('"Name" beside "Vorname" is the surname; beside both it is the display name', () => {
    expect(targets(mapHeaders(['Vorname', 'Name', 'Ort']))).toEqual({ Vorname: 'first_name', Name: 'last_name', Ort: 'city' });
    expect(targets(mapHeaders(['Name', 'Ort']))).toEqual({ Name: 'name', Ort: 'city' });
    expect(targets(mapHeaders(['Vorname', 'Nachname', 'Name']))).toEqual({ Vorname: 'first_name', Nachname: 'last_name', Name: 'name' });
  });

  it('keeps unknown columns as custom fields named by the trimmed header, and headerless ones by their position', () => {
    const mapping = mapHeaders(['E-Mail', ' Shoe size ', '', 'custom.city']);
    expect(mapping.map((m) => [m.header, describeTarget(m.target), m.via])).toEqual([
      ['E-Mail', 'email (or custom.E-Mail)', 'known'],
      ['Shoe size', 'custom.Shoe size', 'unknown'],
      ['', 'custom.column_3', 'no-header'],
      ['custom.city', 'custom.city', 'own'],
    ]);
    // Excel's trailing ";" gives every row an empty headerless cell: it writes nothing
    const named = mapHeaders(['Name', 'E-Mail', '']);
    const withValue = ok(rowToRecord(named, ['Anna', 'a@b.de', 'Stammkundin'], {}));
    expect(withValue.set).toContainEqual({ field: 'custom.column_3', value: 'Stammkundin' });
    expect(ok(rowToRecord(named, ['Anna', 'a@b.de', ''], {})).set.some((s) => s.field === 'custom.column_3')).toBe(false);
  });

  it('takes the key from an external id column, else e-mail', () => {
    expect(defaultKey(mapHeaders(['Kundennr', 'E-Mail']))).toBe('external_id');
    expect(defaultKey(mapHeaders(['Vorname', 'E-Mail']))).toBe('email');
  });
});

describe('mapHeaders: rejected headers', () => {
  it.each(['__proto__', 'constructor', 'prototype', ' __proto__ '])('rejects a %j header, naming the column', (header) => {
    expect(() => mapHeaders(['E-Mail', header])).toThrow(RejectedInputError);
    expect(() => mapHeaders(['E-Mail', header])).toThrow(/Column 2/);
  });

  it('takes lookalikes of reserved names as ordinary custom fields', () => {
    expect(targets(mapHeaders(['Constructor', 'toString', 'hasOwnProperty']))).toEqual({
      Constructor: 'custom.Constructor',
      toString: 'custom.toString',
      hasOwnProperty: 'custom.hasOwnProperty',
    });
  });

  it.each([
    [['Vorname', 'First Name'], /Columns 1 \("Vorname"\) and 2 \("First Name"\) both map to first_name/],
    [['Straße', 'Strasse'], /Columns 1 .* and 2 .* both map to street/],
    [['Notiz 1', 'Notiz 1'], /both map to custom\.Notiz 1/],
    [['E-Mail', 'E-Mail'], /both map to email/],
    [['Firma', 'Unternehmen'], /both map to company/],
    [['PLZ', 'Postleitzahl'], /both map to postcode/],
  ])('rejects %j', (headers, message) => {
    expect(() => mapHeaders(headers)).toThrow(RejectedInputError);
    expect(() => mapHeaders(headers)).toThrow(message);
  });

  it('allows columns that add up: several tag columns, several e-mails and phones, several address blocks', () => {
    const mapping = mapHeaders(['Tags', 'Kategorien', 'E-Mail', 'E-Mail 2', 'Telefon', 'Mobil', 'Business City', 'Home City']);
    expect(mapping.map((m) => m.target.type)).toEqual(['tags', 'tags', 'alternate', 'alternate', 'alternate', 'alternate', 'address', 'address']);
  });

  it('rejects a header too long for a custom field name', () => {
    expect(() => mapHeaders(['E-Mail', 'x'.repeat(65)])).toThrow(/Column 2 .* cannot be kept as a custom field/);
    expect(() => mapHeaders(['E-Mail', 'x'.repeat(65)], { map: { ['x'.repeat(65)]: '-' } })).not.toThrow();
  });
});

describe('mapHeaders: --map', () => {
  it('overrides, ignores with -, and writes custom.NAME', () => {
    const mapping = mapHeaders(['Nr', 'Col2', 'Col3', 'Vorname'], {
      map: parseMapSpec('Nr=external_id, Col2=custom.Schuhgröße,Col3=-'),
    });
    expect(mapping.map((m) => [describeTarget(m.target), m.via])).toEqual([
      ['external_id', 'map'],
      ['custom.Schuhgröße', 'map'],
      ['nothing (ignored)', 'map'],
      ['first_name', 'known'],
    ]);
  });

  it('matches the column case- and accent-insensitively', () => {
    expect(describeTarget(mapHeaders(['Straße'], { map: { strasse: 'custom.Weg' } })[0]!.target)).toBe('custom.Weg');
  });

  it.each([
    [{ Nope: 'email' }, /--map names the column "Nope"/],
    [{ Vorname: 'vorname' }, /"vorname" for column "Vorname" is not a field/],
    [{ Vorname: 'sales_total' }, /assigned or derived/],
    [{ Vorname: 'company_id' }, /assigned or derived/],
    [{ Vorname: 'custom.__proto__' }, /not a usable custom field name/],
  ])('refuses %j', (map, message) => {
    expect(() => mapHeaders(['Vorname', 'Name'], { map })).toThrow(UsageError);
    expect(() => mapHeaders(['Vorname', 'Name'], { map })).toThrow(message);
  });

  it('parses the --map text', () => {
    expect({ ...parseMapSpec("Kundennr=external_id,Col 2 = custom.x ,Col3=-,a=b=c") }).toEqual({
      Kundennr: 'external_id',
      'Col 2': 'custom.x',
      Col3: '-',
      'a=b': 'c',
    });
    expect(() => parseMapSpec('Kundennr')).toThrow(UsageError);
    expect(() => parseMapSpec('__proto__=email')).toThrow(UsageError);
  });
});

describe('the fixtures map where they belong', () => {
  it('german-excel.csv (Windows-1252, `;`, DD.MM.YYYY, 1.234,56, PLZ 01067)', () => {
    const { rows, delimiter } = readFixture('german-excel.csv');
    const mapping = mapHeaders(rows[0]!);
    expect(detectLayout(rows[0]!)).toBe('generic');
    expect(targets(mapping)).toEqual({
      Kundennr: 'external_id', Vorname: 'first_name', Nachname: 'last_name', Firma: 'company', Straße: 'street',
      PLZ: 'postcode', Ort: 'city', Geburtstag: 'birthday', Umsatz: 'revenue', 'E-Mail': 'email (or custom.E-Mail)',
      Telefon: 'phone (or custom.Telefon)', 'Kunde seit': 'customer_since', Bemerkung: 'notes', Schlagworte: 'tags',
      Lieblingsfarbe: 'custom.Lieblingsfarbe',
    });
    const ctx: RowContext = { decimal: delimiter === ';' ? ',' : '.' };
    const [juergen, oekobau, annaLena, oezlem] = rows.slice(1).map((r) => ok(rowToRecord(mapping, r, ctx)));
    expect(juergen!.kind).toBe('person');
    expect(setOf(juergen!)).toEqual({
      external_id: 'K-1001', first_name: 'Jürgen', last_name: 'Müller', street: 'Königstraße 5', postcode: '01067',
      city: 'Dresden', birthday: '1985-05-17', email: 'juergen@example.de', phone: '0351 1234567',
      customer_since: '2020-03-01', notes: 'Größter Kunde, zahlt pünktlich', 'custom.Lieblingsfarbe': 'Grün',
    });
    expect(juergen!.companyName).toBe('Bäckerei Müller GmbH');
    expect(juergen!.companySet).toEqual([{ field: 'revenue', value: '1234.56' }]);
    expect(juergen!.tagEdits).toEqual(['+VIP', '+Stammkunde']);

    expect(oekobau!.kind).toBe('company');
    expect(setOf(oekobau!)).toMatchObject({
      name: 'Ökobau Süd GmbH', revenue: '1234567.89', postcode: '09111', notes: 'Rahmenvertrag; „Premium“ bis 2027',
    });
    expect(setOf(annaLena!)).toMatchObject({ first_name: 'Anna-Lena', last_name: 'Weiß', birthday: '1990-02-01', postcode: '04109', notes: 'Zeile 1\nZeile 2' });
    expect(annaLena!.companyName).toBeUndefined();
    expect(setOf(oezlem!)).toMatchObject({ first_name: 'Özlem', last_name: 'Çelik', birthday: '1988-02-29', street: 'Schloßstraße 1', notes: 'Rabatt 5 € vereinbart' });
  });

  it('german-excel.csv rows go through applyChanges whole', () => {
    const { rows } = readFixture('german-excel.csv');
    const mapping = mapHeaders(rows[0]!);
    for (const row of rows.slice(1)) {
      const v = ok(rowToRecord(mapping, row, { decimal: ',' }));
      const draft = applyChanges(emptyDraft(v.kind), { set: v.set, unset: [], tagEdits: v.tagEdits ?? [] });
      expect(draft.postcode).toMatch(/^0\d{4}$/);
      if (v.companySet) applyChanges(emptyDraft('company'), { set: [{ field: 'name', value: v.companyName! }, ...v.companySet], unset: [], tagEdits: [] });
    }
    const company = ok(rowToRecord(mapping, rows[2]!, { decimal: ',' }));
    const draft = applyChanges(emptyDraft('company'), { set: company.set, unset: [], tagEdits: company.tagEdits ?? [] });
    expect([draft.name, draft.revenue, draft.postcode, draft.tags, draft.custom]).toEqual(['Ökobau Süd GmbH', 123456789, '09111', ['Bau'], {}]);
  });

  it('utf8-bom.csv (English headers, formula guards)', () => {
    const { rows } = readFixture('utf8-bom.csv');
    const mapping = mapHeaders(rows[0]!);
    expect(targets(mapping)).toEqual({
      'First Name': 'first_name', 'Last Name': 'last_name', Company: 'company', 'Email Address': 'email (or custom.Email Address)',
      Phone: 'phone (or custom.Phone)', Zip: 'postcode', City: 'city', Country: 'country', Birthday: 'birthday', Tags: 'tags', Notes: 'notes',
    });
    const [zoe, francois] = rows.slice(1).map((r) => ok(rowToRecord(mapping, r, {})));
    expect(setOf(zoe!)).toMatchObject({ first_name: 'Zoë', last_name: 'Åström', phone: '+46 8 123 456', postcode: '01067', birthday: '1992-11-03' });
    expect(zoe!.companyName).toBe('Nordlicht AB');
    expect(zoe!.tagEdits).toEqual(['+VIP', '+Newsletter']);
    expect(setOf(francois!)).toMatchObject({ first_name: 'François', birthday: '--07-14', notes: '=HYPERLINK("x")' });
  });

  it('utf16le-tab.txt ("Name" beside "Vorname", an emoji)', () => {
    const { rows } = readFixture('utf16le-tab.txt');
    const mapping = mapHeaders(rows[0]!);
    expect(targets(mapping)).toEqual({
      Vorname: 'first_name', Name: 'last_name', Firma: 'company', PLZ: 'postcode', Ort: 'city', Geburtstag: 'birthday',
      Mobil: 'phone (or custom.Mobil)', Notizen: 'notes',
    });
    const [joerg, uelkue] = rows.slice(1).map((r) => ok(rowToRecord(mapping, r, {})));
    expect(setOf(joerg!)).toEqual({
      first_name: 'Jörg', last_name: 'Schäfer', postcode: '01067', city: 'Dresden', birthday: '1970-04-03',
      phone: '0171 1111111', notes: 'Mag Kaffee ☕ und 😀',
    });
    expect(joerg!.companyName).toBe('Schäfer & Söhne KG');
    expect(setOf(uelkue!)).toEqual({ first_name: 'Ülkü', last_name: 'Öztürk', postcode: '08056', city: 'Zwickau', notes: 'Tab-getrennt' });
  });

  it('outlook.csv: business address before home, the first e-mail and phone, categories as tags, no bookkeeping columns', () => {
    const { rows } = readFixture('outlook.csv');
    const header = rows[0]!;
    expect(detectLayout(header)).toBe('outlook');
    const mapping = mapHeaders(header);
    const t = targets(mapping);
    expect(t).toMatchObject({
      'First Name': 'first_name', 'Last Name': 'last_name', Company: 'company', 'Job Title': 'role',
      'Business Street': 'street (business address)', 'Business Street 2': 'street (line 2) (business address)',
      'Business City': 'city (business address)', 'Business Postal Code': 'postcode (business address)',
      'Business Country/Region': 'country (business address)', 'Home Street': 'street (home address)',
      'Home City': 'city (home address)', 'Home Postal Code': 'postcode (home address)',
      'E-mail Address': 'email (or custom.E-mail Address)', 'E-mail 2 Address': 'email (or custom.E-mail 2 Address)',
      'Business Phone': 'phone (or custom.Business Phone)', 'Mobile Phone': 'phone (or custom.Mobile Phone)',
      'Home Phone': 'phone (or custom.Home Phone)', Birthday: 'birthday', Notes: 'notes', Categories: 'tags', 'Web Page': 'website',
    });
    for (const noise of ['Priority', 'Sensitivity', 'Private', 'Gender', 'E-mail Type', 'E-mail Display Name']) expect(t[noise]).toBeUndefined();

    const orders = decideSlashOrders(mapping, rows.slice(1));
    expect(orders[header.indexOf('Birthday')]).toBe('mdy');
    const [juergen, anna, oekobau] = rows.slice(1).map((r) => ok(rowToRecord(mapping, r, { slashOrders: orders })));
    expect(setOf(juergen!)).toEqual({
      first_name: 'Jürgen', last_name: 'Müller', role: 'Geschäftsführer', birthday: '1985-05-17',
      notes: 'Erste Zeile\nZweite Zeile, mit "Zitat"', phone: '+49 351 1234567', 'custom.Mobile Phone': '+49 170 1234567',
      email: 'juergen@example.de', 'custom.E-mail 2 Address': 'j.mueller@example.org', street: 'Königstraße 5, Hinterhaus',
      postcode: '01067', city: 'Dresden', region: 'Sachsen', country: 'Deutschland', 'custom.Home Street': 'Am Weg 1',
      'custom.Home City': 'Radebeul', 'custom.Home Postal Code': '01445', 'custom.Title': 'Dr.',
    });
    expect(juergen!.companyName).toBe('Müller & Söhne KG');
    expect(juergen!.companySet).toEqual([{ field: 'website', value: 'https://mueller.example' }]);
    expect(juergen!.tagEdits).toEqual(['+Kunden', '+VIP']);
    // no e-mail 1, so e-mail 2 is the e-mail; only a home address, so it is the address; 0/0/00 is no date
    expect(setOf(anna!)).toEqual({
      first_name: 'Anna', last_name: 'Weiß', birthday: '1970-12-24', phone: '0341 555', email: 'anna@example.de',
      street: 'Am Brühl 3', postcode: '04109', city: 'Leipzig', 'custom.Anniversary': '6/1/2001',
    });
    expect(oekobau!.kind).toBe('company');
    expect(setOf(oekobau!)).toEqual({ name: 'Ökobau Süd GmbH', phone: '0371 98765', city: 'Chemnitz', website: 'https://oekobau.example' });
  });

  it('google.csv (2024 layout): labels as tags without * myContacts / * starred', () => {
    const { rows } = readFixture('google.csv');
    expect(detectLayout(rows[0]!)).toBe('google');
    const mapping = mapHeaders(rows[0]!);
    const t = targets(mapping);
    expect(t).toMatchObject({
      'First Name': 'first_name', 'Last Name': 'last_name', 'Organization Name': 'company', 'Organization Title': 'role',
      Birthday: 'birthday', Notes: 'notes', Labels: 'tags', 'E-mail 1 - Value': 'email (or custom.E-mail 1 - Value)',
      'Phone 1 - Value': 'phone (or custom.Phone 1 - Value)', 'Address 1 - Street': 'street (address1 address)',
      'Address 1 - City': 'city (address1 address)', 'Address 1 - Postal Code': 'postcode (address1 address)',
      'Address 1 - Country': 'country (address1 address)', 'Website 1 - Value': 'website',
    });
    expect(t['Address 1 - Formatted']).toBe('custom.Address 1 - Formatted when the block has no parts (address1 address)');
    for (const noise of ['Photo', 'File As', 'Phonetic First Name', 'E-mail 1 - Label', 'Phone 1 - Label']) {
      expect(t[noise]).toBeUndefined();
    }
    const [anna, zoe, oekobau] = rows.slice(1).map((r) => ok(rowToRecord(mapping, r, {})));
    expect(setOf(anna!)).toMatchObject({
      first_name: 'Anna', last_name: 'Schmidt', role: 'Geschäftsführerin', birthday: '1979-08-03',
      email: 'anna.schmidt@example.de', 'custom.E-mail 2 - Value': 'anna@example.org', phone: '+49 170 2222222',
      street: 'Prager Straße 1', postcode: '01069', city: 'Dresden', country: 'DE', 'custom.Name Prefix': 'Dr.',
    });
    expect(anna!.tagEdits).toEqual(['+Kunden']);
    expect(anna!.companyName).toBe('Schmidt IT GmbH');
    expect(setOf(zoe!)).toMatchObject({ first_name: 'Zoë', last_name: 'Krüger', birthday: '--12-24' });
    expect(zoe!.tagEdits).toBeUndefined();
    expect(oekobau!.kind).toBe('company');
    expect(oekobau!.tagEdits).toEqual(['+Lieferanten', '+Bau']);
    // several values of one label in one cell: the first is the field, the rest kept where the column goes
    const many = rows[1]!.map((c, i) => (rows[0]![i] === 'E-mail 1 - Value' ? 'a@example.de ::: b@example.com ::: c@example.net' : rows[0]![i] === 'Phone 1 - Value' ? '+49 1 ::: +49 2' : c));
    const record = ok(rowToRecord(mapping, many, {}));
    expect(setOf(record)).toMatchObject({ email: 'a@example.de', 'custom.E-mail 1 - Value': 'b@example.com ::: c@example.net', phone: '+49 1', 'custom.Phone 1 - Value': '+49 2' });
    expect(keyCellReader(mapping, 'email')!(many)).toBe('a@example.de');
    expect(keyCellReader(mapping, 'phone')!(many)).toBe('+49 1');
  });

  it('google-old.csv: given/family names, organisation, group membership', () => {
    const { rows } = readFixture('google-old.csv');
    expect(detectLayout(rows[0]!)).toBe('google-old');
    const mapping = mapHeaders(rows[0]!);
    expect(targets(mapping)).toMatchObject({
      Name: 'name', 'Given Name': 'first_name', 'Family Name': 'last_name', Occupation: 'profession',
      'Group Membership': 'tags', 'Organization 1 - Name': 'company', 'Organization 1 - Title': 'role',
      'Address 1 - Extended Address': 'street (line 2) (address1 address)',
    });
    const [juergen, oekobau] = rows.slice(1).map((r) => ok(rowToRecord(mapping, r, {})));
    expect(setOf(juergen!)).toEqual({
      first_name: 'Jürgen', last_name: 'Müller', birthday: '1985-05-17', profession: 'Bäcker', notes: 'Alter Kontakt',
      role: 'Inhaber', email: 'juergen@example.de', phone: '+49 170 1234567', street: 'Königstraße 5, Hinterhaus',
      postcode: '01067', city: 'Dresden',
    });
    expect(juergen!.tagEdits).toEqual(['+friends', '+Kunden']);
    expect(oekobau!.kind).toBe('company');
    expect(setOf(oekobau!)).toEqual({ name: 'Ökobau Süd GmbH', website: 'https://oekobau.example' });
  });

  it('own-export.csv: exact field names, derived columns ignored, plain custom columns, guards removed', () => {
    const { rows } = readFixture('own-export.csv');
    expect(detectLayout(rows[0]!)).toBe('own');
    const mapping = mapHeaders(rows[0]!);
    const t = targets(mapping);
    for (const ignored of ['id', 'company_id', 'sales_total', 'sales_count', 'last_sale', 'created_at', 'updated_at']) expect(t[ignored]).toBeUndefined();
    expect(t).toMatchObject({ kind: 'kind', name: 'name', company: 'company', Lieblingsfarbe: 'custom.Lieblingsfarbe', 'custom.city': 'custom.city', city: 'city' });
    const [company, person] = rows.slice(1).map((r) => ok(rowToRecord(mapping, r, {})));
    expect(company!.kind).toBe('company');
    expect(setOf(company!)).toEqual({
      name: 'Ökobau Süd GmbH', external_id: 'K-2001', legal_form: 'GmbH', industry: 'Bau', revenue: '1234567.89',
      headcount: '42', website: 'https://oekobau.example', phone: '+49 371 98765', postcode: '09111', city: 'Chemnitz',
      lifecycle: 'customer', 'custom.city': 'Stammsitz',
    });
    expect(person!.kind).toBe('person');
    expect(person!.companyName).toBe('Ökobau Süd GmbH');
    expect(setOf(person!)).toEqual({
      role: 'Einkauf', decision_maker: 'true', first_name: 'Jürgen', last_name: 'Müller', birthday: '--02-29',
      email: 'juergen@example.de', phone: '+49 170 1234567', next_contact: '2026-12-01', notes: '=1+1 ist kein Formelergebnis',
      'custom.Lieblingsfarbe': 'Grün',
    });
  });

  it('excel-sep.csv: the sep= line is skipped', () => {
    const { rows } = readFixture('excel-sep.csv');
    expect(rows[0]).toEqual(['Vorname', 'Nachname', 'PLZ', 'Ort', 'Umsatz']);
    const v = ok(rowToRecord(mapHeaders(rows[0]!), rows[1]!, { decimal: ',' }));
    expect(setOf(v)).toEqual({ first_name: 'Jürgen', last_name: 'Müller', postcode: '01067', city: 'Dresden', 'custom.Umsatz': '12,50' });
  });
});

describe('rowToRecord: dates', () => {
  const cases: [string, string, RowContext, string][] = [
    ['ISO', '1985-05-17', {}, '1985-05-17'],
    ['ISO with a time', '1985-05-17T00:00:00Z', {}, '1985-05-17'],
    ['ISO with a space and time', '1985-05-17 13:45', {}, '1985-05-17'],
    ['YYYY/MM/DD', '1985/5/17', {}, '1985-05-17'],
    ['YYYYMMDD', '19850517', {}, '1985-05-17'],
    ['DD.MM.YYYY', '17.05.1985', {}, '1985-05-17'],
    ['D.M.YYYY', '7.5.1985', {}, '1985-05-07'],
    ['DD.MM.YYYY with a time (Excel)', '17.05.1985 00:00', {}, '1985-05-17'],
    ['29 February of a leap year', '29.02.1988', {}, '1988-02-29'],
    ['--MM-DD', '--07-14', {}, '--07-14'],
    ['--MMDD', '--0714', {}, '--07-14'],
    ['DD.MM. without a year', '14.7.', {}, '--07-14'],
    ['year-less 29 February', '--02-29', {}, '--02-29'],
    ['slash, day > 12', '17/05/1985', {}, '1985-05-17'],
    ['slash, month second > 12', '05/17/1985', {}, '1985-05-17'],
    ['slash, column decided dmy', '03/04/1985', { slashOrder: 'dmy' }, '1985-04-03'],
    ['slash, column decided mdy', '03/04/1985', { slashOrder: 'mdy' }, '1985-03-04'],
    ['slash, per-column order wins', '03/04/1985', { slashOrder: 'dmy', slashOrders: { 0: 'mdy' } }, '1985-03-04'],
    ['dash day-first', '17-05-1985', {}, '1985-05-17'],
    ['--date-format DD/MM/YYYY', '03/04/1985', { dateFormat: 'DD/MM/YYYY' }, '1985-04-03'],
    ['--date-format MM/DD/YYYY', '03/04/1985', { dateFormat: 'MM/DD/YYYY' }, '1985-03-04'],
    ['--date-format YYYY.MM.DD', '1985.04.03', { dateFormat: 'YYYY.MM.DD' }, '1985-04-03'],
    ['--date-format still reads ISO', '1985-04-03', { dateFormat: 'MM/DD/YYYY' }, '1985-04-03'],
  ];
  it.each(cases)('%s: %j', (_name, cell, ctx, expected) => {
    const v = ok(rowToRecord(mapHeaders(['Geburtstag', 'Nachname']), [cell, 'X'], ctx));
    expect(setOf(v).birthday).toBe(expected);
  });

  it.each([
    ['31.02.2020', 'birthday: not a date'],
    ['2020-13-01', 'birthday: not a date'],
    ['gestern', 'birthday: not a date (write YYYY-MM-DD or DD.MM.YYYY, or pass --date-format)'],
    ['03/04/1985', 'birthday: the date could be day/month or month/day; pass --date-format DD/MM/YYYY or MM/DD/YYYY'],
    ['17.05.1', 'birthday: not a date (write YYYY-MM-DD or DD.MM.YYYY, or pass --date-format)'],
    ['17.05.085', 'birthday: not a date (write YYYY-MM-DD or DD.MM.YYYY, or pass --date-format)'],
    ['--02-30', 'birthday: not a date'],
  ])('rejects %j with a reason that names the field, not the value', (cell, reason) => {
    const result = rowToRecord(mapHeaders(['Geburtstag', 'Nachname']), [cell, 'X'], {});
    expect(result).toEqual({ ok: false, reason });
  });

  it('reads --MM-DD only for birthdays', () => {
    expect(rowToRecord(mapHeaders(['Kunde seit', 'Nachname']), ['--07-14', 'X'], {})).toMatchObject({ ok: false, reason: expect.stringMatching(/^customer_since: not a date/) });
    expect(setOf(ok(rowToRecord(mapHeaders(['Kunde seit', 'Nachname']), ['01.03.2020', 'X'], {}))).customer_since).toBe('2020-03-01');
  });

  it("skips Outlook's empty dates", () => {
    for (const cell of ['0/0/00', '0.0.00']) {
      expect(setOf(ok(rowToRecord(mapHeaders(['Birthday', 'Last Name']), [cell, 'X'], {})))).toEqual({ last_name: 'X' });
    }
  });

  it('rejects a --date-format without day, month and year', () => {
    expect(() => parseDateFormat('DD/MM')).toThrow(UsageError);
    expect(() => parseDateFormat('DD/MM/Y')).toThrow(UsageError);
    expect(() => parseImportDate('birthday', '1/2/2020', { dateFormat: 'QQ/DD/YYYY' })).toThrow(UsageError);
    expect(parseDateFormat('DD/MM/YYYY').order).toBe('dmy');
    expect(parseDateFormat('M/D/YYYY').order).toBe('mdy');
  });
});

describe('decideSlashOrder', () => {
  it.each([
    [['13/02/2020', '01/02/2020'], 'dmy'],
    [['02/13/2020', '01/02/2020'], 'mdy'],
    [['01/02/2020', '03/04/2020'], 'ambiguous'],
    [['13/02/2020', '02/13/2020'], 'ambiguous'],
    [['', '1985-05-17', '17.05.1985'], 'ambiguous'],
    [['13/02/2020 00:00', '5/6/2021'], 'dmy'],
    [['5/17/1985', '0/0/00', '12/24/1970'], 'mdy'],
  ] as [string[], string][])('%j → %s', (samples, expected) => {
    expect(decideSlashOrder(samples)).toBe(expected);
  });

  it('is decided for the date columns of a mapping only', () => {
    const mapping = mapHeaders(['Geburtstag', 'Kunde seit', 'Notiz']);
    expect(decideSlashOrders(mapping, [['17/05/1985', '05/17/2020', '13/02/2020']])).toEqual({ 0: 'dmy', 1: 'mdy' });
  });
});

describe('rowToRecord: numbers', () => {
  const cases: [string, RowContext, string][] = [
    ['1.234.567,89', {}, '1234567.89'],
    ['1,234,567.89', {}, '1234567.89'],
    ['1234567.89', {}, '1234567.89'],
    ['1234567,89', {}, '1234567.89'],
    ['1.234,56', {}, '1234.56'],
    ['1234,5', {}, '1234.50'],
    ['1.234.567', {}, '1234567.00'],
    ['1 234 567,89', {}, '1234567.89'],
    ['€ 1.234,56', {}, '1234.56'],
    ['1.234,56 EUR', {}, '1234.56'],
    ['-500', {}, '-500.00'],
    ['12.500', { decimal: ',' }, '12500.00'],
    ['1,500', { decimal: '.' }, '1500.00'],
    ['12,5', { decimal: ',' }, '12.50'],
    ["'-5", {}, '-5.00'],
  ];
  it.each(cases)('revenue %j → %j', (cell, ctx, expected) => {
    expect(setOf(ok(rowToRecord(mapHeaders(['Firma', 'Umsatz']), ['ACME', cell], ctx))).revenue).toBe(expected);
  });

  it.each(['viel', '1.2.3,4', '12,345,6'])('rejects revenue %j as not a number', (cell) => {
    expect(rowToRecord(mapHeaders(['Firma', 'Umsatz']), ['ACME', cell], {})).toEqual({ ok: false, reason: 'revenue: not a number' });
  });

  it.each([
    ['42', '42'],
    ['1.234', '1234'],
    ['1,234', '1234'],
    ['1 234', '1234'],
  ])('headcount %j → %j', (cell, expected) => {
    expect(setOf(ok(rowToRecord(mapHeaders(['Firma', 'Mitarbeiter']), ['ACME', cell], {}))).headcount).toBe(expected);
  });

  it('rejects a headcount that is no whole number', () => {
    expect(rowToRecord(mapHeaders(['Firma', 'Mitarbeiter']), ['ACME', 'etwa 40'], {})).toEqual({ ok: false, reason: 'headcount: not a whole number' });
  });

  it('parseImportMoney agrees with parseMoneyCents wherever no decimal separator is given', () => {
    const samples = ['0', '007', '-0', '-0,50', '+5', '0,5', '1.5', '12.50', '1.234.567,89', '1,234,567.89', '999,99',
      '12345678901234', '1234567890123,45', '1.234', '12.500', '1,500', '-1.000,00', '1.000.000', '€ 5', '5 EUR', ' 42 '];
    for (let i = 0; i < 300; i++) {
      const whole = String(Math.floor(Math.random() * 10 ** (1 + (i % 9))));
      samples.push(whole, `${whole},${i % 100}`, `${whole}.${i % 10}`, `-${whole},0${i % 10}`);
    }
    for (const text of samples) {
      const cents = parseMoneyCents(text);
      expect([text, parseImportMoney(text)]).toEqual([text, cents === null ? null : formatCents(cents)]);
    }
  });

  it('parseImportMoney gives null for text', () => {
    expect(parseImportMoney('abc')).toBeNull();
    expect(parseImportMoney('0,99')).toBe('0.99');
  });
});

describe('rowToRecord: text stays text', () => {
  it('keeps leading zeros, phone formatting and inner spaces', () => {
    const v = ok(rowToRecord(mapHeaders(['Nachname', 'PLZ', 'Telefon', 'Kundennr']), ['X', '01067', '+49 (0)351 / 12 34-5', '000123'], {}));
    expect(setOf(v)).toEqual({ last_name: 'X', postcode: '01067', phone: '+49 (0)351 / 12 34-5', external_id: '000123' });
  });

  it('never emits anything for empty cells, so an import never clears a field', () => {
    const headers = ['Vorname', 'Nachname', 'E-Mail', 'PLZ', 'Geburtstag', 'Tags', 'Lieblingsfarbe'];
    const v = ok(rowToRecord(mapHeaders(headers), ['Anna', '', '  ', '', '', '', ''], {}));
    expect(v).toEqual({ kind: 'person', set: [{ field: 'first_name', value: 'Anna' }] });
  });

  it('treats missing cells of a short row as empty', () => {
    expect(setOf(ok(rowToRecord(mapHeaders(['Nachname', 'PLZ', 'Ort']), ['X'], {})))).toEqual({ last_name: 'X' });
  });
});

describe('the formula guard', () => {
  it.each([
    ["'=SUM(A1)", '=SUM(A1)'],
    ["'+49 351 1234", '+49 351 1234'],
    ["'-5", '-5'],
    ["'@home", '@home'],
    ["'\tx", '\tx'],
    ["'\rx", '\rx'],
    ["'abc", "'abc"],
    ["'", "'"],
    // a text's own quotes before a formula character were guarded too: one quote goes
    ["''=x", "'=x"],
    ["'''+1", "''+1"],
    ["''x", "''x"],
    ['=SUM(A1)', '=SUM(A1)'],
    ["O'Brien", "O'Brien"],
  ])('%j → %j', (cell, expected) => {
    expect(removeFormulaGuard(cell)).toBe(expected);
  });

  it('round-trips every text: what an export guards (CSV) or keeps (xlsx) an import gives back', () => {
    const parts = ["'", '=', '+', '-', '@', '\t', '\r', 'a', ' ', '1'];
    const texts: string[] = [''];
    for (let length = 1; length <= 4; length++) {
      const next: string[] = [];
      for (const t of texts.filter((x) => x.length === length - 1)) for (const p of parts) next.push(t + p);
      texts.push(...next);
    }
    expect(texts.filter((t) => removeFormulaGuard(guardFormula(t)) !== t)).toEqual([]);
    expect(texts.filter((t) => removeFormulaGuard(guardQuote(t)) !== t)).toEqual([]);
    // and a CSV cell never starts a formula
    expect(texts.filter((t) => /^[=+\-@\t\r]/.test(guardFormula(t)))).toEqual([]);
  });

  it('is removed from every kind of column', () => {
    const headers = ['Nachname', 'Telefon', 'Kürzel', 'Bemerkung'];
    const v = ok(rowToRecord(mapHeaders(headers), ["'-Strich", "'+49 1", "'@x", "'=1+1"], {}));
    expect(setOf(v)).toEqual({ last_name: '-Strich', phone: '+49 1', 'custom.Kürzel': '@x', notes: '=1+1' });
    // only our guard goes: a quote before anything else is the cell's own
    expect(setOf(ok(rowToRecord(mapHeaders(headers), ["'Brien", '', "'1985", ''], {})))).toEqual({ last_name: "'Brien", 'custom.Kürzel': "'1985" });
  });
});

describe('rowToRecord: kind', () => {
  const headers = ['Typ', 'Vorname', 'Nachname', 'Name', 'Firma', 'Branche'];
  const cases: [string, Record<string, string>, 'company' | 'person', Record<string, string>, string | undefined][] = [
    ['first and last name: a person', { Vorname: 'Anna', Nachname: 'Weiß', Firma: 'ACME' }, 'person', { first_name: 'Anna', last_name: 'Weiß' }, 'ACME'],
    ['only a company: a company', { Firma: 'ACME GmbH' }, 'company', { name: 'ACME GmbH' }, undefined],
    ['a name with a legal form: a company', { Name: 'Müller & Co. KG' }, 'company', { name: 'Müller & Co. KG' }, undefined],
    ['a name and company fields: a company', { Name: 'Bäckerei Schmidt', Branche: 'Handwerk' }, 'company', { name: 'Bäckerei Schmidt', industry: 'Handwerk' }, undefined],
    ['a name alone: a person', { Name: 'Anna Weiß' }, 'person', { name: 'Anna Weiß' }, undefined],
    ['a name and another company: a person at it', { Name: 'Anna Weiß', Firma: 'ACME' }, 'person', { name: 'Anna Weiß' }, 'ACME'],
    ['name equal to company: a company', { Name: 'ACME', Firma: 'acme' }, 'company', { name: 'ACME' }, undefined],
    ['explicit kind wins', { Typ: 'Firma', Name: 'Anna Weiß' }, 'company', { name: 'Anna Weiß' }, undefined],
    ['explicit person', { Typ: 'privat', Name: 'Anna Weiß', Firma: 'ACME GmbH' }, 'person', { name: 'Anna Weiß' }, 'ACME GmbH'],
  ];
  it.each(cases)('%s', (_name, cells, kind, expected, companyName) => {
    const mapping = mapHeaders(headers, { map: { Typ: 'kind' } });
    const v = ok(rowToRecord(mapping, headers.map((h) => cells[h] ?? ''), {}));
    expect(v.kind).toBe(kind);
    expect(setOf(v)).toEqual(expected);
    expect(v.companyName).toBe(companyName);
  });

  it.each([
    [{ Typ: 'Planet', Name: 'X' }, 'kind: must be company or person'],
    [{ Typ: 'constructor', Name: 'X' }, 'kind: must be company or person'],
    [{ Branche: 'Bau' }, 'name: the row has no name (a first or last name, a name or a company)'],
    [{ Typ: 'privat', Firma: 'ACME' }, 'last_name: a person needs a first or last name, or a name'],
    [{ Typ: 'Firma', Vorname: 'Anna' }, 'name: a company needs a name'],
  ])('rejects %j', (cells, reason) => {
    const mapping = mapHeaders(headers, { map: { Typ: 'kind' } });
    expect(rowToRecord(mapping, headers.map((h) => (cells as Record<string, string>)[h] ?? ''), {})).toEqual({ ok: false, reason });
  });

  it('puts a company field of a person row without a company into a custom field', () => {
    const v = ok(rowOf(['Vorname', 'Nachname', 'Website', 'Umsatz'], { Vorname: 'Anna', Nachname: 'W', Website: 'https://anna.example', Umsatz: '5' }));
    expect(setOf(v)).toEqual({ first_name: 'Anna', last_name: 'W', 'custom.Website': 'https://anna.example', 'custom.Umsatz': '5' });
    expect(v.companySet).toBeUndefined();
  });

  it('puts person fields of a company row into custom fields', () => {
    const v = ok(rowOf(['Firma', 'Geburtstag', 'Position'], { Firma: 'ACME', Geburtstag: '1.1.2000', Position: 'CEO' }));
    expect(setOf(v)).toEqual({ name: 'ACME', 'custom.Geburtstag': '1.1.2000', 'custom.Position': 'CEO' });
  });
});

describe('rowToRecord: values of several columns', () => {
  it('fills e-mail from the first non-empty column and keeps the others', () => {
    const headers = ['Nachname', 'E-Mail', 'E-Mail 2', 'E-Mail 3'];
    expect(setOf(ok(rowOf(headers, { Nachname: 'X', 'E-Mail 2': 'b@x.de', 'E-Mail 3': 'c@x.de' })))).toEqual({
      last_name: 'X', email: 'b@x.de', 'custom.E-Mail 3': 'c@x.de',
    });
  });

  it('ranks phones: business before mobile before home, whatever the column order', () => {
    const headers = ['Nachname', 'Home Phone', 'Mobile Phone', 'Business Phone'];
    expect(setOf(ok(rowOf(headers, { Nachname: 'X', 'Home Phone': '3', 'Mobile Phone': '2', 'Business Phone': '1' })))).toEqual({
      last_name: 'X', phone: '1', 'custom.Mobile Phone': '2', 'custom.Home Phone': '3',
    });
  });

  it('a --map to email wins over the recognised column', () => {
    const v = ok(rowOf(['Nachname', 'E-Mail', 'Kontakt'], { Nachname: 'X', 'E-Mail': 'old@x.de', Kontakt: 'new@x.de' }, {}, { Kontakt: 'email' }));
    expect(setOf(v)).toEqual({ last_name: 'X', email: 'new@x.de', 'custom.E-Mail': 'old@x.de' });
  });

  it('joins street, house number and extra lines', () => {
    const v = ok(rowOf(['Nachname', 'Straße', 'Hausnummer', 'Adresszusatz', 'PLZ'], { Nachname: 'X', Straße: 'Hauptstr.', Hausnummer: '5a', Adresszusatz: 'Hinterhaus', PLZ: '01067' }));
    expect(setOf(v)).toEqual({ last_name: 'X', street: 'Hauptstr. 5a, Hinterhaus', postcode: '01067' });
  });

  it('merges tags of several columns, without duplicates, as additions', () => {
    const v = ok(rowOf(['Nachname', 'Tags', 'Kategorien', 'Labels'], { Nachname: 'X', Tags: 'a, b', Kategorien: 'b;c', Labels: '* myContacts ::: -alt ::: * starred' }));
    expect(v.tagEdits).toEqual(['+a', '+b', '+c', '+-alt']);
    const draft = applyChanges(emptyDraft('person'), { set: v.set, unset: [], tagEdits: v.tagEdits! });
    expect(draft.tags).toEqual(['a', 'b', 'c', '-alt']);
  });

  it('reads a custom column of JSON', () => {
    const v = ok(rowOf(['Nachname', 'custom'], { Nachname: 'X', custom: '{"Farbe":"Grün","Zahl":3,"leer":""}' }, {}, { custom: 'custom' }));
    expect(setOf(v)).toEqual({ last_name: 'X', 'custom.Farbe': 'Grün', 'custom.Zahl': '3' });
    expect(rowOf(['Nachname', 'custom'], { Nachname: 'X', custom: '[1]' }, {}, { custom: 'custom' })).toEqual({ ok: false, reason: 'custom: not a JSON object' });
    expect(rowOf(['Nachname', 'custom'], { Nachname: 'X', custom: '{"__proto__":"x"}' }, {}, { custom: 'custom' })).toMatchObject({ ok: false });
  });

  it('maps lifecycle words in English and German', () => {
    const stage = (cell: string) => rowOf(['Nachname', 'Status'], { Nachname: 'X', Status: cell });
    expect(setOf(ok(stage('Kunde'))).lifecycle).toBe('customer');
    expect(setOf(ok(stage('Interessent'))).lifecycle).toBe('prospect');
    expect(setOf(ok(stage('PROSPECT'))).lifecycle).toBe('prospect');
    expect(setOf(ok(stage('ehemalig'))).lifecycle).toBe('former');
    expect(stage('toString')).toMatchObject({ ok: false, reason: expect.stringMatching(/^lifecycle: must be one of lead, prospect/) });
  });
});

describe('reasons carry no cell values', () => {
  const SECRET = 'GEHEIM-4711';
  it.each([
    [['Nachname', 'Geburtstag'], ['X', `${SECRET}`]],
    [['Firma', 'Umsatz'], ['X', `${SECRET}`]],
    [['Firma', 'Mitarbeiter'], ['X', `${SECRET}`]],
    [['Nachname', 'Status'], ['X', `${SECRET}`]],
    [['Nachname', 'Kundentyp'], ['X', `${SECRET}`]],
    [['Nachname', 'custom'], ['X', `{${SECRET}`]],
  ])('%j', (headers, cells) => {
    const result = rowToRecord(mapHeaders(headers, headers.includes('custom') ? { map: { custom: 'custom' } } : {}), cells, {});
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.reason).not.toContain(SECRET);
  });
});

describe('splitImportTags', () => {
  it.each([
    ['* myContacts ::: Kunden ::: * starred', ['Kunden']],
    ['* myContacts', []],
    ['* friends ::: VIP', ['friends', 'VIP']],
    ['Kunden;VIP', ['Kunden', 'VIP']],
    ['a, b ,,c', ['a', 'b', 'c']],
    ['', []],
  ])('%j → %j', (text, tags) => {
    expect(splitImportTags(text)).toEqual(tags);
  });
});

describe('keyCellReader: the key cell of a row without mapping it', () => {
  const headersOf = (file: string) => parse(readFileSync(join(FIXTURES, file)), { bom: true, to_line: 1 })[0] as string[];
  const layouts: [string, string[], string[]][] = [
    ['own', ['external_id', 'kind', 'company', 'first_name', 'last_name', 'email', 'phone', 'website', 'city', 'birthday', 'revenue'], ['external_id', 'email', 'phone']],
    ['german', ['Kundennr', 'Firma', 'Vorname', 'Nachname', 'E-Mail', 'Telefon', 'Mobil', 'Ort'], ['external_id', 'email', 'phone']],
    ['outlook', headersOf('outlook.csv'), ['email', 'phone']],
    ['google', headersOf('google.csv'), ['email', 'phone']],
  ];
  const PIECES = ['', '', '', ' ', 'a', 'Ö', 'K-1', "'=1", 'mailto:', 'MAILTO: ', 'x@y.de', '\r\n', '\n', 'GmbH', 'person', 'company', '1.5', '2020-01-02'];

  for (const [name, headers, keys] of layouts) {
    it(`${name}: what rowToRecord gives the key, for every row it maps`, () => {
      const mapping = mapHeaders(headers);
      const rnd = random(headers.length);
      for (const key of keys) {
        const read = keyCellReader(mapping, key);
        expect(read, key).not.toBeNull();
        let compared = 0;
        for (let k = 0; k < 3000; k++) {
          const cells = headers.map(() => {
            let cell = '';
            for (let n = Math.floor(rnd() * 3); n > 0; n--) cell += PIECES[Math.floor(rnd() * PIECES.length)];
            return cell;
          });
          const mapped = rowToRecord(mapping, cells);
          if (!mapped.ok) continue;
          compared++;
          expect(read!(cells), `${key}: ${JSON.stringify(cells)}`).toBe(keyCellOf(mapped.values.set, key));
        }
        expect(compared).toBeGreaterThan(500);
      }
    });
  }

  it('no reader where the key needs the row: a name, an address part, a field of one kind, a converted one, none', () => {
    const mapping = mapHeaders(['external_id', 'kind', 'name', 'email', 'city', 'website', 'revenue', 'Kundennummer']);
    expect(keyCellReader(mapping, 'name')).toBeNull();
    expect(keyCellReader(mapping, 'city')).toBeNull();
    expect(keyCellReader(mapping, 'website')).toBeNull(); // a company's: on a person row it is a custom field
    expect(keyCellReader(mapping, 'revenue')).toBeNull();
    expect(keyCellReader(mapping, 'phone')).toBeNull(); // no column: every key cell empty, nothing to skip
    expect(keyCellReader(mapping, 'email')).not.toBeNull();
  });
});

describe('the sheets people really have', () => {
  const field = (v: ImportValues, name: string) => v.set.find((s) => s.field === name)?.value;

  it('Thunderbird (English): e-mails, work address first, and the birthday from year, month and day', () => {
    const header = ['First Name', 'Last Name', 'Display Name', 'Nickname', 'Primary Email', 'Secondary Email', 'Work Phone', 'Home Phone',
      'Mobile Number', 'Home Address', 'Home City', 'Home State', 'Home ZipCode', 'Home Country', 'Work Address', 'Work Address 2',
      'Work City', 'Work State', 'Work ZipCode', 'Work Country', 'Job Title', 'Organization', 'Birth Year', 'Birth Month', 'Birth Day', 'Notes'];
    expect(detectLayout(header)).toBe('thunderbird');
    const mapping = mapHeaders(header);
    const t = targets(mapping);
    expect(t).toMatchObject({ 'Birth Year': 'birthday (year)', 'Birth Month': 'birthday (month)', 'Birth Day': 'birthday (day)', 'Job Title': 'role', Organization: 'company' });
    const row = ['Jörg', 'Bär', 'Jörg Bär', 'Jö', 'joerg@baer.de', 'j@privat.de', '0351 1', '0351 2', '0171 3', 'Am Hang 2', 'Pirna', 'Sachsen', '01796', 'DE',
      'Werkstr. 5', 'Halle 3', 'Dresden', 'Sachsen', '01067', 'DE', 'Einkauf', 'Holz eG', '1984', '2', '29', 'Stammkunde'];
    const v = ok(rowToRecord(mapping, row, {}));
    expect([field(v, 'email'), field(v, 'custom.Secondary Email'), field(v, 'phone'), field(v, 'birthday')]).toEqual(['joerg@baer.de', 'j@privat.de', '0351 1', '1984-02-29']);
    expect([field(v, 'street'), field(v, 'postcode'), field(v, 'city')]).toEqual(['Werkstr. 5, Halle 3', '01067', 'Dresden']);
    expect(field(v, 'custom.Home City')).toBe('Pirna');
    expect(v.companyName).toBe('Holz eG');
    // no year (Thunderbird leaves it empty), and nothing at all
    expect(field(ok(rowToRecord(mapping, row.map((c, i) => (i === 22 ? '' : c)), {})), 'birthday')).toBe('--02-29');
    expect(field(ok(rowToRecord(mapping, row.map((c, i) => (i >= 22 && i <= 24 ? '' : c)), {})), 'birthday')).toBeUndefined();
    expect(rowToRecord(mapping, row.map((c, i) => (i === 24 ? '31' : c)), {})).toMatchObject({ ok: false, reason: expect.stringMatching(/^birthday: not a date/) });
  });

  it('Thunderbird (German): "Geburtstag" beside "Geburtsjahr" is the day of the month', () => {
    const header = ['Vorname', 'Nachname', 'Primäre E-Mail-Adresse', 'Sekundäre E-Mail-Adresse', 'Tel. dienstlich', 'Mobil-Tel.-Nr.',
      'Privat: Adresse', 'Privat: Ort', 'Privat: PLZ', 'Dienstlich: Adresse', 'Dienstlich: Ort', 'Dienstlich: PLZ', 'Arbeitstitel',
      'Organisation', 'Geburtsjahr', 'Geburtsmonat', 'Geburtstag', 'Notizen'];
    expect(detectLayout(header)).toBe('thunderbird');
    const mapping = mapHeaders(header);
    const v = ok(rowToRecord(mapping, ['Käthe', 'Lößnitz', 'k@l.de', '', '0351 1', '0171 2', 'Gasse 1', 'Pirna', '01796', 'Ring 2', 'Dresden', '01069', 'Chefin', 'Elbe AG', '1970', '12', '3', ''], {}));
    expect([field(v, 'email'), field(v, 'phone'), field(v, 'street'), field(v, 'postcode'), field(v, 'city'), field(v, 'role'), field(v, 'birthday')])
      .toEqual(['k@l.de', '0351 1', 'Ring 2', '01069', 'Dresden', 'Chefin', '1970-12-03']);
    // a sheet with only "Geburtstag" keeps it as the whole date
    expect(targets(mapHeaders(['Vorname', 'Geburtstag'])).Geburtstag).toBe('birthday');
  });

  it("Outlook's Exchange address is passed over for the next SMTP one, and kept", () => {
    const mapping = mapHeaders(['First Name', 'Last Name', 'E-mail Address', 'E-mail Type', 'E-mail 2 Address', 'Business Street', 'Categories']);
    const v = ok(rowToRecord(mapping, ['Özlem', 'Kaya', '/o=ExchangeLabs/ou=Exchange Administrative Group/cn=Recipients/cn=abc123-oezlem', 'EX', 'oezlem@glashuette.example', '', ''], {}));
    expect(field(v, 'email')).toBe('oezlem@glashuette.example');
    expect(field(v, 'custom.E-mail Address')).toMatch(/^\/o=ExchangeLabs/);
  });

  it('German Outlook: "Ort" is the Location field, the cities are "Ort geschäftlich" and "Ort privat"', () => {
    const header = ['Vorname', 'Nachname', 'Firma', 'Straße geschäftlich', 'Ort geschäftlich', 'Postleitzahl geschäftlich', 'E-Mail-Adresse', 'Kategorien', 'Ort', 'Telefon Firma'];
    expect(detectLayout(header)).toBe('outlook');
    const mapping = mapHeaders(header);
    const v = ok(rowToRecord(mapping, ['Jens', 'Koch', 'Holz eG', 'Hauptstraße 43', 'Seiffen', '09548', 'j@k.de', '', 'Werk 2', '037362 1'], {}));
    expect([field(v, 'street'), field(v, 'city'), field(v, 'postcode'), field(v, 'custom.Ort'), field(v, 'phone')]).toEqual(['Hauptstraße 43', 'Seiffen', '09548', 'Werk 2', '037362 1']);
    // elsewhere "Ort" is the city
    expect(targets(mapHeaders(['Name', 'Ort'])).Ort).toBe('city');
  });

  it("Google's formatted address is kept when the block has no parts, and dropped beside them", () => {
    const mapping = mapHeaders(['First Name', 'Last Name', 'E-mail 1 - Value', 'Address 1 - Formatted', 'Address 1 - Street', 'Address 1 - City']);
    const only = ok(rowToRecord(mapping, ['Ola', 'Nowak', '', 'ul. Marszałkowska 10\n00-590 Warszawa\nPolska', '', ''], {}));
    expect(field(only, 'custom.Address 1 - Formatted')).toBe('ul. Marszałkowska 10\n00-590 Warszawa\nPolska');
    expect(field(only, 'street')).toBeUndefined();
    const both = ok(rowToRecord(mapping, ['Ola', 'Nowak', '', 'Hauptstr. 1\nBerlin', 'Hauptstr. 1', 'Berlin'], {}));
    expect([field(both, 'street'), field(both, 'city'), field(both, 'custom.Address 1 - Formatted')]).toEqual(['Hauptstr. 1', 'Berlin', undefined]);
  });

  it("skips Excel's empty ';;;;' rows instead of rejecting them", () => {
    const mapping = mapHeaders(['Vorname', 'Nachname', 'E-Mail', '']);
    expect(rowToRecord(mapping, ['', ' ', '', ''], {})).toEqual({ ok: false, reason: 'an empty row', skip: true });
    // a row with something but no name is still rejected
    expect(rowToRecord(mapping, ['', '', 'a@b.de', ''], {})).toMatchObject({ ok: false, reason: expect.stringMatching(/^name:/) });
    expect(rowToRecord(mapping, ['', '', '', 'Fußnote'], {})).toMatchObject({ ok: false, reason: expect.stringMatching(/^name:/) });
  });

  it.each([
    ['12.03.84', '1984-03-12'],
    ['1.2.05', '2005-02-01'],
    ['31.12.29', '2029-12-31'],
    ['01.01.30', '1930-01-01'],
    ['13/02/84', '1984-02-13'],
  ])('reads the two-digit year of %j as Excel and LibreOffice do', (cell, iso) => {
    expect(field(ok(rowToRecord(mapHeaders(['Nachname', 'Geburtstag']), ['X', cell], {})), 'birthday')).toBe(iso);
  });

  it('--date-format takes YY', () => {
    expect(parseImportDate('birthday', '03/12/84', { dateFormat: 'MM/DD/YY' })).toEqual({ value: '1984-03-12' });
    expect(parseImportDate('birthday', '12.03.84', { dateFormat: 'DD.MM.YY' })).toEqual({ value: '1984-03-12' });
  });

  it('HubSpot and Salesforce columns and stages', () => {
    expect(targets(mapHeaders(['Record ID', 'First Name', 'State/Region', 'Postal Code', 'Country/Region', 'Lifecycle Stage']))).toMatchObject({
      'Record ID': 'external_id', 'State/Region': 'region', 'Postal Code': 'postcode', 'Country/Region': 'country', 'Lifecycle Stage': 'lifecycle',
    });
    expect(targets(mapHeaders(['Contact ID', 'First Name', 'Mailing Street', 'Mailing City', 'Mailing State/Province', 'Mailing Zip/Postal Code', 'Mailing Country']))).toMatchObject({
      'Contact ID': 'external_id', 'Mailing Street': 'street', 'Mailing City': 'city', 'Mailing State/Province': 'region', 'Mailing Zip/Postal Code': 'postcode', 'Mailing Country': 'country',
    });
    const mapping = mapHeaders(['Last Name', 'Lifecycle Stage']);
    const stage = (text: string) => field(ok(rowToRecord(mapping, ['X', text], {})), 'lifecycle');
    expect(['Subscriber', 'Marketing Qualified Lead', 'Sales Qualified Lead', 'Opportunity', 'Customer', 'Evangelist'].map(stage))
      .toEqual(['lead', 'lead', 'prospect', 'prospect', 'customer', 'customer']);
  });

  it("drops Google's system group written as '* My Contacts'", () => {
    expect(splitImportTags('* My Contacts ::: VIP')).toEqual(['VIP']);
  });
});

describe('what the layouts must not take over', () => {
  const field = (v: ImportValues, name: string) => v.set.find((s) => s.field === name)?.value;

  it('a "Geburtsjahr" beside a whole "Geburtstag" (no month column) leaves the birthday a date', () => {
    const mapping = mapHeaders(['Vorname', 'Nachname', 'Geburtstag', 'Geburtsjahr', 'E-Mail']);
    const v = ok(rowToRecord(mapping, ['Anna', 'Berg', '12.03.1980', '1980', 'anna@berg.de'], {}));
    expect([field(v, 'birthday'), field(v, 'custom.Geburtsjahr')]).toEqual(['1980-03-12', '1980']);
  });

  it('a German sheet with "Kategorien" is no Outlook export: its "Ort" is the city', () => {
    const header = ['Vorname', 'Nachname', 'E-Mail-Adresse', 'Straße', 'PLZ', 'Ort', 'Kategorien'];
    expect(detectLayout(header)).toBe('generic');
    expect(field(ok(rowToRecord(mapHeaders(header), ['Lena', 'Kurz', 'lena@kurz.de', 'Marktplatz 1', '01067', 'Dresden', 'Kunde'], {})), 'city')).toBe('Dresden');
  });

  it('Thunderbird: a birth year without month and day is kept, the row imported', () => {
    const mapping = mapHeaders(['First Name', 'Last Name', 'Primary Email', 'Birth Year', 'Birth Month', 'Birth Day']);
    const v = ok(rowToRecord(mapping, ['Jo', 'Ey', 'jo@ey.de', '1970', '', ''], {}));
    expect([field(v, 'birthday'), field(v, 'custom.birth_year')]).toEqual([undefined, '1970']);
  });

  it('DATEV in the spelling most v700 files use ("Adressattyp")', () => {
    const header = ['Konto', 'Name (Adressattyp Unternehmen)', 'Name (Adressattyp natürl. Person)', 'Vorname (Adressattyp natürl. Person)', 'Adressattyp', 'PLZ'];
    expect(detectLayout(header)).toBe('datev');
    const v = ok(rowToRecord(mapHeaders(header), ['10001', '', 'Bär', 'Jörg', '1', '01069'], {}));
    expect([field(v, 'external_id'), field(v, 'first_name'), field(v, 'last_name')]).toEqual(['10001', 'Jörg', 'Bär']);
  });
});

it('a header written decomposed names the same custom field as one written composed', () => {
  const composed = mapHeaders(['Name', 'Größe']);
  const decomposed = mapHeaders(['Name', 'Gro\u0308ße']);
  expect(describeTarget(decomposed[1]!.target)).toBe(describeTarget(composed[1]!.target));
  expect(describeTarget(decomposed[1]!.target)).toBe('custom.Größe');
});
