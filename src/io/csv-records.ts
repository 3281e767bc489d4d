/**
 * CSV text → records, fed decoded chunks as they arrive: the parser of CSV import (csv-source.ts).
 * Pure: no streams, no I/O.
 *
 * It reads exactly what csv-parse 6.2.0 read with the options import used (`relax_quotes`,
 * `relax_column_count`, `skip_empty_lines`, `from_line: 2` after a `sep=` line,
 * `max_record_size`), record for record, error for error; test/unit/csv-records.test.ts compares
 * the two on thousands of random texts. csv-parse cost ~18 µs a row (a byte at a time through a
 * Buffer, a promise per record); this finds delimiters, quotes and line breaks in the decoded
 * string with indexOf and slices the cells out of it.
 *
 * The rules, as csv-parse has them:
 * - The record delimiter is found once, at the first CR LF, LF or CR outside quotes; after that only
 *   it ends a record and other line breaks are data (a lone CR in an LF file, say).
 * - A quote opens a quoted cell only at the cell's start; inside, `""` is a quote. A quote followed
 *   by the delimiter, the record delimiter, the end of the input or a NUL (csv-parse tests the next
 *   byte for falsiness) closes the cell. Followed by anything else, the quote ends quoting and the
 *   cell reads on unquoted as `"` + its text so far + `"` + what follows (relax_quotes):
 *   `"abc"def` is `"abc"def`. A quote inside an unquoted, non-empty cell is a plain character.
 * - A record delimiter before anything else of a record is a blank line and skipped; `""` alone is
 *   a record of one empty cell. At the end of the input, a last record without a line break counts
 *   if it has any character at all.
 * - An open quote at the end of the input is CSV_QUOTE_NOT_CLOSED; a record whose cells reach
 *   `maxRecordChars + 2` characters is CSV_MAX_RECORD_SIZE (csv-parse refuses the character that
 *   is appended when the record already holds more than the limit). Both carry csv-parse's `lines`:
 *   1 + the CR and LF characters read before the failing one, where a CR LF pair counts twice unless
 *   it is the record delimiter.
 *
 * What a record says of itself: `line` is the physical line it starts on (1-based; CR LF, LF and
 * CR each end a line, wherever they are: inside quoted cells, blank lines, the skipped `sep=` line)
 * and `raw` its text from its first character to the record delimiter, both excluded.
 */

const QUOTE = 34;
const LF = 10;
const CR = 13;
const NUL = 0;

/** The record delimiter: not seen yet, LF, CR, or CR LF. */
const RD_UNKNOWN = 0;
const RD_LF = 1;
const RD_CR = 2;
const RD_CRLF = 3;
/** rdAt: the line break is a CR at the end of the text so far, and the next character decides. */
const CUT = -1;

/**
 * The record delimiter once the line break at `at` is seen: `rd` when it is known, else the one
 * this break starts (CR LF, LF or CR). CUT when a CR ends the text and what comes next decides
 * (whether it is CR LF, or, in a CR LF file, whether it ends the record).
 */
function rdAt(text: string, at: number, rd: number, final: boolean): number {
  if (text.charCodeAt(at) === LF) return rd === RD_UNKNOWN ? RD_LF : rd;
  if (rd === RD_LF || rd === RD_CR) return rd;
  if (at + 1 >= text.length) return final ? (rd === RD_UNKNOWN ? RD_CR : rd) : CUT;
  return rd === RD_UNKNOWN ? (text.charCodeAt(at + 1) === LF ? RD_CRLF : RD_CR) : rd;
}

/** The length of the record delimiter `rd` at the line break at `at`; 0 when that break is data. */
function rdLengthAt(text: string, at: number, rd: number): number {
  if (text.charCodeAt(at) === LF) return rd === RD_LF ? 1 : 0;
  if (rd === RD_CR) return 1;
  return rd === RD_CRLF && at + 1 < text.length && text.charCodeAt(at + 1) === LF ? 2 : 0;
}

/** How much of the next chunk a record cut by a chunk's end is read with first (see CsvRecords). */
const BRIDGE = 16 * 1024;

export interface CsvRecord {
  /** The line the record starts on (1-based). */
  line: number;
  cells: string[];
  /** The record's text, without blank lines before it and without its record delimiter. */
  raw: string;
}

