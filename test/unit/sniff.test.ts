import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import iconv from 'iconv-lite';
import { describe, expect, it } from 'vitest';
import { RejectedInputError, UsageError } from '../../src/errors.js';
import {
  SNIFF_BYTES,
  decodeStream,
  explicitDelimiter,
  isUtf8,
  sniffCsv,
  sniffDelimiter,
  mixedUtf8,
  sniffEncoding,
} from '../../src/io/sniff.js';

const FIXTURES = join(import.meta.dirname, '../fixtures/import');
const fixture = (name: string): Buffer => readFileSync(join(FIXTURES, name));

async function readAll(stream: Readable): Promise<string> {
  let text = '';
  for await (const chunk of stream) text += String(chunk);
  return text;
}

/** A byte stream of `data` in chunks of `size`, counting what was pulled. */
function chunked(data: Buffer, size: number): { stream: Readable; pulled: () => number } {
  let pulled = 0;
  const gen = function* (): Generator<Buffer> {
    for (let i = 0; i < data.length; i += size) {
      const part = data.subarray(i, i + size);
      pulled += part.length;
      yield part;
    }
  };
  return { stream: Readable.from(gen(), { objectMode: false }), pulled: () => pulled };
}

describe('sniffEncoding', () => {
  const cases: [string, number[] | Buffer, { complete?: boolean }, { encoding: string; bomLength: number; guessed: boolean }][] = [
    ['UTF-8 BOM', [0xef, 0xbb, 0xbf, 0x61], {}, { encoding: 'utf8', bomLength: 3, guessed: false }],
    ['UTF-16LE BOM', [0xff, 0xfe, 0x61, 0x00], {}, { encoding: 'utf16le', bomLength: 2, guessed: false }],
    ['UTF-16BE BOM', [0xfe, 0xff, 0x00, 0x61], {}, { encoding: 'utf16be', bomLength: 2, guessed: false }],
    ['plain ASCII', Buffer.from('a,b\n1,2\n'), {}, { encoding: 'utf8', bomLength: 0, guessed: false }],
    ['UTF-8 umlauts', Buffer.from('Müller;Straße;€\n', 'utf8'), {}, { encoding: 'utf8', bomLength: 0, guessed: false }],
    ['UTF-8 4-byte emoji', Buffer.from('a😀b', 'utf8'), {}, { encoding: 'utf8', bomLength: 0, guessed: false }],
    ['Windows-1252 umlauts', iconv.encode('Müller;Straße\n', 'windows-1252'), {}, { encoding: 'windows-1252', bomLength: 0, guessed: true }],
    ['Windows-1252 € and „“ (0x80–0x9F)', iconv.encode('5 € „x“\n', 'windows-1252'), {}, { encoding: 'windows-1252', bomLength: 0, guessed: true }],
    // "ü" is C3 BC: a chunk that ends after C3 may be cut mid-character
    ['UTF-8 cut at the chunk end', Buffer.from([0x61, 0xc3]), { complete: false }, { encoding: 'utf8', bomLength: 0, guessed: false }],
    ['UTF-8 cut 4-byte at the chunk end', Buffer.from([0x61, 0xf0, 0x9f, 0x98]), {}, { encoding: 'utf8', bomLength: 0, guessed: false }],
    ['a cut character in a complete file', Buffer.from([0x61, 0xc3]), { complete: true }, { encoding: 'windows-1252', bomLength: 0, guessed: true }],
    ['overlong "/" (C0 AF)', Buffer.from([0x61, 0xc0, 0xaf]), {}, { encoding: 'windows-1252', bomLength: 0, guessed: true }],
    ['overlong 3-byte (E0 80 80)', Buffer.from([0xe0, 0x80, 0x80, 0x61]), {}, { encoding: 'windows-1252', bomLength: 0, guessed: true }],
    ['UTF-16 surrogate (ED A0 80)', Buffer.from([0xed, 0xa0, 0x80, 0x61]), {}, { encoding: 'windows-1252', bomLength: 0, guessed: true }],
    ['past U+10FFFF (F4 90 80 80)', Buffer.from([0xf4, 0x90, 0x80, 0x80]), {}, { encoding: 'windows-1252', bomLength: 0, guessed: true }],
    ['a lone continuation byte', Buffer.from([0x61, 0x80, 0x61]), {}, { encoding: 'windows-1252', bomLength: 0, guessed: true }],
    ['UTF-16LE without BOM', iconv.encode('Name\tOrt\r\nAnna\tDresden\r\n', 'utf16le'), {}, { encoding: 'utf16le', bomLength: 0, guessed: true }],
    ['UTF-16BE without BOM', iconv.encode('Name\tOrt\r\nAnna\tDresden\r\n', 'utf16be'), {}, { encoding: 'utf16be', bomLength: 0, guessed: true }],
    ['empty', Buffer.alloc(0), { complete: true }, { encoding: 'utf8', bomLength: 0, guessed: false }],
  ];
  it.each(cases)('%s', (_name, bytes, options, expected) => {
    expect(sniffEncoding(Buffer.from(bytes), options)).toEqual(expected);
  });

  it.each([
    ['german-excel.csv', 'windows-1252', 0, true],
    ['outlook.csv', 'windows-1252', 0, true],
    ['utf8-bom.csv', 'utf8', 3, false],
    ['utf16le-tab.txt', 'utf16le', 2, false],
    ['google.csv', 'utf8', 0, false],
    ['google-old.csv', 'utf8', 0, false],
    ['contacts.vcf', 'utf8', 0, false],
  ])('fixture %s is %s', (name, encoding, bomLength, guessed) => {
    expect(sniffEncoding(fixture(name), { complete: true })).toEqual({ encoding, bomLength, guessed });
  });

  it('isUtf8 accepts every code point Node encodes, and rejects Windows-1252 text', () => {
    const all = Array.from({ length: 0x3000 }, (_, i) => (i >= 0xd800 && i < 0xe000 ? '' : String.fromCodePoint(i))).join('') + '😀𝄞';
    expect(isUtf8(Buffer.from(all, 'utf8'), true)).toBe(true);
    expect(isUtf8(iconv.encode('Grüße', 'windows-1252'), false)).toBe(false);
  });
});

