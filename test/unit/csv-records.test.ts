/**
 * csv-records.ts against csv-parse 6.2.0, which it replaces: the same records, line numbers, raw
 * text and errors, whatever the chunking.
 *
 * Three oracles:
 * - csv-parse itself, with exactly the options csv-source.ts gave it: cells, error codes and the
 *   error's `lines`.
 * - csv-source.ts's old way to get `line` and `raw` from csv-parse's `raw` (copied below). It
 *   strips every line break at a record's start or end, data or not, so it is compared where no
 *   record starts or ends with a CR or LF that is data (mixed line endings at a record's edge).
 * - Positions: csv-parse tells where each record ends (`info.bytes`); the record's text is what
 *   lies between the previous end and its own, less blank lines before and the record delimiter
 *   after, and its line is 1 + the line breaks before it. This holds for every text.
 */
import { Readable } from 'node:stream';
import { Parser } from 'csv-parse';
import { describe, expect, it } from 'vitest';
import { RejectedInputError } from '../../src/errors.js';
import { type CsvRecord, CsvRecords, CsvRecordsError, type RecordDelimiter, recordCells } from '../../src/io/csv-records.js';
import { MAX_RECORD_CHARS, openCsvSource } from '../../src/io/csv-source.js';
import { random } from '../seeded-random.js';

interface Options {
  delimiter: string;
  sepLine?: boolean;
  max?: number;
}

interface Outcome {
  records: { line: number; cells: string[]; raw: string }[];
  error?: { code: string; lines: number };
}


/**
 * The new parser, fed `text` cut at `cuts`, reading `readMax()` records at a time (reads between
 * pushes too, as csv-source does).
 */
function ours(text: string, options: Options, cuts: number[] = [], readMax: () => number = () => Infinity, bridge?: number): Outcome {
  const parser = new CsvRecords({ delimiter: options.delimiter, skipFirstLine: options.sepLine, maxRecordChars: options.max ?? MAX_RECORD_CHARS, bridge });
  const records: CsvRecord[] = [];
  const drain = () => {
    for (;;) {
      const max = readMax();
      const before = records.length;
      parser.read(records, max);
      if (records.length - before < max) return;
    }
  };
  try {
    let at = 0;
    for (const cut of [...cuts, text.length]) {
      parser.push(text.slice(at, cut));
      at = cut;
      drain();
    }
    parser.end();
    drain();
  } catch (err) {
    if (!(err instanceof CsvRecordsError)) throw err;
    // a broken parser stays broken
    expect(() => parser.read([])).toThrow(err);
    readAgain(records, options.delimiter, parser.recordDelimiter);
    return { records: records.map(plain), error: { code: err.code, lines: err.lines } };
  }
  readAgain(records, options.delimiter, parser.recordDelimiter);
  return { records: records.map(plain) };
}

/** Each record's raw text read again alone gives its cells (what an import's main thread does with a row the worker sent unmapped). */
function readAgain(records: CsvRecord[], delimiter: string, rd: RecordDelimiter | null): void {
  if (rd === null) return; // no line break outside quotes yet: the worker sends every row mapped
  for (const r of records) expect(recordCells(r.raw, delimiter, rd), JSON.stringify(r.raw)).toEqual(r.cells);
}

const plain = (r: CsvRecord) => ({ line: r.line, cells: r.cells, raw: r.raw });

interface Parsed {
  cells: string[];
  /** csv-parse's raw: blank lines before, the record delimiter's first character after. */
  raw: string;
  /** Where the record (and its delimiter) ends, in characters. */
  end: number;
}

/**
 * csv-parse with csv-source.ts's old options, the whole text in one call (as csv-parse/sync does);
 * the records before an error too, and the record delimiter it found.
 */
