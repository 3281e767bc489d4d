import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Kind } from '../../src/domain/fields.js';
import { type Profile, type ProfileDraft, applyChanges, emptyDraft } from '../../src/domain/profile.js';
import { RejectedInputError } from '../../src/errors.js';
import { type VcardRecord, cardText, parseVcards, profileToVcard, rejoinFoldedCharacters, vcardPieces } from '../../src/io/vcard.js';
import { random } from '../seeded-random.js';

const FIXTURES = join(import.meta.dirname, '../fixtures/import');

function setOf(card: VcardRecord): Record<string, string> {
  return Object.fromEntries(card.set.map((s) => [s.field, s.value]));
}

function one(text: string): VcardRecord {
  const { cards, errors } = parseVcards(text);
  expect(errors).toEqual([]);
  expect(cards).toHaveLength(1);
  return cards[0]!;
}

const card = (...lines: string[]): string => ['BEGIN:VCARD', 'VERSION:3.0', ...lines, 'END:VCARD'].join('\r\n') + '\r\n';

function makeProfile(kind: Kind, overrides: Partial<Profile> = {}): Profile {
  return {
    ...emptyDraft(kind),
    id: 7,
    company: null,
    sales_total: 0,
    sales_count: 0,
    last_sale: null,
    created_at: '2026-01-01T00:00:00.000Z',
    updated_at: '2026-01-01T00:00:00.000Z',
    ...overrides,
  };
}

/** What the importer will do with a card: applyChanges on an empty draft. */
function draftOf(record: VcardRecord): ProfileDraft {
  return applyChanges(emptyDraft(record.kind), { set: record.set, unset: [], tagEdits: record.tagEdits ?? [] });
}

describe('parseVcards: the fixture', () => {
  const { cards, errors } = parseVcards(readFileSync(join(FIXTURES, 'contacts.vcf'), 'utf8'));

  it('reads every card, with the line it starts on', () => {
    expect(errors).toEqual([]);
    expect(cards.map((c) => [c.line, c.version, c.kind])).toEqual([
      [1, '3.0', 'person'],
      [21, '4.0', 'company'],
      [34, '4.0', 'person'],
      [41, '3.0', 'person'],
      [51, '3.0', 'company'],
      [59, '2.1', 'person'],
    ]);
  });

  it('4.0: PREF=1 is the most preferred, PREF=2 the next, no PREF after them', () => {
    const card = one('BEGIN:VCARD\r\nVERSION:4.0\r\nN:Vier;Viktor;;;\r\nEMAIL:none@example.org\r\nEMAIL;PREF=2:v2@example.org\r\nEMAIL;PREF=1:v1@example.org\r\nEND:VCARD\r\n');
    expect(setOf(card)).toMatchObject({ email: 'v1@example.org', 'custom.E-mail 2': 'v2@example.org', 'custom.E-mail 3': 'none@example.org' });
  });

  it('3.0: folded and escaped NOTE, preferred e-mail, work address before home, the rest kept, PHOTO skipped', () => {
    const c = cards[0]!;
    expect(setOf(c)).toEqual({
      'custom.Department': 'Vertrieb',
      'custom.Name prefix': 'Dr.',
      first_name: 'Jürgen',
      last_name: 'Müller',
      role: 'Geschäftsführer',
      birthday: '1985-05-17',
      email: 'juergen@example.de',
      'custom.E-mail 2': 'j.mueller@example.org',
      phone: '+49 351 1234567',
      'custom.Phone 2': '+49 170 1234567',
      street: 'Königstraße 5',
      postcode: '01067',
      city: 'Dresden',
      region: 'Sachsen',
      country: 'Deutschland',
      'custom.Address 2': 'Am Weg 1, 01445 Radebeul, Deutschland',
      notes:
        'Größter Kunde, zahlt pünktlich.\nZweite Zeile; mit Semikolon \\ und Backslash – dieser Satz ist so lang, dass er gefaltet werden muss',
      external_id: 'urn:uuid:4fbe8971-0bc3-424c-9c26-36c3e1eff6b1',
    });
    expect(c.companyName).toBe('Bäckerei Müller GmbH');
    expect(c.tagEdits).toEqual(['+VIP', '+Stammkunde']);
  });

  it('4.0 KIND:org: LF line ends, tab folding, tel: URI, URL as website', () => {
    const c = cards[1]!;
    expect(setOf(c)).toEqual({
      name: 'Ökobau Süd GmbH',
      email: 'info@oekobau.example',
      phone: '+49-371-98765',
      street: 'Hauptstraße 12',
      postcode: '09111',
      city: 'Chemnitz',
      country: 'Germany',
      notes: 'Rahmenvertrag bis 2027',
      website: 'https://oekobau.example',
    });
    expect(c.tagEdits).toEqual(['+Bau', '+Lieferant']);
    expect(c.companyName).toBeUndefined();
  });

  it('--MMDD and X-APPLE-OMIT-YEAR are year-less birthdays', () => {
    expect(setOf(cards[2]!).birthday).toBe('--02-24');
    expect(setOf(cards[3]!)).toEqual({
      first_name: 'Özlem',
      last_name: 'Çelik',
      birthday: '--03-15',
      email: 'oezlem@example.com',
      phone: '0170 7654321',
    });
  });

  it("Apple's X-ABShowAs:COMPANY card is a company", () => {
    expect(setOf(cards[4]!)).toEqual({ name: 'Müller & Söhne KG', phone: '+49 30 555555' });
  });

  it('2.1 QUOTED-PRINTABLE with a soft line break, bare TYPE parameters', () => {
    expect(setOf(cards[5]!)).toEqual({
      first_name: 'Hans',
      last_name: 'Grüßer',
      birthday: '1970-01-01',
      phone: '+491709999999',
      notes: 'Erste Zeile\nZweite Zeile mit längerem Text',
    });
  });

  it('every card goes through applyChanges', () => {
    for (const c of cards) expect(draftOf(c).name).not.toBe('');
    expect(draftOf(cards[0]!)).toMatchObject({ name: 'Jürgen Müller', postcode: '01067', tags: ['VIP', 'Stammkunde'] });
  });
});

