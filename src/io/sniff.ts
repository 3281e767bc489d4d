/**
 * What a sheet's bytes are, decided from its first chunk: the encoding (SPEC.md "Files it reads
 * and writes": UTF-8 with or without BOM, UTF-16 as Excel's "Unicode text", Windows-1252) and the
 * CSV delimiter (`,` `;` tab `|`, or Excel's `sep=;` first line). Then a streaming decoder, so a
 * file of any size is read a chunk at a time and never whole.
 *
 * Choices:
 * - A BOM decides. Without one, the first chunk is checked as strict UTF-8 (no overlong forms, no
 *   surrogates, nothing past U+10FFFF); a character cut by the chunk's end is not held against
 *   it. Bytes that are not UTF-8 are Windows-1252, what Excel writes on Western-European Windows,
 *   and reported as a guess so the user sees it and can pass `--encoding`.
 * - Text without a BOM whose every other byte is NUL is UTF-16 (some tools drop the BOM); that is
 *   also reported as a guess.
 * - Windows-1252 and UTF-16 go through iconv-lite: Node's TextDecoder('latin1') is really
 *   ISO-8859-1 and maps 0x80–0x9F (€, „, “, ” …) to control characters.
 * - UTF-8 is decoded by a fatal TextDecoder. When bytes past the sniffed chunk turn out not to be
 *   UTF-8 and everything before them was ASCII (the same text in UTF-8 and Windows-1252), the
 *   guess was only ASCII's: the rest is read as Windows-1252, reported as guessed (an Excel sheet
 *   whose first umlaut comes after 64 KiB). After UTF-8 beyond ASCII the stream fails with a
 *   message naming the file, the line and `--encoding`, instead of quietly importing U+FFFD.
 */
import { isAscii } from 'node:buffer';
import { Readable, Transform, type TransformCallback, pipeline } from 'node:stream';
import iconv from 'iconv-lite';
import { RejectedInputError, UsageError } from '../errors.js';

export type SniffedEncoding = 'utf8' | 'utf16le' | 'utf16be' | 'windows-1252';
export type Delimiter = ',' | ';' | '\t' | '|';

export interface EncodingGuess {
  encoding: SniffedEncoding;
  /** Bytes of the byte order mark at the start (0 when there is none). */
  bomLength: number;
  /** True when no BOM decided it: Windows-1252 by elimination, or BOM-less UTF-16. */
  guessed: boolean;
}

/** How many bytes `decodeStream` looks at before deciding. */
export const SNIFF_BYTES = 64 * 1024;

/**
 * The encoding of a file from its first chunk. `complete` says the chunk is the whole file, so a
 * multi-byte character cut at its end is an error rather than the next chunk's business.
 */
export function sniffEncoding(firstChunk: Buffer, options: { complete?: boolean } = {}): EncodingGuess {
  const b = firstChunk;
  if (b.length >= 3 && b[0] === 0xef && b[1] === 0xbb && b[2] === 0xbf) {
    return { encoding: 'utf8', bomLength: 3, guessed: false };
  }
  if (b.length >= 2 && b[0] === 0xff && b[1] === 0xfe) return { encoding: 'utf16le', bomLength: 2, guessed: false };
  if (b.length >= 2 && b[0] === 0xfe && b[1] === 0xff) return { encoding: 'utf16be', bomLength: 2, guessed: false };
  const utf16 = bomlessUtf16(b);
  if (utf16) return { encoding: utf16, bomLength: 0, guessed: true };
  if (isUtf8(b, options.complete ?? false)) return { encoding: 'utf8', bomLength: 0, guessed: false };
  return { encoding: 'windows-1252', bomLength: 0, guessed: true };
}

/** How many continuation bytes a UTF-8 lead byte wants (1–3); 0 for a byte that leads nothing. */
export function utf8Continuations(lead: number): number {
  return lead >= 0xc2 && lead <= 0xdf ? 1 : lead >= 0xe0 && lead <= 0xef ? 2 : lead >= 0xf0 && lead <= 0xf4 ? 3 : 0;
}