function theirs(text: string, options: Options, overrides: Record<string, unknown> = {}): { records: Parsed[]; error?: { code: string; lines: number }; rd: string | null } {
  const bytes = Buffer.from(text, 'utf8');
  // byte offset → character offset (csv-parse counts bytes)
  const charAt = new Map<number, number>([[0, 0]]);
  for (let i = 0, b = 0; i < text.length; ) {
    const cp = text.codePointAt(i)!;
    b += Buffer.byteLength(String.fromCodePoint(cp));
    i += cp > 0xffff ? 2 : 1;
    charAt.set(b, i);
  }
  const parser = new Parser({
    delimiter: options.delimiter,
    from_line: options.sepLine ? 2 : 1,
    relax_column_count: true,
    relax_quotes: true,
    skip_empty_lines: true,
    max_record_size: options.max ?? MAX_RECORD_CHARS,
    info: true,
    raw: true,
    ...overrides,
  });
  const api = (parser as unknown as { api: CsvParseApi }).api;
  const records: Parsed[] = [];
  const err = api.parse(bytes, true, (r) => {
    const end = charAt.get(r.info.bytes);
    if (end === undefined) throw new Error(`csv-parse ended a record inside a character (byte ${r.info.bytes})`);
    records.push({ cells: r.record, raw: r.raw, end });
  }, () => {});
  const found = api.options.record_delimiter[0];
  const rd = found ? found.toString('utf8') : null;
  if (err === undefined) return { records, rd };
  if (!err.code?.startsWith('CSV_')) throw err;
  return { records, error: { code: err.code, lines: err.lines! }, rd };
}

/** What csv-parse's Parser calls to parse (its `api`); calling it directly keeps it synchronous. */
interface CsvParseApi {
  parse(
    buf: Buffer | undefined,
    end: boolean,
    push: (r: { record: string[]; raw: string; info: { bytes: number } }) => void,
    close: () => void,
  ): (Error & { code?: string; lines?: number }) | undefined;
  options: { record_delimiter: Buffer[] };
}

/** csv-source.ts before csv-records.ts: `line` and `raw` from csv-parse's raw (the header's line the same way). */
function oldLineRaw(raws: string[], sepLine: boolean): { line: number; raw: string }[] {
  const lineBreaks = (text: string) => text.match(/\r\n|\n|\r/g)?.length ?? 0;
  const trimRecord = (raw: string) => raw.replace(/^(?:\r\n|\n|\r)+/, '').replace(/(?:\r\n|\n|\r)$/, '');
  let linesBefore = sepLine ? 1 : 0;
  return raws.map((raw) => {
    const leading = /^(?:\r\n|\n|\r)*/.exec(raw)![0];
    const line = linesBefore + lineBreaks(leading) + 1;
    linesBefore += lineBreaks(raw);
    return { line, raw: trimRecord(raw) };
  });
}

/** `line` and `raw` from where csv-parse ended each record (see the file's comment). */
function positionLineRaw(text: string, options: Options, records: Parsed[], rd: string | null): { line: number; raw: string }[] {
  let prev = sepLineEnd(text, options);
  // line breaks before `at`, counted on as `at` moves on: a CR, or an LF not after a CR (what
  // /\r\n|\n|\r/g counts in text.slice(0, at))
  let counted = 0;
  let lines = 0;
  const breaksBefore = (at: number) => {
    for (; counted < at; counted++) {
      const c = text[counted];
      if (c === '\r' || (c === '\n' && text[counted - 1] !== '\r')) lines++;
    }
    return lines;
  };
  return records.map((r) => {
    // blank lines are record delimiters before it; a record never ends at the end of the input
    // with what would be a record delimiter (outside quotes it would have been one)
    let from = prev;
    while (rd !== null && text.startsWith(rd, from) && from < r.end) from += rd.length;
    let to = r.end;
    if (rd !== null && text.slice(from, to).endsWith(rd)) to -= rd.length;
    prev = r.end;
    return { line: 1 + breaksBefore(from), raw: text.slice(from, to) };
  });
}

const breaks = (t: string) => t.match(/\r\n|\n|\r/g)?.length ?? 0;

/** Where the dropped `sep=` record ends: csv-parse's first record when none is dropped (even a blank one). */
function sepLineEnd(text: string, options: Options): number {
  if (!options.sepLine) return 0;
  const first = theirs(text, options, { from_line: 1, skip_empty_lines: false, max_record_size: 0 }).records[0];
  return first ? first.end : text.length;
}

/** Compares ours with all three oracles; returns whether the old way was compared too. */
/**
 * Where the record that never closes its quote starts: after the last record csv-parse ended and
 * the blank lines after it. We name this line; csv-parse named the end of the file.
 */