describe('parseVcards: lines', () => {
  it('unfolds CRLF or LF followed by a space or a tab, dropping one whitespace character', () => {
    const text = 'BEGIN:VCARD\nVERSION:4.0\nN:We\r\n iß;Ann\r\n\ta\n\t Maria;;;\nNOTE:a\r\n b\n\tc\nEND:VCARD\n';
    expect(setOf(one(text))).toEqual({ first_name: 'Anna Maria', last_name: 'Weiß', notes: 'abc' });
    expect(setOf(one('BEGIN:VCARD\r\nFN:Anna\r\n  Maria\r\nEND:VCARD')).name).toBe('Anna Maria');
  });

  it('unescapes \\, \\; \\n \\N \\\\ and leaves other backslashes', () => {
    const c = one(card('N:Ä\\,B;C\\;D;;;', 'NOTE:eins\\, zwei\\; drei\\nvier\\Nfünf \\\\ sechs \\x'));
    expect(setOf(c)).toEqual({ first_name: 'C;D', last_name: 'Ä,B', notes: 'eins, zwei; drei\nvier\nfünf \\ sechs \\x' });
  });

  it('reads group prefixes, lower-case names, quoted parameter values with : and ;', () => {
    const c = one(card('n:Lee;Bo;;;', 'item2.email;type="work,pref";X-LABEL="a:b;c":bo@example.com', 'tel;type=HOME:1', 'tel;PREF=1:2'));
    expect(setOf(c)).toEqual({ first_name: 'Bo', last_name: 'Lee', email: 'bo@example.com', phone: '2', 'custom.Phone 2': '1' });
  });

  it('lists N and ADR components, and skips empty ADRs', () => {
    const c = one(card('N:Weiß;Anna,Lena;Maria;;', 'ADR:;;;;;;', 'ADR;TYPE=home:;c/o X;Hauptstr. 1\\nHinterhaus;Dresden;;01067;'));
    expect(setOf(c)).toEqual({ first_name: 'Anna Lena Maria', last_name: 'Weiß', street: 'Hauptstr. 1, Hinterhaus, c/o X', postcode: '01067', city: 'Dresden' });
  });

  it('takes a person with only FN as a display name, and ORG = FN as a company', () => {
    expect(one(card('FN:Anna Weiß'))).toMatchObject({ kind: 'person', set: [{ field: 'name', value: 'Anna Weiß' }] });
    expect(one(card('N:ACME GmbH;;;;', 'FN:ACME GmbH', 'ORG:ACME GmbH'))).toMatchObject({ kind: 'company', set: [{ field: 'name', value: 'ACME GmbH' }] });
    expect(one(card('ORG:ACME GmbH;Sales'))).toMatchObject({ kind: 'company', set: [{ field: 'name', value: 'ACME GmbH' }, { field: 'custom.Department', value: 'Sales' }] });
    expect(one(card('N:Lee;Bo;;;', 'FN:Bo Lee', 'ORG:ACME', 'ROLE:Buyer'))).toMatchObject({ kind: 'person', companyName: 'ACME' });
  });

  it('a URL on a person card is kept as the custom field URL; our own UID is not an external id', () => {
    const c = one(card('N:Lee;Bo;;;', 'URL:https://bo.example', 'UID:urn:custfile:12'));
    expect(setOf(c)).toEqual({ first_name: 'Bo', last_name: 'Lee', 'custom.URL': 'https://bo.example' });
  });

  it('joins several NOTE and CATEGORIES properties', () => {
    const c = one(card('FN:X', 'NOTE:eins', 'NOTE:zwei', 'CATEGORIES:a,b', 'CATEGORIES:b,c\\,d'));
    expect(setOf(c).notes).toBe('eins\nzwei');
    expect(c.tagEdits).toEqual(['+a', '+b', '+c', '+d']);
  });

  it('reads QUOTED-PRINTABLE in another charset', () => {
    const c = one(card('FN;ENCODING=QUOTED-PRINTABLE;CHARSET=ISO-8859-1:M=FCller'));
    expect(setOf(c).name).toBe('Müller');
  });
});