export type RecordDelimiter = '\n' | '\r' | '\r\n';
const RD_OF: Record<RecordDelimiter, number> = { '\n': RD_LF, '\r': RD_CR, '\r\n': RD_CRLF };

export type CsvRecordsErrorCode = 'CSV_QUOTE_NOT_CLOSED' | 'CSV_MAX_RECORD_SIZE';

/** csv-parse's codes and `lines`, so that messages read as they did. */
export class CsvRecordsError extends Error {
  constructor(
    readonly code: CsvRecordsErrorCode,
    /** The line csv-parse reported (see the module comment: not always a physical line). */
    readonly lines: number,
  ) {
    super(
      code === 'CSV_QUOTE_NOT_CLOSED'
        ? `Quote Not Closed: the parsing is finished with an opening quote at line ${lines}`
        : `Max Record Size: a record exceeds the maximum number of characters at line ${lines}`,
    );
    this.name = 'CsvRecordsError';
  }
}

export interface CsvRecordsOptions {
  /** One character: one UTF-16 unit or a surrogate pair; never a quote or a line break. */
  delimiter: string;
  /** The first line is Excel's `sep=X`: read it as a record and drop it (csv-parse `from_line: 2`). */
  skipFirstLine?: boolean;
  /**
   * A record whose cells hold `maxRecordChars + 2` characters fails, as soon as that much of it is
   * read. csv-parse counted the bytes of the cell being read; this counts UTF-16 units throughout,
   * which is what the error message says ("characters") and costs nothing per character.
   */
  maxRecordChars: number;
  /**
   * The record delimiter, when known already (`recordDelimiter` of the parser that read the file):
   * a record's `raw` read again alone gives the same cells, line breaks in it being data.
   */
  recordDelimiter?: RecordDelimiter;
  /** How much of the next chunk bridges a record cut by a chunk's end (default BRIDGE; small in tests, to reach that code). */
  bridge?: number;
}

/**
 * `push` decoded text as it comes and `end` when there is no more; `read` takes the records the
 * text so far completes. Reading a few hundred at a time keeps few records alive at once: parsing a
 * whole 1 MB chunk ahead kept ~5,000 alive through every young-generation GC, which then cost more
 * than the parsing.
 *
 * Chunks are read where they are, not joined: a record cut by a chunk's end is read from a short
 * bridge string (its start and the next chunk's first BRIDGE characters), and reading goes on in
 * the next chunk itself (joining each 1 MB chunk to the rest of the last cost ~1.7 ms, a copy).
 * A record longer than the bridge is read again from its start once the text held has doubled,
 * so that a long record costs linear time.
 */
export class CsvRecords {
  private readonly delimiter: string;
  private readonly d0: number;
  private readonly dlen: number;
  private readonly maxChars: number;
  private readonly bridge: number;
  private skipFirst: boolean;
  private rd = RD_UNKNOWN;
  /** The text being read; what is before `pos` is read. */
  private text = '';
  private pos = 0;
  /** Line breaks before `pos` (physical ones), for `line`. */
  private phys = 0;
  /** What csv-parse's count has more than `phys` there: the CR LF pairs that are not a record delimiter. */
  private extra = 0;
  /** The character before `text` is a CR (an LF right after it ends no new line). */
  private prevCR = false;
  /** Text pushed and not yet read from. */
  private parts: string[] = [];
  private partsLength = 0;
  /** What is left of `text` is a record cut short: read on only with more text (at least this much). */
  private cut = false;
  private waitFor = 0;
  /** `text` is a bridge: the rest of the last text, then the first `bridge` characters of `bridged`. */
  private bridged: string | null = null;
  private ended = false;
  private failed: CsvRecordsError | null = null;
  /** scan's positions of the next delimiter, LF, CR and quote in `text` (-1: not looked for). */
  private nextD = -1;
  private nextLF = -1;
  private nextCR = -1;
  private nextQ = -1;