function unclosedRecordLine(text: string, options: Options, want: { records: Parsed[]; rd: string | null }): number {
  let at = want.records.length > 0 ? want.records[want.records.length - 1]!.end : options.sepLine ? sepLineEnd(text, options) : 0;
  if (at >= text.length && want.records.length === 0) return 1; // the `sep=` record itself never closes
  while (want.rd !== null && text.startsWith(want.rd, at)) at += want.rd.length;
  return 1 + breaks(text.slice(0, at));
}

function compare(text: string, options: Options, got: Outcome, label = ''): boolean {
  const want = theirs(text, options);
  if (want.error?.code === 'CSV_QUOTE_NOT_CLOSED') want.error.lines = unclosedRecordLine(text, options, want);
  const where = `${label} ${JSON.stringify(text)} ${JSON.stringify(options)}`;
  expect(got.error, where).toEqual(want.error);
  expect(got.records.map((r) => r.cells), where).toEqual(want.records.map((r) => r.cells));
  const positions = positionLineRaw(text, options, want.records, want.rd);
  expect(got.records.map((r) => ({ line: r.line, raw: r.raw })), where).toEqual(positions);
  // the old way: not where data line breaks start or end a record, nor where the dropped `sep=`
  // record is not one line (it took it for one; a quote after `sep=,` can make it more)
  const edgy = got.records.some((r) => /^[\r\n]|[\r\n]$/.test(r.raw)) || (options.sepLine === true && breaks(text.slice(0, sepLineEnd(text, options))) !== 1);
  if (!edgy) expect(got.records.map((r) => ({ line: r.line, raw: r.raw })), where).toEqual(oldLineRaw(want.records.map((r) => r.raw), options.sepLine ?? false));
  return !edgy;
}