describe('parseVcards: BDAY', () => {
  it.each([
    ['BDAY:1985-05-17', '1985-05-17'],
    ['BDAY:19850517', '1985-05-17'],
    ['BDAY:1985-05-17T00:00:00Z', '1985-05-17'],
    ['BDAY;VALUE=date:19850517', '1985-05-17'],
    ['BDAY:--0517', '--05-17'],
    ['BDAY:--05-17', '--05-17'],
    ['BDAY:--0229', '--02-29'],
    ['BDAY;X-APPLE-OMIT-YEAR=1604:1604-05-17', '--05-17'],
    ['BDAY;X-APPLE-OMIT-YEAR=1900:1900-05-17', '--05-17'],
    ['BDAY:1604-05-17', '--05-17'],
  ])('%s → %s', (line, expected) => {
    expect(setOf(one(card('N:Lee;Bo;;;', line))).birthday).toBe(expected);
  });

  it.each(['BDAY:circa 1800', 'BDAY;VALUE=text:im Mai', 'BDAY:1985-02-30', 'BDAY:--1301', 'BDAY:1985'])(
    'rejects the card for %s, with the line and no value',
    (line) => {
      const { cards, errors } = parseVcards(card('N:Lee;Bo;;;', line));
      expect(cards).toEqual([]);
      expect(errors).toEqual([{ line: 4, reason: 'BDAY: not a date' }]);
    },
  );
});