describe('sniffDelimiter', () => {
  const cases: [string, string, string, boolean][] = [
    ['commas', 'a,b,c\n1,2,3\n4,5,6\n', ',', false],
    ['semicolons with decimal commas', 'Vorname;Umsatz;Ort\nAnna;1.234,56;Dresden\nBen;7,5;Leipzig\n', ';', false],
    ['tabs', 'Vorname\tName\tOrt\r\nJörg\tSchäfer\tDresden\r\n', '\t', false],
    ['pipes', 'a|b\n1|2\n', '|', false],
    ['quoted delimiters do not count', '"Name, Vorname";Ort\n"Müller, Anna";Dresden\n"Weiß, Ben";Leipzig\n', ';', false],
    ['a quoted line break stays in its record', 'a;b\n"x\ny,z,w";2\n3;4\n', ';', false],
    ['doubled quotes inside quotes', 'a,b\n"say ""hi"";";2\n', ',', false],
    ['a cut last line is left out', 'a;b;c\n1;2;3\n4;5,6,7,8,9,10', ';', false],
    ['one column', 'email\nanna@example.de\n', ',', false],
    ['header only, no line break', 'Vorname;Nachname;PLZ', ';', false],
    ['commas in some rows only lose to steady tabs', 'Name\tAdresse\nA\tMain St, 5\nB\tElm St\n', '\t', false],
    ['Excel sep line', 'sep=;\r\nVorname,Nachname;Ort\r\n', ';', true],
    ['Excel sep line, quoted', '"sep=|"\na|b\n', '|', true],
    ['Excel sep line for tab', 'sep=\t\na\tb\n', '\t', true],
    ['empty', '', ',', false],
  ];
  it.each(cases)('%s', (_name, text, delimiter, sepLine) => {
    expect(sniffDelimiter(text)).toEqual({ delimiter, sepLine, datevLine: null });
  });

  it("skips DATEV's format line above the header, and keeps it as read", () => {
    const line = '"EXTF";700;16;"Debitoren/Kreditoren";5;20261127;;"RE";"";"";1;2';
    expect(sniffDelimiter(`${line}\r\nKonto;Name (Adressatentyp Unternehmen);PLZ\r\n10000;Holz eG;01067\r\n`)).toEqual({ delimiter: ';', sepLine: false, datevLine: line });
    expect(sniffDelimiter('\uFEFFDTVF,1,2\nKonto,Name\n1,A\n')).toEqual({ delimiter: ',', sepLine: false, datevLine: 'DTVF,1,2' });
    // a header that merely starts with the letters is a header
    expect(sniffDelimiter('EXTFoo;Name\n1;A\n').datevLine).toBeNull();
  });

  it('rejects a sep= line naming a delimiter it does not read', () => {
    expect(() => sniffDelimiter('sep=:\na:b\n')).toThrow(RejectedInputError);
    expect(() => sniffDelimiter('sep=:\na:b\n')).toThrow(/sep=:/);
  });

  it.each([
    ['german-excel.csv', ';'],
    ['outlook.csv', ','],
    ['utf8-bom.csv', ','],
    ['utf16le-tab.txt', '\t'],
    ['google.csv', ','],
    ['google-old.csv', ','],
    ['own-export.csv', ','],
  ])('fixture %s is split by %j', (name, delimiter) => {
    const bytes = fixture(name);
    const guess = sniffEncoding(bytes, { complete: true });
    const text = iconv.decode(bytes.subarray(guess.bomLength), guess.encoding);
    expect(sniffDelimiter(text)).toEqual({ delimiter, sepLine: false, datevLine: null });
  });
});