describe('CsvRecords: hand cases', () => {
  const cases: { name: string; text: string; options?: Partial<Options>; records?: [number, string[], string][]; error?: [string, number] }[] = [
    { name: 'plain LF', text: 'a,b\nc,d\n', records: [[1, ['a', 'b'], 'a,b'], [2, ['c', 'd'], 'c,d']] },
    { name: 'no final line break', text: 'a,b\nc,d', records: [[1, ['a', 'b'], 'a,b'], [2, ['c', 'd'], 'c,d']] },
    { name: 'CRLF', text: 'a,b\r\nc,d\r\n', records: [[1, ['a', 'b'], 'a,b'], [2, ['c', 'd'], 'c,d']] },
    { name: 'CR (old Mac)', text: 'a,b\rc,d\r', records: [[1, ['a', 'b'], 'a,b'], [2, ['c', 'd'], 'c,d']] },
    {
      name: 'CRLF inside quotes counts one line',
      text: 'h\r\n"x\r\ny"\r\nz\r\n',
      records: [[1, ['h'], 'h'], [2, ['x\r\ny'], '"x\r\ny"'], [4, ['z'], 'z']],
    },
    { name: 'LF inside quotes', text: 'a,"1\n2\n3",b\nc\n', records: [[1, ['a', '1\n2\n3', 'b'], 'a,"1\n2\n3",b'], [4, ['c'], 'c']] },
    {
      name: 'the record delimiter is the first line break outside quotes',
      text: '"x\ry"\nb\rc\n',
      records: [[1, ['x\ry'], '"x\ry"'], [3, ['b\rc'], 'b\rc']],
    },
    {
      name: 'LF file: a lone CR is data and a line',
      text: 'h\na\rb,c\nd\n',
      records: [[1, ['h'], 'h'], [2, ['a\rb', 'c'], 'a\rb,c'], [4, ['d'], 'd']],
    },
    {
      name: 'CRLF file: a lone LF is data and a line',
      text: 'a\r\nb\nc\r\nd\r\n',
      records: [[1, ['a'], 'a'], [2, ['b\nc'], 'b\nc'], [4, ['d'], 'd']],
    },
    {
      name: 'LF file: a CR before the LF is data, kept in raw',
      text: 'a\nb\r\nc\n',
      records: [[1, ['a'], 'a'], [2, ['b\r'], 'b\r'], [3, ['c'], 'c']],
    },
    {
      name: 'CR file: an LF after the CR starts the next record, on the next line',
      text: 'a\rb\r\nc\r',
      records: [[1, ['a'], 'a'], [2, ['b'], 'b'], [3, ['\nc'], '\nc']],
    },
    {
      name: 'blank lines are skipped and counted',
      text: '\n\na,b\n\n\nc\n\n',
      records: [[3, ['a', 'b'], 'a,b'], [6, ['c'], 'c']],
    },
    { name: 'blank CRLF lines', text: '\r\na\r\n\r\n\r\nb', records: [[2, ['a'], 'a'], [5, ['b'], 'b']] },
    { name: '"" alone is a record of one empty cell', text: 'h\n""\n\n""', records: [[1, ['h'], 'h'], [2, [''], '""'], [4, [''], '""']] },
    { name: 'a delimiter alone is two empty cells', text: 'h\n,\n', records: [[1, ['h'], 'h'], [2, ['', ''], ',']] },
    { name: 'escaped quotes', text: '"a""b",""""\n', records: [[1, ['a"b', '"'], '"a""b",""""']] },
    { name: 'relaxed: text after a closing quote', text: '"abc"def,x\n', records: [[1, ['"abc"def', 'x'], '"abc"def,x']] },
    { name: 'relaxed: escaped quote kept unescaped', text: '"a""b"c,d', records: [[1, ['"a"b"c', 'd'], '"a""b"c,d']] },
    { name: 'relaxed: quote after a space', text: '"a" ,b\n', records: [[1, ['"a" ', 'b'], '"a" ,b']] },
    { name: 'a quote inside an unquoted cell is a character', text: 'ab"c,d"\n', records: [[1, ['ab"c', 'd"'], 'ab"c,d"']] },
    { name: 'a quote after a NUL closes (csv-parse tests the byte for falsiness)', text: '"b"\0c,d', records: [[1, ['b\0c', 'd'], '"b"\0c,d']] },
    { name: 'LF file: a quote before a CR relaxes', text: 'h\n"a"\rb\n', records: [[1, ['h'], 'h'], [2, ['"a"\rb'], '"a"\rb']] },
    { name: 'quoted cell closed by the end', text: 'a,"b"', records: [[1, ['a', 'b'], 'a,"b"']] },
    { name: 'empty text', text: '', records: [] },
    { name: 'blank lines only', text: '\n\n', records: [] },
    { name: 'LF file: a CR alone on a line is a record', text: '\n\r\n', records: [[2, ['\r'], '\r']] },
    {
      name: "Excel's sep= line is dropped and counted",
      text: 'sep=;\r\na;b\r\n\r\nc;"d\r\ne"\r\n',
      options: { delimiter: ';', sepLine: true },
      records: [[2, ['a', 'b'], 'a;b'], [4, ['c', 'd\r\ne'], 'c;"d\r\ne"']],
    },
    { name: 'quoted sep= line', text: '"sep=,"\na,b\n', options: { sepLine: true }, records: [[2, ['a', 'b'], 'a,b']] },
    { name: 'sep= line alone', text: 'sep=,', options: { sepLine: true }, records: [] },
    {
      name: 'a quote after sep=, stretches the dropped record (csv-parse from_line: 2); lines are counted',
      text: 'sep=,"\na"\nb,c\n',
      options: { sepLine: true },
      records: [[3, ['b', 'c'], 'b,c']],
    },
    { name: 'tab', text: 'a\tb\n"c\td"\te\n', options: { delimiter: '\t' }, records: [[1, ['a', 'b'], 'a\tb'], [2, ['c\td', 'e'], '"c\td"\te']] },
    // the line the record starts on (csv-parse named the end of the file: 4, 6 and 2 here)
    { name: 'unclosed quote: the line its record starts on', text: 'a,b\n"c\nd\ne,f\n', error: ['CSV_QUOTE_NOT_CLOSED', 2], records: [[1, ['a', 'b'], 'a,b']] },
    { name: 'unclosed quote after CRLF lines', text: 'a\r\n\r\n"b\r\nc\r\nd', error: ['CSV_QUOTE_NOT_CLOSED', 3], records: [[1, ['a'], 'a']] },
    { name: 'unclosed quote ending with a line break', text: '"a\r\n', error: ['CSV_QUOTE_NOT_CLOSED', 1] },
    { name: 'too long: limit + 1 is fine', text: 'abcdef\nx\n', options: { max: 5 }, records: [[1, ['abcdef'], 'abcdef'], [2, ['x'], 'x']] },
    { name: 'too long: limit + 2 is not', text: 'x\nabcdefg\n', options: { max: 5 }, records: [[1, ['x'], 'x']], error: ['CSV_MAX_RECORD_SIZE', 2] },
    { name: 'too long across cells', text: 'ab,cd,e\n', options: { max: 3 }, error: ['CSV_MAX_RECORD_SIZE', 1] },
    { name: 'too long: lines inside quotes before the failing character', text: 'x\r\n"ab\r\ncd\r\nef"gh\n', options: { max: 6 }, records: [[1, ['x'], 'x']], error: ['CSV_MAX_RECORD_SIZE', 5] },
  ];
  for (const c of cases) {
    const options: Options = { delimiter: ',', ...c.options };
    it(c.name, () => {
      const got = ours(c.text, options);
      expect(got.records.map((r) => [r.line, r.cells, r.raw])).toEqual(c.records ?? []);
      expect(got.error && [got.error.code, got.error.lines]).toEqual(c.error);
      compare(c.text, options, got);
      // cut at every position, and a character at a time, with one record read at a time
      for (let cut = 0; cut <= c.text.length; cut++) expect(ours(c.text, options, [cut]), `cut at ${cut}`).toEqual(got);
      const each = Array.from({ length: c.text.length }, (_, i) => i);
      expect(ours(c.text, options, each, () => 1)).toEqual(got);
      expect(ours(c.text, options, each, () => 1, 1)).toEqual(got);
    });
  }

  it('a delimiter of two UTF-16 units, and one of two UTF-8 bytes (csv-parse garbles raw: not copied)', () => {
    for (const delimiter of ['😀', '§']) {
      const text = `a${delimiter}"b${delimiter}c"\r\nd${delimiter}e${delimiter}\r\n`;
      const got = ours(text, { delimiter });
      expect(got.records).toEqual([
        { line: 1, cells: ['a', `b${delimiter}c`], raw: `a${delimiter}"b${delimiter}c"` },
        { line: 2, cells: ['d', 'e', ''], raw: `d${delimiter}e${delimiter}` },
      ]);
      const want = theirs(text, { delimiter });
      expect(want.records.map((r) => r.cells)).toEqual(got.records.map((r) => r.cells));
      expect(want.records[0]!.raw).toContain('\ufffd');
      for (let cut = 0; cut <= text.length; cut++) expect(ours(text, { delimiter }, [cut])).toEqual(got);
    }
  });

  it('a record delimiter of the sep= line decides for the file', () => {
    const got = ours('sep=;\nA;B\r\nc;d\r\n', { delimiter: ';', sepLine: true });
    expect(got.records).toEqual([
      { line: 2, cells: ['A', 'B\r'], raw: 'A;B\r' },
      { line: 3, cells: ['c', 'd\r'], raw: 'c;d\r' },
    ]);
  });
});