describe('parseVcards: errors', () => {
  it('reports a card without END:VCARD and goes on with the next', () => {
    const text = 'BEGIN:VCARD\nVERSION:3.0\nFN:Anna\nBEGIN:VCARD\nVERSION:3.0\nFN:Bo\nEND:VCARD\nBEGIN:VCARD\nFN:Cem\n';
    const { cards, errors } = parseVcards(text);
    expect(cards.map((c) => setOf(c).name)).toEqual(['Bo']);
    expect(errors).toEqual([
      { line: 1, reason: 'the card is not closed with END:VCARD' },
      { line: 8, reason: 'the card is not closed with END:VCARD' },
    ]);
  });

  it('reports text outside cards and lines that are not properties', () => {
    const text = 'hello\r\nBEGIN:VCARD\r\nFN:Anna\r\nthis is no property\r\nEND:VCARD\r\n';
    expect(parseVcards(text)).toEqual({
      cards: [],
      errors: [
        { line: 1, reason: 'text outside a card (BEGIN:VCARD … END:VCARD)' },
        { line: 4, reason: 'line 4 is not a vCard property (NAME:value)' },
      ],
    });
  });

  it('skips a group or a location card: no customer, nothing broken', () => {
    expect(parseVcards(card('KIND:group', 'FN:Team'))).toEqual({ cards: [], errors: [{ line: 1, reason: 'KIND: only individual and org cards are imported, not group', skip: true }] });
    expect(parseVcards(card('KIND:location', 'FN:Lager')).errors[0]).toMatchObject({ skip: true });
  });

  it.each([
    [card('EMAIL:a@b.de'), 'the card has no name (N, FN or ORG)'],
    [card('N:;;;;', 'FN:'), 'the card has no name (N, FN or ORG)'],
  ])('rejects a card: %#', (text, reason) => {
    expect(parseVcards(text)).toEqual({ cards: [], errors: [{ line: 1, reason }] });
  });

  it('ignores blank lines and a BOM, and reads an empty file as no cards', () => {
    expect(parseVcards('')).toEqual({ cards: [], errors: [] });
    expect(parseVcards('\uFEFF\r\n\r\n' + card('FN:Anna')).cards).toHaveLength(1);
  });

  it('does not reach the prototype for KIND values', () => {
    expect(parseVcards(card('KIND:constructor', 'FN:Anna')).cards[0]?.kind).toBe('person');
  });
});

describe('profileToVcard', () => {
  const person = makeProfile('person', {
    id: 42,
    name: 'Jürgen Müller',
    first_name: 'Jürgen',
    last_name: 'Müller',
    role: 'Einkauf; Leitung',
    email: 'juergen@example.de',
    phone: '+49 351 1234567',
    street: 'Königstraße 5, Hinterhaus',
    postcode: '01067',
    city: 'Dresden',
    region: 'Sachsen',
    country: 'Deutschland',
    birthday: '--02-29',
    notes: 'Zeile 1\nZeile 2 mit Komma, Semikolon; und \\ Backslash',
    tags: ['VIP', 'Stammkunde'],
  });

  it('writes vCard 4.0 with CRLF, escaping and a year-less BDAY as --MMDD', () => {
    const text = profileToVcard(person, 'Bäckerei Müller GmbH');
    expect(text.endsWith('\r\n')).toBe(true);
    expect(text.replace(/\r\n/g, '').includes('\n')).toBe(false);
    expect(text.split('\r\n')).toEqual([
      'BEGIN:VCARD',
      'VERSION:4.0',
      'PRODID:-//custfile//custfile//EN',
      'KIND:individual',
      'FN:Jürgen Müller',
      'N:Müller;Jürgen;;;',
      'ORG:Bäckerei Müller GmbH',
      'TITLE:Einkauf\\; Leitung',
      'EMAIL:juergen@example.de',
      'TEL;VALUE=text:+49 351 1234567',
      'ADR:;;Königstraße 5\\, Hinterhaus;Dresden;Sachsen;01067;Deutschland',
      'BDAY:--0229',
      'NOTE:Zeile 1\\nZeile 2 mit Komma\\, Semikolon\\; und \\\\ Backslash',
      'CATEGORIES:VIP,Stammkunde',
      'UID:urn:custfile:42',
      'END:VCARD',
      '',
    ]);
  });

  it('writes a company as KIND:org with ORG and URL, and the external id as UID', () => {
    const company = makeProfile('company', { id: 3, name: 'Ökobau Süd GmbH', website: 'https://oekobau.example', external_id: 'K-1002', birthday: null });
    expect(profileToVcard(company, null).split('\r\n')).toEqual([
      'BEGIN:VCARD',
      'VERSION:4.0',
      'PRODID:-//custfile//custfile//EN',
      'KIND:org',
      'FN:Ökobau Süd GmbH',
      'ORG:Ökobau Süd GmbH',
      'X-ABShowAs:COMPANY',
      'URL:https://oekobau.example',
      'UID:K-1002',
      'END:VCARD',
      '',
    ]);
  });

  it('writes a full birthday as YYYYMMDD and leaves empty fields out', () => {
    const text = profileToVcard(makeProfile('person', { name: 'Bo', last_name: 'Bo', birthday: '1985-05-17' }), null);
    expect(text).toContain('\r\nBDAY:19850517\r\n');
    expect(text).not.toMatch(/^(ORG|TITLE|EMAIL|TEL|ADR|NOTE|CATEGORIES|URL)[:;]/m);
  });

  it('folds lines at 75 octets without splitting a UTF-8 character', () => {
    const notes = 'Äußerst wichtige Notiz über Größen, Maße und Gewichte – ' + 'äöüß€😀'.repeat(20);
    const text = profileToVcard(makeProfile('person', { name: 'X', last_name: 'X', notes }), null);
    const lines = text.split('\r\n');
    for (const line of lines) expect(Buffer.byteLength(line, 'utf8')).toBeLessThanOrEqual(75);
    expect(lines.filter((l) => l.startsWith(' ')).length).toBeGreaterThan(2);
    expect(text).not.toContain('\ufffd');
    expect(setOf(one(text)).notes).toBe(notes);
  });

  it('round-trips through parseVcards: what vCard carries comes back the same', () => {
    const back = draftOf(one(profileToVcard(person, 'Bäckerei Müller GmbH')));
    expect(back).toMatchObject({
      kind: 'person',
      name: 'Jürgen Müller',
      first_name: 'Jürgen',
      last_name: 'Müller',
      role: 'Einkauf; Leitung',
      email: person.email,
      phone: person.phone,
      street: person.street,
      postcode: '01067',
      city: 'Dresden',
      region: 'Sachsen',
      country: 'Deutschland',
      birthday: '--02-29',
      notes: person.notes,
      tags: ['VIP', 'Stammkunde'],
      external_id: null,
    });
    expect(one(profileToVcard(person, 'Bäckerei Müller GmbH')).companyName).toBe('Bäckerei Müller GmbH');

    const company = makeProfile('company', { name: 'Ökobau Süd GmbH', website: 'https://oekobau.example', external_id: 'K;1,2', city: 'Chemnitz' });
    const record = one(profileToVcard(company, null));
    expect(record.kind).toBe('company');
    expect(draftOf(record)).toMatchObject({ name: 'Ökobau Süd GmbH', website: 'https://oekobau.example', external_id: 'K;1,2', city: 'Chemnitz' });
  });
});