describe('decodeStream: UTF-16 characters stay whole', () => {
  const utf16 = (text: string) => Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(text, 'utf16le')]);

  it('an emoji (a surrogate pair) cut between chunks is read whole', async () => {
    const bytes = utf16('Name\tOrt\nAnna 😀\tGörlitz\n');
    const chunks = [...bytes].map((b) => Buffer.from([b]));
    const { stream } = await decodeStream(Readable.from(chunks));
    expect(await readAll(stream)).toBe('Name\tOrt\nAnna 😀\tGörlitz\n');
  });

  it('half a surrogate pair fails with its line', async () => {
    const bytes = utf16('Name\tOrt\nA\ud800x\tGörlitz\n');
    const { stream } = await decodeStream(Readable.from([bytes]), { label: 'kunden.txt' });
    await expect(readAll(stream)).rejects.toThrow(/kunden\.txt line 2: a character is broken \(half of a UTF-16 surrogate pair\)/);
  });
});

describe('decodeStream', () => {
  it('decodes a German Excel file (Windows-1252): umlauts, €, „“ and leading zeros intact', async () => {
    const { stream, encoding, guessed } = await decodeStream(Readable.from([fixture('german-excel.csv')]));
    expect([encoding, guessed]).toEqual(['windows-1252', true]);
    const text = await readAll(stream);
    expect(text.split('\r\n')[0]).toBe(
      'Kundennr;Vorname;Nachname;Firma;Straße;PLZ;Ort;Geburtstag;Umsatz;E-Mail;Telefon;Kunde seit;Bemerkung;Schlagworte;Lieblingsfarbe',
    );
    expect(text).toContain('Jürgen;Müller;Bäckerei Müller GmbH;Königstraße 5;01067;Dresden;17.05.1985;1.234,56;');
    expect(text).toContain('Rabatt 5 € vereinbart');
    expect(text).toContain('„Premium“');
    expect(text).not.toContain('\ufffd');
  });

  it('decodes UTF-16LE with BOM (Excel "Unicode text"), surrogate pairs included, without the BOM', async () => {
    const { stream, encoding, guessed } = await decodeStream(chunked(fixture('utf16le-tab.txt'), 7).stream);
    expect([encoding, guessed]).toEqual(['utf16le', false]);
    const text = await readAll(stream);
    expect(text.startsWith('Vorname\tName\tFirma\tPLZ')).toBe(true);
    expect(text).toContain('Jörg\tSchäfer\tSchäfer & Söhne KG\t01067\tDresden');
    expect(text).toContain('Mag Kaffee ☕ und 😀');
    expect(text).toContain('Ülkü\tÖztürk\t\t08056');
  });

  it('drops a UTF-8 BOM', async () => {
    const { stream, encoding } = await decodeStream(Readable.from([fixture('utf8-bom.csv')]));
    expect(encoding).toBe('utf8');
    const text = await readAll(stream);
    expect(text.startsWith('First Name,')).toBe(true);
    expect(text).toContain('Zoë,Åström');
  });

  it('decodes UTF-16BE with BOM', async () => {
    const bytes = Buffer.concat([Buffer.from([0xfe, 0xff]), iconv.encode('Größe\t01067\n', 'utf16be')]);
    const { stream, encoding } = await decodeStream(Readable.from([bytes]));
    expect(encoding).toBe('utf16be');
    expect(await readAll(stream)).toBe('Größe\t01067\n');
  });

  it('keeps a UTF-8 character cut by the 64 KiB boundary whole', async () => {
    const prefix = 'x'.repeat(SNIFF_BYTES - 1); // "ü" (2 bytes) straddles the boundary
    const data = Buffer.from(`${prefix}ü;Straße\n`, 'utf8');
    const { stream, encoding, guessed } = await decodeStream(chunked(data, 4096).stream);
    expect([encoding, guessed]).toEqual(['utf8', false]);
    expect(await readAll(stream)).toBe(`${prefix}ü;Straße\n`);
  });

  it('reads only the first chunk before deciding, never the whole input', async () => {
    const big = Buffer.alloc(8 * 1024 * 1024, 'a');
    const source = chunked(big, 16 * 1024);
    const { stream } = await decodeStream(source.stream);
    expect(source.pulled()).toBeLessThan(SNIFF_BYTES + 64 * 1024);
    let length = 0;
    for await (const chunk of stream) length += String(chunk).length;
    expect(length).toBe(big.length);
  });

  it('ASCII and then bytes that are not UTF-8: the rest is Windows-1252, and the encoding says so, guessed', async () => {
    const data = Buffer.concat([Buffer.from('a;b\n'.repeat(SNIFF_BYTES / 2), 'utf8'), iconv.encode('Müller;1 €\n', 'windows-1252')]);
    const decoded = await decodeStream(chunked(data, 8192).stream);
    expect([decoded.encoding, decoded.guessed]).toEqual(['utf8', false]);
    const text = await readAll(decoded.stream);
    expect(text.endsWith('a;b\nMüller;1 €\n')).toBe(true);
    expect(text).toHaveLength(SNIFF_BYTES * 2 + 'Müller;1 €\n'.length);
    expect([decoded.encoding, decoded.guessed]).toEqual(['windows-1252', true]);
  });

  it('UTF-8 beyond ASCII and then bytes that are not: fails naming the file, the line and --encoding, no cell text', async () => {
    const data = Buffer.concat([Buffer.from(`Grüße;b\n${'a;b\n'.repeat(SNIFF_BYTES / 2)}`, 'utf8'), iconv.encode('Müller;1\n', 'windows-1252')]);
    const { stream, encoding } = await decodeStream(chunked(data, 8192).stream, { label: 'kunden.csv' });
    expect(encoding).toBe('utf8');
    const error = await readAll(stream).then(
      () => null,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(RejectedInputError);
    expect((error as Error).message).toBe(`kunden.csv line ${SNIFF_BYTES / 2 + 2}: the bytes are not valid UTF-8 (UTF-8 was read before); pass --encoding with the file's encoding, e.g. --encoding windows-1252.`);
    expect((error as Error).message).not.toContain('Müller');
  });

  it('UTF-8 characters beside bytes that are not UTF-8 in the sniffed start: refused, naming the line, until --encoding says', async () => {
    const data = Buffer.concat([Buffer.from('Vorname;Nachname\nÄnne;Früh\n', 'utf8'), iconv.encode('Jörg;Groß\n', 'windows-1252')]);
    await expect(decodeStream(Readable.from([data]), { label: 'mix.csv' })).rejects.toThrow(
      'mix.csv line 3: the text mixes UTF-8 characters with bytes that are not UTF-8 (Windows-1252?); pass --encoding utf8 or --encoding windows-1252 to say how it is written.',
    );
    const told = await decodeStream(Readable.from([data]), { encoding: 'windows-1252' });
    expect(await readAll(told.stream)).toBe('Vorname;Nachname\nÃ„nne;FrÃ¼h\nJörg;Groß\n');
    // Windows-1252 alone, and one accidental pair that happens to be UTF-8, are Windows-1252
    expect(mixedUtf8(iconv.encode('Jörg;Groß;Ä;€\n', 'windows-1252'))).toBeNull();
    expect(mixedUtf8(Buffer.concat([iconv.encode('Jörg\n', 'windows-1252'), Buffer.from([0xc3, 0xa4, 0x0a])]))).toBeNull();
    expect(mixedUtf8(Buffer.from('Grüße\n', 'utf8'))).toBeNull();
  });

  it('a file told to be UTF-8 (a BOM) does not fall back', async () => {
    const data = Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from('a;b\n'.repeat(SNIFF_BYTES / 2)), iconv.encode('Müller\n', 'windows-1252')]);
    const { stream } = await decodeStream(chunked(data, 8192).stream);
    await expect(readAll(stream)).rejects.toThrow(/not valid UTF-8/);
  });

  it('takes --encoding over the guess, and drops a matching BOM', async () => {
    const latin = await decodeStream(Readable.from([iconv.encode('Grüße', 'windows-1252')]), { encoding: 'CP1252' });
    expect([latin.encoding, latin.guessed]).toEqual(['cp1252', false]);
    expect(await readAll(latin.stream)).toBe('Grüße');
    const utf8 = await decodeStream(Readable.from([fixture('utf8-bom.csv')]), { encoding: 'UTF-8' });
    expect((await readAll(utf8.stream)).startsWith('First Name')).toBe(true);
    const utf16 = await decodeStream(Readable.from([fixture('utf16le-tab.txt')]), { encoding: 'utf-16' });
    expect((await readAll(utf16.stream)).startsWith('Vorname\t')).toBe(true);
  });

  it('rejects an encoding it does not know', async () => {
    await expect(decodeStream(Readable.from([Buffer.from('a')]), { encoding: 'klingon-8' })).rejects.toThrow(UsageError);
  });

  it('passes an error of the input on to the decoded stream', async () => {
    const early = new Readable({
      read() {
        this.destroy(new Error('disk on fire'));
      },
    });
    await expect(decodeStream(early).then((d) => readAll(d.stream))).rejects.toThrow('disk on fire');
    const late = Readable.from(
      (function* () {
        yield Buffer.alloc(SNIFF_BYTES + 10, 'a');
        throw new Error('cable pulled');
      })(),
      { objectMode: false },
    );
    const { stream } = await decodeStream(late);
    await expect(readAll(stream)).rejects.toThrow('cable pulled');
  });

  it('handles an empty input', async () => {
    const { stream, encoding } = await decodeStream(Readable.from([]));
    expect(encoding).toBe('utf8');
    expect(await readAll(stream)).toBe('');
  });
});