describe('CsvRecords: differential fuzz against csv-parse', () => {
  // CSV_FUZZ=20 runs twenty times as many texts, from other seeds
  const SCALE = Number(process.env.CSV_FUZZ ?? 1);
  const DELIMITERS = [',', ';', '\t', '|'];

  function text(rnd: () => number, alphabet: string[], length: number): string {
    let s = '';
    for (let i = 0; i < length; i++) s += alphabet[Math.floor(rnd() * alphabet.length)]!;
    return s;
  }

  function cutsOf(rnd: () => number, length: number): number[] {
    const cuts: number[] = [];
    const mode = rnd();
    if (mode < 0.2) return cuts;
    if (mode < 0.4) return Array.from({ length }, (_, i) => i); // a character at a time
    for (let at = 0; ; ) {
      at += 1 + Math.floor(rnd() * 8);
      if (at >= length) return cuts;
      cuts.push(at);
    }
  }

  const reads = (rnd: () => number) => (rnd() < 0.5 ? () => Infinity : () => 1 + Math.floor(rnd() * 3));

  function run(seed: number, count: number, make: (rnd: () => number) => { text: string; options: Options }): { compared: number; old: number } {
    const rnd = random(seed * SCALE);
    let old = 0;
    count *= SCALE;
    for (let k = 0; k < count; k++) {
      const { text: t, options } = make(rnd);
      const whole = ours(t, options);
      if (compare(t, options, whole, `#${k}`)) old++;
      const cuts = cutsOf(rnd, t.length);
      const bridge = rnd() < 0.5 ? 1 + Math.floor(rnd() * 3) : undefined;
      expect(ours(t, options, cuts, reads(rnd), bridge), `#${k} ${JSON.stringify(t)} cut at ${cuts}, bridge ${bridge}`).toEqual(whole);
    }
    return { compared: count, old };
  }

  it('mixed line endings, quotes, NUL, umlauts and a random delimiter', () => {
    const alphabet = ['a', 'b', ',', ';', '"', '"', '\r', '\n', '\n', 'ä', '\t', ' ', '|', '\0', '😀'];
    const { compared, old } = run(20240229, 6000, (rnd) => ({
      text: text(rnd, alphabet, Math.floor(rnd() * 24)),
      options: { delimiter: DELIMITERS[Math.floor(rnd() * DELIMITERS.length)]! },
    }));
    // the old way is the yardstick for most of them (see compare)
    expect(old).toBeGreaterThan(compared / 2);
  });

  it('one kind of line ending per text: the old way holds for all', () => {
    const { compared, old } = run(7, 3000, (rnd) => {
      const eol = ['\n', '\r\n', '\r'][Math.floor(rnd() * 3)]!;
      const alphabet = ['a', 'b', ',', ';', '"', '"', eol, eol, 'ö', ' '];
      return { text: text(rnd, alphabet, Math.floor(rnd() * 30)), options: { delimiter: rnd() < 0.5 ? ',' : ';' } };
    });
    expect(old).toBe(compared);
  });

  it('texts that look like CSV: cells, quoted cells with line breaks, blank lines', () => {
    run(42, 1500, (rnd) => {
      const eol = ['\n', '\r\n', '\r'][Math.floor(rnd() * 3)]!;
      const delimiter = DELIMITERS[Math.floor(rnd() * DELIMITERS.length)]!;
      const cell = () => {
        const r = rnd();
        const plain = text(rnd, ['x', 'y', 'ü', ' '], Math.floor(rnd() * 4));
        if (r < 0.6) return plain;
        if (r < 0.9) return `"${text(rnd, ['x', '""', delimiter, eol, '\n', 'ß'], Math.floor(rnd() * 5))}"`;
        return `"${plain}"${plain}`; // relaxed
      };
      const lines: string[] = [];
      for (let i = Math.floor(rnd() * 6); i >= 0; i--) {
        lines.push(rnd() < 0.15 ? '' : Array.from({ length: 1 + Math.floor(rnd() * 4) }, cell).join(delimiter));
      }
      let t = lines.join(eol) + (rnd() < 0.5 ? eol : '');
      const sepLine = rnd() < 0.3;
      if (sepLine) t = `${rnd() < 0.5 ? `sep=${delimiter}` : `"sep=${delimiter}"`}${eol}${t}`;
      return { text: t, options: { delimiter, sepLine } };
    });
  });

  it('sep= lines before random text', () => {
    const alphabet = ['a', ',', ';', '"', '\r', '\n', 'ä'];
    run(1903, 2000, (rnd) => {
      const delimiter = rnd() < 0.5 ? ',' : ';';
      const prefix = [`sep=${delimiter}\n`, `sep=${delimiter}\r\n`, `"sep=${delimiter}"\r`, `sep=${delimiter}`][Math.floor(rnd() * 4)]!;
      return { text: prefix + text(rnd, alphabet, Math.floor(rnd() * 16)), options: { delimiter, sepLine: true } };
    });
  });

  it('a small record size limit: the same records before the error, the same line', () => {
    // ASCII only: csv-parse counts the bytes of the cell being read, csv-records characters
    const alphabet = ['a', 'b', 'c', ',', '"', '"', '\r', '\n', '\n', ' ', '\0'];
    run(99, 4000, (rnd) => ({
      text: text(rnd, alphabet, Math.floor(rnd() * 30)),
      // (0 would be no limit for csv-parse)
      options: { delimiter: ',', max: 1 + Math.floor(rnd() * 8), sepLine: rnd() < 0.2 },
    }));
  });

  it('runs of blank lines and a small limit', () => {
    run(11, 2000, (rnd) => {
      const eol = ['\n', '\r\n', '\r'][Math.floor(rnd() * 3)]!;
      return {
        text: text(rnd, [eol, eol, eol, eol, 'a', ',', '"', '\r', '\n'], Math.floor(rnd() * 24)),
        options: { delimiter: ',', max: 1 + Math.floor(rnd() * 4), sepLine: rnd() < 0.2 },
      };
    });
  });
});