describe('vcardPieces: a file read a piece at a time', () => {
  async function* chunked(text: string, cuts: number[]): AsyncGenerator<string> {
    let at = 0;
    for (const cut of [...cuts, text.length]) {
      yield text.slice(at, cut);
      at = cut;
    }
  }
  /** Every card and error of the pieces, as parseVcards reads them with their first lines. */
  async function inPieces(text: string, cuts: number[], maxChars?: number) {
    const cards: VcardRecord[] = [];
    const errors: { line: number; reason: string }[] = [];
    let pieces = 0;
    for await (const piece of vcardPieces(chunked(text, cuts), 'k.vcf', maxChars)) {
      pieces++;
      const parsed = parseVcards(piece.text, piece.line);
      cards.push(...parsed.cards);
      errors.push(...parsed.errors);
    }
    return { cards, errors, pieces };
  }
  const cardOf = (i: number, rnd: () => number, eol: string) => {
    const lines = ['BEGIN:VCARD', 'VERSION:3.0', `N:Müller${i};Jörg;;;`, `FN:Jörg Müller${i}`];
    if (rnd() < 0.3) lines.push('NOTE:eine lange Notiz,', ' die gefaltet weitergeht'); // folded
    if (rnd() < 0.1) lines.push('BDAY:2026-02-30'); // a card to reject
    if (rnd() < 0.05) lines.push('kein Property'); // a line that is not a property
    if (rnd() < 0.05) lines.push('begin:vcard'); // a card never closed, a new one in lower case
    lines.push(`EMAIL:j${i}@example.org`);
    if (rnd() < 0.95) lines.push('END:VCARD');
    if (rnd() < 0.05) lines.push('', 'Text zwischen Karten');
    return lines.join(eol);
  };

  it('the same cards and errors, on the same lines, as the whole text, however it is cut', async () => {
    const rnd = random(7);
    for (const eol of ['\r\n', '\n', '\r']) {
      const text = `${Array.from({ length: 300 }, (_, i) => cardOf(i, rnd, eol)).join(eol)}${eol}`;
      const whole = parseVcards(text);
      expect(whole.errors.length).toBeGreaterThan(5);
      for (const size of [1, 7, 100, 4096, text.length]) {
        const cuts: number[] = [];
        for (let at = size; at < text.length; at += size) cuts.push(at);
        const got = await inPieces(text, cuts);
        expect(got.cards, `${JSON.stringify(eol)} in ${size}s`).toEqual(whole.cards);
        expect(got.errors, `${JSON.stringify(eol)} in ${size}s`).toEqual(whole.errors);
        if (size <= 100) expect(got.pieces).toBeGreaterThan(250); // a piece a card
      }
    }
  });

  it('long lines and long cards cut anywhere: a folded photo, a line without breaks, spaces after BEGIN:VCARD', async () => {
    const photo = Array.from({ length: 3000 }, (_, i) => ` ${'QUJD'.repeat(18)}${i}`).join('\r\n');
    const text = [
      'BEGIN:VCARD', 'VERSION:3.0', 'FN:Foto', `PHOTO;ENCODING=b:${'x'.repeat(70)}`, photo, 'END:VCARD',
      `BEGIN:VCARD   ${' '.repeat(5000)}`, 'FN:Leerzeichen', 'END:VCARD',
      `NOTE:${'y'.repeat(200_000)}`,
      'BEGIN:VCARD', 'FN:Zuletzt', 'END:VCARD', '',
    ].join('\r\n');
    const whole = parseVcards(text);
    expect(whole.cards).toHaveLength(3);
    expect(whole.errors).toHaveLength(1); // the NOTE between cards
    for (const size of [1000, 32 * 1024]) {
      const cuts: number[] = [];
      for (let at = size; at < text.length; at += size) cuts.push(at);
      const got = await inPieces(text, cuts);
      expect(got.cards).toEqual(whole.cards);
      expect(got.errors).toEqual(whole.errors);
      expect(got.pieces).toBe(3); // the NOTE goes with the card before it
    }
  });

  it('the rejects text of a card never closed is the card alone, however the text was cut', () => {
    const lines = ['BEGIN:VCARD', 'FN:Offen', 'EMAIL:o@example.org', 'BEGIN:VCARD', 'FN:B', 'END:VCARD'];
    expect(cardText(lines, 1)).toBe('BEGIN:VCARD\nFN:Offen\nEMAIL:o@example.org');
    expect(cardText(lines.slice(0, 3), 1)).toBe(cardText(lines, 1)); // as one piece of it
    expect(cardText(lines, 4)).toBe('BEGIN:VCARD\nFN:B\nEND:VCARD');
  });

  it('a card longer than the limit stops the read with the line it starts on', async () => {
    const text = `BEGIN:VCARD\nFN:A\nEND:VCARD\nBEGIN:VCARD\nFN:B\nPHOTO:${'x'.repeat(5000)}\nEND:VCARD\n`;
    const cuts = Array.from({ length: 60 }, (_, i) => (i + 1) * 100);
    await expect(inPieces(text, cuts, 1000)).rejects.toThrow(RejectedInputError);
    await expect(inPieces(text, cuts, 1000)).rejects.toThrow(/^k\.vcf line 4: a vCard longer than/);
    expect((await inPieces(text, cuts, 10_000)).cards.length).toBe(2);
  });
});