describe('sniffCsv', () => {
  it('decodes and finds the delimiter and an Excel sep= line, keeping all text', async () => {
    const result = await sniffCsv(Readable.from([fixture('excel-sep.csv')]));
    expect([result.encoding, result.delimiter, result.sepLine]).toEqual(['utf8', ';', true]);
    expect(await readAll(result.stream)).toBe('sep=;\r\nVorname;Nachname;PLZ;Ort;Umsatz\r\nJürgen;Müller;01067;Dresden;12,50\r\n');
  });

  it('sniffs a Windows-1252 `;` file', async () => {
    const result = await sniffCsv(chunked(fixture('german-excel.csv'), 100).stream);
    expect([result.encoding, result.guessed, result.delimiter, result.sepLine]).toEqual(['windows-1252', true, ';', false]);
    expect(await readAll(result.stream)).toContain('01067;Dresden');
  });

  it('takes --delimiter over the guess', async () => {
    const result = await sniffCsv(Readable.from([Buffer.from('a,b;c\n')]), { delimiter: 'tab' });
    expect(result.delimiter).toBe('\t');
  });
});

describe('explicitDelimiter', () => {
  it.each([
    [';', ';'],
    [',', ','],
    ['tab', '\t'],
    ['TAB', '\t'],
    ['\\t', '\t'],
    ['\t', '\t'],
    ['|', '|'],
  ])('%j → %j', (text, expected) => {
    expect(explicitDelimiter(text)).toBe(expected);
  });
  it.each(['', ';;', '"', '\n'])('rejects %j', (text) => {
    expect(() => explicitDelimiter(text)).toThrow(UsageError);
  });
});