describe('CsvRecords: long texts in big chunks (bridges between chunks)', () => {
  function longText(rnd: () => number, rows: number): string {
    const parts: string[] = [];
    for (let i = 0; i < rows; i++) {
      const r = rnd();
      if (r < 0.02) parts.push(`x,"${'long '.repeat(Math.floor(rnd() * 5000))}\r\nmore"\n`); // longer than a bridge
      else if (r < 0.1) parts.push(`"q""uoted\n${i}",b\r`); // data CR (LF file)
      else if (r < 0.15) parts.push('\n');
      else parts.push(`row${i},Müller ${i},"a, b",${'z'.repeat(Math.floor(rnd() * 40))}\n`);
    }
    return parts.join('');
  }

  it('the same as csv-parse, cut anywhere', () => {
    const rnd = random(5);
    for (let k = 0; k < 4; k++) {
      const t = longText(rnd, 2000);
      const whole = ours(t, { delimiter: ',' });
      compare(t, { delimiter: ',' }, whole, `long #${k}`);
      for (const bridge of [undefined, 64, 1000]) {
        const cuts: number[] = [];
        for (let at = 0; ; ) {
          at += 1 + Math.floor(rnd() * 100_000);
          if (at >= t.length) break;
          cuts.push(at);
        }
        expect(ours(t, { delimiter: ',' }, cuts, () => 1 + Math.floor(rnd() * 300), bridge)).toEqual(whole);
      }
    }
  });

  it('a record longer than the limit fails before the rest is read, wherever the chunks end', () => {
    const max = 1000;
    const t = `a,b\n1,"${'x'.repeat(50_000)}"\n2,3\n`;
    for (const size of [7, 100, 999, 4096]) {
      const parser = new CsvRecords({ delimiter: ',', maxRecordChars: max, bridge: 16 });
      const out: CsvRecord[] = [];
      let pushed = 0;
      let failed: unknown = null;
      for (let at = 0; at < t.length && failed === null; at += size) {
        parser.push(t.slice(at, at + size));
        pushed = Math.min(t.length, at + size);
        try {
          parser.read(out);
        } catch (err) {
          failed = err;
        }
      }
      expect(failed).toBeInstanceOf(CsvRecordsError);
      expect((failed as CsvRecordsError).code).toBe('CSV_MAX_RECORD_SIZE');
      expect((failed as CsvRecordsError).lines).toBe(2);
      expect(out.map((r) => r.cells)).toEqual([['a', 'b']]);
      // it held at most a few times the limit, not the 50,000 characters
      expect(pushed).toBeLessThan(5 * max + size);
    }
  });

  it('blank lines before a chunk that ends in a CR are not part of the next record', () => {
    // (they were counted as its characters, a record too long)
    const t = `h\r\n${'\r\n'.repeat(10)}x\r\n`;
    const want = ours(t, { delimiter: ',', max: 5 });
    expect(want.records.map((r) => [r.line, r.raw])).toEqual([[1, 'h'], [12, 'x']]);
    for (let cut = 0; cut <= t.length; cut++) expect(ours(t, { delimiter: ',', max: 5 }, [cut])).toEqual(want);
  });

  it('a file without line breaks fails fast', () => {
    const parser = new CsvRecords({ delimiter: ',', maxRecordChars: MAX_RECORD_CHARS });
    let pushed = 0;
    expect(() => {
      for (;;) {
        parser.push('abcdefghij'.repeat(6_553)); // ~64 KiB, as a stream would hand it
        pushed += 65_530;
        parser.read([]);
      }
    }).toThrow(CsvRecordsError);
    expect(pushed).toBeLessThan(3 * MAX_RECORD_CHARS);
  });
});