  constructor(options: CsvRecordsOptions) {
    const d = options.delimiter;
    if (d.length === 0 || d.length > 2 || d.includes('"') || d.includes('\n') || d.includes('\r')) {
      throw new RangeError(`CsvRecords: the delimiter must be one character and not a quote or line break, not ${JSON.stringify(d)}`);
    }
    this.delimiter = d;
    this.d0 = d.charCodeAt(0);
    this.dlen = d.length;
    this.maxChars = options.maxRecordChars;
    this.skipFirst = options.skipFirstLine ?? false;
    this.bridge = options.bridge ?? BRIDGE;
    if (options.recordDelimiter !== undefined) this.rd = RD_OF[options.recordDelimiter];
  }

  /** The record delimiter found (or given); null while none is seen. */
  get recordDelimiter(): RecordDelimiter | null {
    return this.rd === RD_LF ? '\n' : this.rd === RD_CR ? '\r' : this.rd === RD_CRLF ? '\r\n' : null;
  }

  push(chunk: string): void {
    if (this.ended) throw new Error('CsvRecords: push after end');
    if (chunk.length === 0) return;
    this.parts.push(chunk);
    this.partsLength += chunk.length;
  }

  /** No more text: the last record may end without a line break, and an open quote is an error. */
  end(): void {
    this.ended = true;
  }

  /**
   * Appends to `out` at most `max` of the records the text so far completes; fewer means those
   * were all (until more text is pushed, or for good after `end`). Throws CsvRecordsError at a
   * broken record, with the records before it already in `out` (an import keeps the rows it read
   * before the bad line, as with csv-parse), and again on every later call.
   */
  read(out: CsvRecord[], max = Number.POSITIVE_INFINITY): void {
    if (this.failed) throw this.failed;
    let left = max;
    while (left > 0) {
      if ((this.cut || this.pos >= this.text.length) && !this.refill()) return;
      const bridging = this.bridged !== null;
      const final = this.ended && this.parts.length === 0 && !bridging;
      const before = out.length;
      try {
        // on a bridge, only up to the first record that ends in the chunk
        this.pos = this.scan(this.text, this.pos, final, out, bridging ? 1 : left);
      } catch (err) {
        if (err instanceof CsvRecordsError) this.failed = err;
        throw err;
      }
      left -= out.length - before;
      if (bridging) {
        const bridge = this.text;
        const chunk = this.bridged!;
        const joint = bridge.length - this.bridge;
        this.bridged = null;
        if (this.pos >= joint) {
          // past the join: read on in the chunk itself
          const at = this.pos;
          this.setText(chunk, bridge, at);
          this.pos = at - joint;
          this.cut = false;
        } else {
          // a record longer than the bridge: read it again from the whole text
          this.setText([bridge.slice(this.pos), chunk.slice(this.bridge), ...this.parts].join(''), bridge, this.pos);
          this.parts = [];
          this.partsLength = 0;
          this.cut = false;
        }
      }
      if (this.cut) this.waitFor = 2 * (this.text.length - this.pos);
    }
  }

  /** More text to read, if there is any to read yet: false to wait. */
  private refill(): boolean {
    if (!this.cut) {
      // all of `text` is read: on to the next chunk
      const next = this.parts.shift();
      if (next === undefined) return false;
      this.partsLength -= next.length;
      this.setText(next, this.text, this.text.length);
      return true;
    }
    // the rest of `text` is a record cut short
    if (this.parts.length === 0) return this.ended; // then read as the last record
    const rest = this.text.length - this.pos;
    if (!this.ended && rest + this.partsLength < this.waitFor) return false;
    const next = this.parts[0]!;
    if (rest <= this.bridge && next.length >= 4 * this.bridge) {
      this.parts.shift();
      this.partsLength -= next.length;
      this.setText(this.text.slice(this.pos) + next.slice(0, this.bridge), this.text, this.pos);
      this.bridged = next;
    } else {
      this.setText([this.text.slice(this.pos), ...this.parts].join(''), this.text, this.pos);
      this.parts = [];
      this.partsLength = 0;
    }
    this.cut = false;
    return true;
  }

  /** Reads on from the start of `text`, which follows `before` up to `at`. */
  private setText(text: string, before: string, at: number): void {
    if (at > 0) this.prevCR = before.charCodeAt(at - 1) === CR;
    this.text = text;
    this.pos = 0;
    this.nextD = -1;
    this.nextLF = -1;
    this.nextCR = -1;
    this.nextQ = -1;
  }