/**
 * Strict UTF-8 (RFC 3629). When `complete` is false, a sequence that is valid so far but cut by
 * the end of the buffer counts as valid: the rest is in the next chunk.
 */
export function isUtf8(b: Uint8Array, complete: boolean): boolean {
  const n = b.length;
  let i = 0;
  while (i < n) {
    const c = b[i]!;
    if (c < 0x80) {
      i++;
      continue;
    }
    const need = utf8Continuations(c);
    if (need === 0) return false; // 0x80–0xC1 as a lead byte, 0xF5–0xFF
    let lo = 0x80;
    let hi = 0xbf;
    if (c === 0xe0) lo = 0xa0; // no overlong 3-byte forms
    if (c === 0xed) hi = 0x9f; // no UTF-16 surrogates
    if (c === 0xf0) lo = 0x90; // no overlong 4-byte forms
    if (c === 0xf4) hi = 0x8f; // nothing past U+10FFFF
    for (let k = 1; k <= need; k++) {
      if (i + k >= n) return !complete; // cut at the chunk's end
      const d = b[i + k]!;
      if (k === 1 ? d < lo || d > hi : d < 0x80 || d > 0xbf) return false;
    }
    i += need + 1;
  }
  return true;
}

/**
 * Text that is not UTF-8 as a whole but holds well-formed UTF-8 characters beyond ASCII (two or
 * more, so that a stray pair of Windows-1252 letters that happens to be UTF-8 does not count):
 * the line of the first byte that is not UTF-8; null for text that is one or the other.
 */
export function mixedUtf8(b: Uint8Array): { line: number } | null {
  let characters = 0;
  let firstBad = -1;
  for (let i = 0; i < b.length; ) {
    const c = b[i]!;
    if (c < 0x80) {
      i++;
      continue;
    }
    const need = utf8Continuations(c);
    let ok = need > 0 && i + need < b.length;
    for (let k = 1; ok && k <= need; k++) ok = b[i + k]! >= 0x80 && b[i + k]! <= 0xbf;
    if (ok && isUtf8(b.subarray(i, i + need + 1), true)) {
      characters++;
      i += need + 1;
    } else {
      if (firstBad < 0 && i + need < b.length) firstBad = i;
      i++;
    }
  }
  if (characters < 2 || firstBad < 0) return null;
  let line = 1;
  for (let i = 0; i < firstBad; i++) if (b[i] === 0x0a) line++;
  return { line };
}

/** UTF-16 without a BOM: in the first bytes, NUL in one byte of (nearly) every pair and not the other. */
function bomlessUtf16(b: Buffer): 'utf16le' | 'utf16be' | null {
  const pairs = Math.min(Math.floor(b.length / 2), 256);
  if (pairs < 2) return null;
  let evenNul = 0;
  let oddNul = 0;
  for (let i = 0; i < pairs; i++) {
    if (b[2 * i] === 0) evenNul++;
    if (b[2 * i + 1] === 0) oddNul++;
  }
  if (oddNul >= pairs * 0.9 && evenNul <= pairs * 0.1) return 'utf16le';
  if (evenNul >= pairs * 0.9 && oddNul <= pairs * 0.1) return 'utf16be';
  return null;
}

export interface DelimiterGuess {
  delimiter: Delimiter;
  /** The first line is Excel's `sep=X`: it names the delimiter and is not a record; skip it. */
  sepLine: boolean;
  /** The first line is DATEV's `"EXTF";700;…` header of the export, not a record (skip it): as read. */
  datevLine: string | null;
}