describe('openCsvSource', () => {
  const source = (text: string | Buffer, chunk = 5) =>
    Readable.from(
      (function* () {
        const b = Buffer.from(text);
        for (let i = 0; i < b.length; i += chunk) yield b.subarray(i, i + chunk);
      })(),
      { objectMode: false },
    );

  async function rows(text: string | Buffer, chunk?: number) {
    const s = await openCsvSource(source(text, chunk), 'f.csv', {});
    const got: { line: number; cells: string[]; raw: string }[] = [];
    let error: unknown = null;
    try {
      for await (const r of s.rows) got.push(r);
    } catch (err) {
      error = err;
    }
    return { s, got, error };
  }

  it('header, rows, lines, raw; a BOM and a sep= line are not text', async () => {
    const { s, got, error } = await rows(Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from('sep=;\r\nname;city\r\n\r\n"Eva\r\nLang";Görlitz\r\nJo;Köln')]));
    expect(error).toBeNull();
    expect(s.headers).toEqual(['name', 'city']);
    expect(s.headerRaw).toBe('name;city');
    expect(s.delimiter).toBe(';');
    expect(got).toEqual([
      { line: 4, cells: ['Eva\r\nLang', 'Görlitz'], raw: '"Eva\r\nLang";Görlitz' },
      { line: 6, cells: ['Jo', 'Köln'], raw: 'Jo;Köln' },
    ]);
  });

  it('rows before an unclosed quote come first, then the message with the line', async () => {
    const body = Array.from({ length: 600 }, (_, i) => `p${i},x`).join('\n');
    for (const chunk of [3, 1000, 1 << 20]) {
      const { got, error } = await rows(`a,b\n${body}\nq,"open\nr,s\n`, chunk);
      expect(got).toHaveLength(600);
      expect(got.at(-1)).toEqual({ line: 601, cells: ['p599', 'x'], raw: 'p599,x' });
      expect(error).toBeInstanceOf(RejectedInputError);
      expect((error as Error).message).toBe('f.csv line 602: a quoted cell is never closed; check for a stray double quote.');
    }
  });

  it('a record over the limit: the message of before', async () => {
    const { error } = await rows(`a\n"${'x'.repeat(MAX_RECORD_CHARS + 2)}"\n`, 1 << 16);
    expect((error as Error).message).toBe('f.csv line 2: a record is longer than 1,000,000 characters; is this really a CSV file?');
  });

  it('a reader that stops early releases the input', async () => {
    let released = false;
    const input = Readable.from(
      (function* () {
        try {
          yield Buffer.from('a,b\n');
          for (let i = 0; i < 10_000; i++) yield Buffer.from(`${i},${'x'.repeat(100)}\n`);
        } finally {
          released = true;
        }
      })(),
      { objectMode: false },
    );
    const s = await openCsvSource(input, 'f.csv', {});
    let n = 0;
    for await (const _ of s.rows) if (++n === 3) break;
    await new Promise((r) => setImmediate(r));
    expect(released).toBe(true);
    expect(await s.rows[Symbol.asyncIterator]().next()).toEqual({ value: undefined, done: true });
  });

  it('next() called again before the last one settled: rows in order, once each', async () => {
    const body = Array.from({ length: 1000 }, (_, i) => `${i},x`).join('\n');
    const s = await openCsvSource(source(`a,b\n${body}`, 777), 'f.csv', {});
    const it = s.rows[Symbol.asyncIterator]();
    const got = await Promise.all(Array.from({ length: 1002 }, () => it.next()));
    expect(got.slice(0, 1000).map((r) => r.value!.cells[0])).toEqual(Array.from({ length: 1000 }, (_, i) => String(i)));
    expect(got.slice(1000)).toEqual([{ value: undefined, done: true }, { value: undefined, done: true }]);
  });

  it('bytes that are not UTF-8 after the first chunk: the rows before, then the decoder error', async () => {
    const head = `a,b\nä,ö\n${'x,y\n'.repeat(40_000)}`; // past the sniffed 64 KiB, UTF-8 beyond ASCII before
    const { got, error } = await rows(Buffer.concat([Buffer.from(head), Buffer.from([0xff, 0x0a])]), 1 << 16);
    // (the decoder refuses the whole chunk with the bad byte: the rows of the chunks before it)
    expect(got.length).toBeGreaterThan(10_000);
    expect(got.at(-1)!.line).toBe(got.length + 1);
    expect((error as Error).message).toMatch(/line 40003: the bytes are not valid UTF-8/);
  });

  it('an empty file', async () => {
    await expect(openCsvSource(source(''), 'f.csv', {})).rejects.toThrow('f.csv is empty; a CSV needs a header line.');
    await expect(openCsvSource(source('\n\n'), 'f.csv', {})).rejects.toThrow('f.csv is empty');
  });
});