  private isDelimiterAt(text: string, i: number): boolean {
    return text.charCodeAt(i) === this.d0 && (this.dlen === 1 || text.startsWith(this.delimiter, i));
  }

  /**
   * Reads at most `max` records of `text` from `from` (a record's start) into `out` and returns
   * where they end. Sets `cut` when it stopped at a record not complete yet (never when `final`).
   *
   * Speed: the next delimiter, LF, CR and quote are found with indexOf and kept until passed, so
   * each is searched for once (a charCodeAt loop over every character measured ~30% slower); a
   * plain record is split in one call; other cells are slices. Line breaks inside records cost
   * something only where they are.
   */
  private scan(text: string, from: number, final: boolean, out: CsvRecord[], max: number): number {
    const n = text.length;
    const delimiter = this.delimiter;
    const d0 = this.d0;
    const dlen = this.dlen;
    let rd = this.rd;
    // line counts at `consumed`, and as read on from there
    let phys = this.phys;
    let extra = this.extra;
    let ph = phys;
    let ex = extra;
    let consumed = from;
    let i = from;
    let c = 0;
    let left = max;
    // the next delimiter, LF, CR and quote at or after where they were last looked for (n: none); kept
    // for the next call on the same text: in an LF file, the CR search runs to the text's end
    let nextD = this.nextD;
    let nextLF = this.nextLF;
    let nextCR = this.nextCR;
    let nextQ = this.nextQ;
    const maxChars = this.maxChars;

    records: for (;;) {
      // Blank lines: a record delimiter before anything else. The `sep=` line is dropped whole,
      // blank or not (csv-parse's from_line counts it before skip_empty_lines looks).
      if (!this.skipFirst) {
        while (i < n) {
          c = text.charCodeAt(i);
          if (c !== LF && c !== CR) break;
          const r = rdAt(text, i, rd, final);
          if (r === CUT) {
            // the blank lines so far are read: they are no part of the record cut here
            consumed = i;
            phys = ph;
            extra = ex;
            break records;
          }
          rd = r;
          const length = rdLengthAt(text, i, rd);
          if (length === 0) break;
          // an LF delimiter after a data CR ends one line; csv-parse counts two
          if (c === LF && (i > 0 ? text.charCodeAt(i - 1) === CR : this.prevCR)) ex++;
          else ph++;
          i += length;
        }
        consumed = i;
        phys = ph;
        extra = ex;
      }
      if (i >= n) break;

      // Fast path: a record without quotes and without line breaks but its delimiter (nearly all)
      // is its text split at the delimiter. split makes the cells in one call, in C++; finding and
      // slicing them one by one cost twice as much.
      if (nextQ < i) nextQ = indexOrEnd(text, '"', i);
      if (nextLF < i) nextLF = indexOrEnd(text, '\n', i);
      if (nextCR < i) nextCR = indexOrEnd(text, '\r', i);
      if (!this.skipFirst) {
        let end = -1;
        let after = 0;
        if (rd === RD_LF) {
          if (nextLF < nextCR && nextLF < nextQ) {
            end = nextLF;
            after = end + 1;
          }
        } else if (rd === RD_CRLF) {
          if (nextCR < nextLF && nextCR < nextQ && nextCR + 1 < n && text.charCodeAt(nextCR + 1) === LF) {
            end = nextCR;
            after = end + 2;
          }
        } else if (rd === RD_CR && nextCR < nextLF && nextCR < nextQ) {
          end = nextCR;
          after = end + 1;
        }
        if (end >= 0 && end - i < maxChars + 2) {
          const raw = text.slice(i, end);
          out.push({ line: 1 + phys, cells: raw.split(delimiter), raw });
          ph++;
          i = after;
          consumed = i;
          phys = ph;
          if (--left === 0) break records;
          continue records;
        }
      }

      const start = i;
      const cells: string[] = [];

      for (;;) {
        // at a cell's start; `prefix` is what a quoted part made of the cell before `i`
        let prefix = '';
        let quotedPart = false;
        if (i < n && text.charCodeAt(i) === QUOTE) {
          const open = i;
          let j = i + 1;
          let escaped = false;
          for (;;) {
            let q = text.indexOf('"', j);
            if (q < 0) q = n;
            // line breaks inside the quotes
            if (nextLF < j) nextLF = indexOrEnd(text, '\n', j);
            while (nextLF < q) {
              if (nextLF > 0 ? text.charCodeAt(nextLF - 1) === CR : this.prevCR) ex++;
              else ph++;
              nextLF = indexOrEnd(text, '\n', nextLF + 1);
            }
            if (nextCR < j) nextCR = indexOrEnd(text, '\r', j);
            while (nextCR < q) {
              ph++;
              nextCR = indexOrEnd(text, '\r', nextCR + 1);
            }
            j = q;
            if (j >= n) {
              if (!final) break records;
              this.checkSize(text, start, n, true, phys + extra);
              // the line the record starts on: csv-parse named the end of the file (counting a
              // CRLF inside quotes twice), which points nowhere near a stray quote on line 10
              throw new CsvRecordsError('CSV_QUOTE_NOT_CLOSED', 1 + phys);
            }
            // a quote at j: escape, close, or (relax_quotes) an end of quoting inside the cell
            if (j + 1 >= n) {
              if (!final) break records;
              break; // closed by the end of the input
            }
            c = text.charCodeAt(j + 1);
            if (c === QUOTE) {
              escaped = true;
              j += 2;
              continue;
            }
            if (c === NUL) break;
            if (c === d0) {
              if (dlen === 1) break;
              if (j + 1 + dlen > n) {
                if (!final) break records; // a delimiter maybe, cut
              } else if (text.startsWith(delimiter, j + 1)) break;
            }
            if (c === LF || c === CR) {
              const r = rdAt(text, j + 1, rd, final);
              if (r === CUT) break records;
              rd = r;
              if (rdLengthAt(text, j + 1, rd) > 0) break;
            }
            // relax_quotes: the cell is `"` + its text + `"` and reads on unquoted
            quotedPart = true;
            prefix = '"' + unescape(text.slice(open + 1, j), escaped) + '"';
            break;
          }
          if (!quotedPart) {
            // closed at j: what follows is a delimiter, the record delimiter, the end, or a NUL
            quotedPart = true;
            prefix = unescape(text.slice(open + 1, j), escaped);
          }
          i = j + 1;
        }

        // unquoted: up to the delimiter or the record delimiter
        let j = i;
        for (;;) {
          if (nextD < j) nextD = indexOrEnd(text, delimiter, j);
          if (nextLF < j) nextLF = indexOrEnd(text, '\n', j);
          if (nextCR < j) nextCR = indexOrEnd(text, '\r', j);
          j = nextD < nextLF ? (nextD < nextCR ? nextD : nextCR) : nextLF < nextCR ? nextLF : nextCR;
          if (j >= n) {
            // (a delimiter of two units cut by the end is not found: it waits like the rest)
            if (!final) break records;
            // the end of the input ends the last record
            cells.push(quotedPart ? prefix + text.slice(i, n) : text.slice(i, n));
            this.checkSize(text, start, n, true, phys + extra);
            if (this.skipFirst) this.skipFirst = false;
            else out.push({ line: 1 + phys, cells, raw: text.slice(start, n) });
            consumed = n;
            phys = ph;
            extra = ex;
            break records;
          }
          if (j === nextD) {
            cells.push(quotedPart ? prefix + text.slice(i, j) : text.slice(i, j));
            i = j + dlen;
            break; // next cell
          }
          // a line break: the record delimiter, or data
          c = j === nextLF ? LF : CR;
          const r = rdAt(text, j, rd, final);
          if (r === CUT) break records;
          rd = r;
          const rdLength = rdLengthAt(text, j, rd);
          const lfAfterCR = c === LF && (j > 0 ? text.charCodeAt(j - 1) === CR : this.prevCR);
          if (rdLength === 0) {
            if (lfAfterCR) ex++;
            else ph++;
            j++;
            continue;
          }
          // the record ends at j
          cells.push(quotedPart ? prefix + text.slice(i, j) : text.slice(i, j));
          if (j - start >= maxChars + 2) this.checkSize(text, start, j, true, phys + extra);
          if (this.skipFirst) {
            this.skipFirst = false;
            left++;
          } else out.push({ line: 1 + phys, cells, raw: text.slice(start, j) });
          // an LF delimiter after a data CR ends one line; csv-parse counts two
          if (lfAfterCR) ex++;
          else ph++;
          i = j + rdLength;
          consumed = i;
          phys = ph;
          extra = ex;
          if (--left === 0) break records;
          continue records;
        }
      }
    }

    this.cut = consumed < n && left > 0;
    // a cut record is read again from its start, before where these were looked for
    this.nextD = this.cut ? -1 : nextD;
    this.nextLF = this.cut ? -1 : nextLF;
    this.nextCR = this.cut ? -1 : nextCR;
    this.nextQ = this.cut ? -1 : nextQ;
    // a record cut by the end of the text so far: fail now if it is already too long
    if (this.cut && n - consumed >= this.maxChars + 2) this.checkSize(text, consumed, n, false, phys + extra);
    this.rd = rd;
    this.phys = phys;
    this.extra = extra;
    return consumed;
  }