describe('rejoinFoldedCharacters', () => {
  async function through(bytes: Buffer, chunk: number): Promise<Buffer> {
    const { Readable } = await import('node:stream');
    const parts: Buffer[] = [];
    for (let i = 0; i < bytes.length; i += chunk) parts.push(bytes.subarray(i, i + chunk));
    const out: Buffer[] = [];
    for await (const piece of Readable.from(parts).pipe(rejoinFoldedCharacters())) out.push(piece as Buffer);
    return Buffer.concat(out);
  }

  it('moves a fold that cuts a UTF-8 character past it, in any chunking; the lines stay as many', async () => {
    const text = Buffer.from('Grüße aus Köln – 🎂 €', 'utf8');
    for (let cut = 1; cut < text.length; cut++) {
      for (const fold of ['\r\n ', '\n ', '\r\n\t']) {
        const folded = Buffer.concat([Buffer.from('NOTE:'), text.subarray(0, cut), Buffer.from(fold), text.subarray(cut), Buffer.from('\r\n')]);
        for (const chunk of [1, 3, 7, 4096]) {
          const fixed = await through(folded, chunk);
          const unfolded = fixed.toString('latin1').replace(/\r?\n[ \t]/g, '');
          expect(Buffer.from(unfolded, 'latin1').toString('utf8'), `cut ${cut} ${JSON.stringify(fold)} chunk ${chunk}`).toBe(`NOTE:${text.toString('utf8')}\r\n`);
          expect(fixed.toString('latin1').split('\n').length).toBe(folded.toString('latin1').split('\n').length);
        }
      }
    }
  });

  it('a file that ends in a fold after a cut character comes through as it was (nothing to join it with)', async () => {
    const bytes = Buffer.from('BEGIN:VCARD\r\nFN:Gr\xc3\r\n ', 'latin1');
    for (const chunk of [1, 4, 4096]) expect((await through(bytes, chunk)).equals(bytes)).toBe(true);
  });

  it('leaves everything else as it was: Windows-1252 bytes, folds between characters', async () => {
    const bytes = Buffer.concat([Buffer.from('NOTE:Gr\xfc\r\n \xdfe\r\nFN:a\r\n b\r\n', 'latin1')]);
    expect((await through(bytes, 5)).equals(bytes)).toBe(true);
  });
});