const CANDIDATES: readonly Delimiter[] = [',', ';', '\t', '|'];
const MAX_SNIFF_RECORDS = 50;
const SEP_LINE = /^\uFEFF?"?sep=(.)"?[ \t]*(?:\r\n|\n|\r|$)/i;
/** DATEV's format line above the header of its exports (EXTF; DTVF in older ones). */
const DATEV_LINE = /^\uFEFF?("?)(?:EXTF|DTVF)\1[;,][^\r\n]*/;

/**
 * The delimiter of CSV text from its first lines: the candidate that occurs (outside quotes) the
 * same number of times in every record, the header included, and most often; a last line cut by
 * the chunk's end is left out. An Excel `sep=X` first line decides by itself.
 * Ties go to `,` then `;`, tab, `|`; a file of one column is `,`.
 */
export function sniffDelimiter(firstLines: string): DelimiterGuess {
  const sep = SEP_LINE.exec(firstLines);
  if (sep) {
    const c = sep[1]!;
    if (!(CANDIDATES as readonly string[]).includes(c)) {
      throw new RejectedInputError(
        `The file's first line "sep=${c === '\t' ? '\\t' : c}" names a delimiter custfile does not read; use one of , ; tab or |.`,
      );
    }
    return { delimiter: c as Delimiter, sepLine: true, datevLine: null };
  }
  const datev = DATEV_LINE.exec(firstLines);
  if (datev) {
    const rest = firstLines.slice(datev[0].length).replace(/^(?:\r\n|\n|\r)/, '');
    return { delimiter: sniffDelimiter(rest).delimiter, sepLine: false, datevLine: datev[0].replace(/^\uFEFF/, '') };
  }
  let best: { delimiter: Delimiter; consistent: number; count: number } | null = null;
  for (const delimiter of CANDIDATES) {
    const counts = countPerRecord(firstLines, delimiter);
    const header = counts[0] ?? 0;
    if (header === 0) continue;
    const same = counts.filter((c) => c === header).length;
    const consistent = same / counts.length;
    if (
      best === null ||
      consistent > best.consistent ||
      (consistent === best.consistent && header > best.count)
    ) {
      best = { delimiter, consistent, count: header };
    }
  }
  return { delimiter: best?.delimiter ?? ',', sepLine: false, datevLine: null };
}

/**
 * Occurrences of `delimiter` outside quotes in each record (RFC 4180: a quote opens a field only
 * at its start; `""` inside is a quote). Blank lines are skipped; the last record is dropped when
 * the text does not end with a line break (it may be cut), unless it is the only one.
 */
function countPerRecord(text: string, delimiter: string): number[] {
  const counts: number[] = [];
  let count = 0;
  let inQuotes = false;
  let fieldStart = true;
  let recordEmpty = true;
  let i = 0;
  const n = text.length;
  while (i < n && counts.length < MAX_SNIFF_RECORDS) {
    const ch = text[i]!;
    if (inQuotes) {
      if (ch === '"') {
        if (text[i + 1] === '"') i++;
        else inQuotes = false;
      }
      i++;
      continue;
    }
    if (ch === '"' && fieldStart) {
      inQuotes = true;
      fieldStart = false;
      recordEmpty = false;
    } else if (ch === delimiter) {
      count++;
      fieldStart = true;
      recordEmpty = false;
    } else if (ch === '\n' || ch === '\r') {
      if (ch === '\r' && text[i + 1] === '\n') i++;
      if (!recordEmpty) counts.push(count);
      count = 0;
      fieldStart = true;
      recordEmpty = true;
    } else {
      fieldStart = false;
      recordEmpty = false;
    }
    i++;
  }
  if (!recordEmpty && (counts.length === 0 || i < n)) counts.push(count);
  return counts;
}

/** Decoded text; `encoding` and `guessed` may change while it is read (see StrictUtf8Decoder): read them at its end. */
export interface DecodedText {
  /** The file's text as UTF-8 strings, without the BOM. */
  stream: Readable;
  /** The encoding used: a sniffed one, or `--encoding` as given (lower case). */
  encoding: string;
  /** True when the encoding was guessed (see `sniffEncoding`); false when a BOM or `--encoding` decided. */
  guessed: boolean;
  /** The text began with a byte order mark (not part of the text). */
  bom: boolean;
}

/**
 * Peeks at the first 64 KiB of `input`, decides the encoding (or takes `options.encoding`) and
 * returns the text as a stream. Only the peeked chunk is ever held; the rest streams through.
 * Errors of `input` reach the returned stream. Throws UsageError for an unknown `--encoding`.
 */
export async function decodeStream(input: Readable, options: { encoding?: string; label?: string } = {}): Promise<DecodedText> {
  const override = options.encoding?.trim().toLowerCase();
  if (override !== undefined && override !== '' && !iconv.encodingExists(override)) {
    throw new UsageError(
      `--encoding "${options.encoding}" is not an encoding custfile knows; use utf8, utf16le, utf16be or windows-1252.`,
    );
  }
  const iterator = input[Symbol.asyncIterator]() as AsyncIterator<Buffer | string>;
  const head: Buffer[] = [];
  let headBytes = 0;
  let done = false;
  while (headBytes < SNIFF_BYTES) {
    const next = await iterator.next();
    if (next.done) {
      done = true;
      break;
    }
    const chunk = typeof next.value === 'string' ? Buffer.from(next.value, 'utf8') : next.value;
    head.push(chunk);
    headBytes += chunk.length;
  }
  const first = Buffer.concat(head, headBytes);
  const sniffed = sniffEncoding(first, { complete: done });

  let encoding: string;
  let guessed: boolean;
  let skip = 0;
  if (override !== undefined && override !== '') {
    encoding = override;
    guessed = false;
    // A BOM of the encoding the user named is still a BOM, not text.
    if (sniffed.bomLength > 0 && canonicalEncoding(override) === sniffed.encoding) skip = sniffed.bomLength;
  } else {
    encoding = sniffed.encoding;
    guessed = sniffed.guessed;
    skip = sniffed.bomLength;
    if (encoding === 'windows-1252') {
      // bytes that are not UTF-8, beside characters that are: read either way, some text would be
      // garbled (Ã¤ for ä, or the other way round), so the user says which
      const mixed = mixedUtf8(first);
      if (mixed !== null) {
        throw new RejectedInputError(
          `${options.label ?? 'The input'} line ${mixed.line}: the text mixes UTF-8 characters with bytes that are not UTF-8 (Windows-1252?); pass --encoding utf8 or --encoding windows-1252 to say how it is written.`,
        );
      }
    }
  }

  const rest = async function* (): AsyncGenerator<Buffer> {
    try {
      const start = first.subarray(skip);
      if (start.length > 0) yield start;
      if (done) return;
      for (;;) {
        const next = await iterator.next();
        if (next.done) return;
        yield typeof next.value === 'string' ? Buffer.from(next.value, 'utf8') : next.value;
      }
    } finally {
      // the consumer stopped early (destroy): release the input too
      if (!done) await iterator.return?.();
    }
  };
  const source = Readable.from(rest(), { objectMode: false });
  const decoded = { stream: null as unknown as Readable, encoding, guessed, bom: skip > 0 };
  // a sniffed UTF-8 (no BOM, no --encoding) that was ASCII so far may turn out to be Windows-1252
  const mayFallBack = override === undefined || override === '' ? sniffed.bomLength === 0 : false;
  const decoder: Transform =
    canonicalEncoding(encoding) === 'utf8'
      ? new StrictUtf8Decoder(options.label ?? 'The input', mayFallBack ? () => Object.assign(decoded, { encoding: 'windows-1252', guessed: true }) : null)
      : (iconv.decodeStream(encoding, { stripBOM: override !== undefined && override !== '' }) as Transform);
  const ignore = () => {
    // errors are delivered to the consumer of `stream` by pipeline's destroy(err)
  };
  // UTF-16 may hold half a surrogate pair, which SQLite would store as bytes no UTF-8 reader takes
  decoded.stream = canonicalEncoding(encoding).startsWith('utf16')
    ? pipeline(source, decoder, new WholeCharacters(options.label ?? 'The input'), ignore)
    : pipeline(source, decoder, ignore);
  return decoded;
}

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/**
 * Decoded text passed on only when every character is whole: a lone UTF-16 surrogate (a file
 * cut or damaged) fails with the line it is on. A high surrogate at a chunk's end waits for its pair.
 */
class WholeCharacters extends Transform {
  private carry = '';
  private lines = 0;

  constructor(private readonly label: string) {
    super({ decodeStrings: false, encoding: 'utf8' });
  }

  override _transform(chunk: Buffer | string, _enc: BufferEncoding, callback: (err?: Error | null, data?: string) => void): void {
    let text = this.carry + (typeof chunk === 'string' ? chunk : chunk.toString('utf8'));
    this.carry = '';
    const last = text.charCodeAt(text.length - 1);
    if (last >= 0xd800 && last <= 0xdbff) {
      this.carry = text.slice(-1);
      text = text.slice(0, -1);
    }
    callback(this.check(text), text);
  }

  override _flush(callback: (err?: Error | null, data?: string) => void): void {
    callback(this.check(this.carry), this.carry);
  }

  private check(text: string): Error | null {
    const bad = LONE_SURROGATE.exec(text);
    if (bad === null) {
      for (let i = text.indexOf('\n'); i >= 0; i = text.indexOf('\n', i + 1)) this.lines++;
      return null;
    }
    let line = this.lines + 1;
    for (let i = text.indexOf('\n'); i >= 0 && i < bad.index; i = text.indexOf('\n', i + 1)) line++;
    return new RejectedInputError(`${this.label} line ${line}: a character is broken (half of a UTF-16 surrogate pair); the file is damaged, or not UTF-16 (pass --encoding).`);
  }
}

/**
 * `UTF-8`, `utf-8`, `utf8` → utf8; `UTF-16LE` → utf16le; `cp1252`, `win1252` → windows-1252.
 * A bare `utf-16` stays itself: iconv-lite reads its BOM to pick the byte order.
 */
export function canonicalEncoding(encoding: string): string {
  const e = encoding.toLowerCase().replace(/[^a-z0-9]/g, '');
  if (e === 'utf8') return 'utf8';
  if (e === 'utf16le' || e === 'ucs2') return 'utf16le';
  if (e === 'utf16be') return 'utf16be';
  if (e === 'windows1252' || e === 'win1252' || e === 'cp1252') return 'windows-1252';
  return e;
}

/**
 * UTF-8 → strings. At the first invalid byte: when all bytes before it were ASCII and `fallBack`
 * is given, the rest (this chunk on) is Windows-1252 and `fallBack` is told; else it fails with
 * a RejectedInputError naming the line.
 */
class StrictUtf8Decoder extends Transform {
  private readonly decoder = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });
  private windows1252: { write(b: Buffer): string; end(): string | undefined } | null = null;
  private ascii = true;
  /** Line breaks (0x0A) in the bytes decoded so far: where an error is. */
  private lines = 0;

  constructor(
    private readonly label: string,
    private readonly fallBack: (() => void) | null,
  ) {
    super({ decodeStrings: true, readableObjectMode: false, encoding: 'utf8' });
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    if (this.windows1252 !== null) {
      this.push(this.windows1252.write(chunk), 'utf8');
      return callback();
    }
    let text: string;
    try {
      text = this.decoder.decode(chunk, { stream: true });
    } catch {
      if (this.ascii && this.fallBack !== null) {
        this.windows1252 = iconv.getDecoder('windows-1252');
        this.fallBack();
        this.push(this.windows1252.write(chunk), 'utf8');
        return callback();
      }
      return callback(this.notUtf8(chunk));
    }
    if (this.ascii && !isAscii(chunk)) this.ascii = false;
    this.lines += countLineFeeds(chunk);
    if (text !== '') this.push(text, 'utf8');
    callback();
  }

  override _flush(callback: TransformCallback): void {
    if (this.windows1252 !== null) {
      const tail = this.windows1252.end();
      if (tail) this.push(tail, 'utf8');
      return callback();
    }
    try {
      const text = this.decoder.decode();
      if (text !== '') this.push(text, 'utf8');
      callback();
    } catch {
      callback(this.notUtf8(Buffer.alloc(0)));
    }
  }

  /** The error for `chunk`, whose first invalid byte's line is counted from the lines before. */
  private notUtf8(chunk: Buffer): RejectedInputError {
    let lineStart = 0;
    let line = this.lines + 1;
    for (;;) {
      const end = chunk.indexOf(10, lineStart);
      const piece = chunk.subarray(lineStart, end < 0 ? chunk.length : end);
      if (!isUtf8(piece, end < 0) || end < 0) break;
      line++;
      lineStart = end + 1;
    }
    return new RejectedInputError(
      `${this.label} line ${line}: the bytes are not valid UTF-8 (UTF-8 was read before); pass --encoding with the file's encoding, e.g. --encoding windows-1252.`,
    );
  }
}