  /**
   * Throws CSV_MAX_RECORD_SIZE where csv-parse would: at the first character appended to a cell
   * while the record's cells (only the current one on the dropped `sep=` line) already hold more
   * than the limit. Walks [start, end) a character at a time, so it is called only for records at
   * least that long. `complete`: end is the record delimiter or the end of the input; otherwise
   * the text is cut there and the last characters, whose meaning may depend on what follows, wait.
   */
  private checkSize(text: string, start: number, end: number, complete: boolean, csvLinesBefore: number): void {
    const limit = this.maxChars;
    if (end - start < limit + 2) return;
    const stop = complete ? end : end - 3;
    const whole = !this.skipFirst;
    let record = 0;
    let cell = 0;
    let quoting = false;
    let i = start;
    let at = -1;
    while (i < stop) {
      const c = text.charCodeAt(i);
      if (quoting) {
        if (c === QUOTE) {
          if (i + 1 >= end) {
            quoting = false; // closed by the record delimiter or the end
            i++;
            continue;
          }
          const next = text.charCodeAt(i + 1);
          if (next === QUOTE) {
            i++; // `""`: the second quote is the one appended
          } else if (next === NUL || this.isDelimiterAt(text, i + 1)) {
            quoting = false;
            i++;
            continue;
          } else {
            // relax_quotes: the opening quote is put back in front, unchecked
            quoting = false;
            cell++;
          }
        }
      } else if (c === QUOTE && cell === 0) {
        quoting = true;
        i++;
        continue;
      } else if (this.isDelimiterAt(text, i)) {
        if (whole) record += cell;
        cell = 0;
        i += this.dlen;
        continue;
      }
      if (record + cell > limit) {
        at = i;
        break;
      }
      cell++;
      i++;
    }
    if (at < 0) return;
    let lines = 1 + csvLinesBefore;
    for (let k = start; k < at; k++) {
      const c = text.charCodeAt(k);
      if (c === LF || c === CR) lines++;
    }
    throw new CsvRecordsError('CSV_MAX_RECORD_SIZE', lines);
  }
}

/** The position of `search` in `text` from `from`, or the text's length when there is none. */
function indexOrEnd(text: string, search: string, from: number): number {
  const at = text.indexOf(search, from);
  return at < 0 ? text.length : at;
}

function unescape(text: string, escaped: boolean): string {
  return escaped ? text.replaceAll('""', '"') : text;
}

/**
 * A record's cells read again from its `raw` text alone, given the delimiters of the file it came
 * from: the same cells as when the file was read (test/unit/csv-records.test.ts checks it on the
 * random texts). Null if the text is not one record.
 */
export function recordCells(raw: string, delimiter: string, recordDelimiter: RecordDelimiter): string[] | null {
  const parser = new CsvRecords({ delimiter, recordDelimiter, maxRecordChars: Number.MAX_SAFE_INTEGER });
  parser.push(raw);
  parser.end();
  const out: CsvRecord[] = [];
  try {
    parser.read(out);
  } catch {
    return null;
  }
  return out.length === 1 ? out[0]!.cells : null;
}