describe('parseVcards: what has no field is kept', () => {
  it("keeps Apple's nickname, labelled dates and related names, the name's prefix and suffix, the department and social profiles", () => {
    const text = [
      'BEGIN:VCARD', 'VERSION:3.0', 'N:Bär;Jürgen;;Dr.;jun.', 'FN:Dr. Jürgen Bär jun.', 'ORG:Elbwerk GmbH;Vertrieb', 'NICKNAME:Jü',
      'item2.X-ABDATE;type=pref:2005-06-18', 'item2.X-ABLabel:_$!<Anniversary>!$_',
      'item3.X-ABDATE:2019-09-01', 'item3.X-ABLabel:Firmeneintritt',
      'item4.X-ABRELATEDNAMES:Käthe Bär', 'item4.X-ABLabel:_$!<Spouse>!$_',
      'X-SOCIALPROFILE;type=linkedin:https://linkedin.com/in/jbaer',
      'CATEGORIES:myContacts,Kunden', 'END:VCARD', '',
    ].join('\r\n');
    const [card] = parseVcards(text).cards;
    const set = Object.fromEntries(card!.set.map((s) => [s.field, s.value]));
    expect(set).toMatchObject({
      'custom.Name prefix': 'Dr.', 'custom.Name suffix': 'jun.', 'custom.Department': 'Vertrieb', 'custom.Nickname': 'Jü',
      'custom.Anniversary': '2005-06-18', 'custom.Firmeneintritt': '2019-09-01', 'custom.Spouse': 'Käthe Bär',
      'custom.Social profile (linkedin)': 'https://linkedin.com/in/jbaer',
    });
    // Google's system group is no tag
    expect(card!.tagEdits).toEqual(['+Kunden']);
  });

  it('writes the nickname, anniversary, department and name prefix back', () => {
    const profile = makeProfile('person', { first_name: 'Jürgen', last_name: 'Bär', name: 'Jürgen Bär', custom: { Nickname: 'Jü', Anniversary: '2005-06-18', Department: 'Vertrieb', 'Name prefix': 'Dr.' } });
    const out = profileToVcard(profile, 'Elbwerk GmbH');
    expect(out).toContain('NICKNAME:Jü\r\n');
    expect(out).toContain('ANNIVERSARY:20050618\r\n');
    expect(out).toContain('ORG:Elbwerk GmbH;Vertrieb\r\n');
    expect(out).toMatch(/\r\nN:[^\r]*;;Dr\.;\r\n/);
    const [back] = parseVcards(out).cards;
    expect(Object.fromEntries(back!.set.map((s) => [s.field, s.value]))).toMatchObject({
      'custom.Nickname': 'Jü', 'custom.Anniversary': '2005-06-18', 'custom.Department': 'Vertrieb', 'custom.Name prefix': 'Dr.',
    });
  });
});