/** 0x0A bytes in `b`. */
function countLineFeeds(b: Buffer): number {
  let n = 0;
  for (let i = b.indexOf(10); i >= 0; i = b.indexOf(10, i + 1)) n++;
  return n;
}

export interface SniffedCsv extends DecodedText {
  /** The sniffed delimiter, or `--delimiter` as given. */
  delimiter: string;
  /** The text starts with Excel's `sep=X` line, which is not a record: skip it (csv-records.ts `skipFirstLine`). */
  sepLine: boolean;
  /** The text starts with DATEV's format line, which is not a record: skip it too. */
  datevLine: string | null;
}

/**
 * `decodeStream` and then `sniffDelimiter` on the first decoded text, for CSV input. The returned
 * stream still holds everything, the `sep=` line included (see `sepLine`). `options.delimiter`
 * (`--delimiter`; `\t` or `tab` for a tab) skips the guess but a `sep=` line is still reported.
 */
export async function sniffCsv(
  input: Readable,
  options: { encoding?: string; delimiter?: string; label?: string } = {},
): Promise<SniffedCsv> {
  const decoded = await decodeStream(input, { encoding: options.encoding, label: options.label });
  const iterator = decoded.stream[Symbol.asyncIterator]() as AsyncIterator<string>;
  let head = '';
  let done = false;
  while (head.length < SNIFF_BYTES / 2) {
    const next = await iterator.next();
    if (next.done) {
      done = true;
      break;
    }
    head += String(next.value);
  }
  const guess = sniffDelimiter(head);
  const given = options.delimiter === undefined ? undefined : explicitDelimiter(options.delimiter);
  const rest = async function* (): AsyncGenerator<string> {
    try {
      if (head !== '') yield head;
      if (done) return;
      for (;;) {
        const next = await iterator.next();
        if (next.done) return;
        yield String(next.value);
      }
    } finally {
      if (!done) await iterator.return?.();
    }
  };
  return {
    stream: Readable.from(rest(), { objectMode: false, encoding: 'utf8' }),
    // read when asked: the decoder may fall back to Windows-1252 later in the file
    get encoding() {
      return decoded.encoding;
    },
    get guessed() {
      return decoded.guessed;
    },
    bom: decoded.bom,
    delimiter: given ?? guess.delimiter,
    sepLine: guess.sepLine,
    datevLine: guess.datevLine,
  };
}

/** `--delimiter`: one character; `\t` and `tab` mean a tab. */
export function explicitDelimiter(text: string): string {
  if (text === '\\t' || text.toLowerCase() === 'tab') return '\t';
  if ([...text].length !== 1 || text === '"' || text === '\n' || text === '\r') {
    throw new UsageError('--delimiter takes one character (for example ; or tab), and not a quote or a line break.');
  }
  return text;
}
