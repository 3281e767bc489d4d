/**
 * A CSV file (or stdin) as a header and a stream of rows, each with its line number and its raw
 * text (for `--rejects`). Encoding and delimiter are sniffed (sniff.ts); csv-records.ts parses.
 */
import type { Readable } from 'node:stream';
import { type RejectsStyle, csvRejectsStyle } from './rejects-file.js';
import { RejectedInputError } from '../errors.js';
import { type CsvRecord, CsvRecords, CsvRecordsError, type RecordDelimiter } from './csv-records.js';
import { sniffCsv } from './sniff.js';

/** One record may not exceed this many characters: a 10 MB field or a file without line breaks fails fast. */
export const MAX_RECORD_CHARS = 1_000_000;

export interface SourceRow {
  /** The line the record starts on (1-based, counting the header). */
  line: number;
  cells: string[];
  /** The record's text as read, for the rejects file. */
  raw: string;
}

export interface TabularSource {
  headers: string[];
  /** The header as read, for the rejects file. */
  headerRaw: string;
  rows: AsyncIterable<SourceRow>;
  encoding: string;
  guessed: boolean;
  delimiter: string;
}

/** A CSV file as a TabularSource. */
export interface CsvSource extends TabularSource {
  /** The record delimiter read so far (csv-records.ts `recordCells`); null while none is seen. */
  recordDelimiter(): RecordDelimiter | null;
  /** How the file was written, for a rejects file written alike. */
  rejectsStyle(): RejectsStyle;
  /** The file began with a byte order mark. */
  bom: boolean;
  /** The file began with Excel's `sep=` line. */
  sepLine: boolean;
  /** The file began with DATEV's format line (as read). */
  datevLine: string | null;
}

function describeCsvError(err: CsvRecordsError, file: string): RejectedInputError {
  const where = `${file} line ${err.lines}`;
  switch (err.code) {
    case 'CSV_QUOTE_NOT_CLOSED':
      return new RejectedInputError(`${where}: a quoted cell is never closed; check for a stray double quote.`, { cause: err });
    case 'CSV_MAX_RECORD_SIZE':
      return new RejectedInputError(`${where}: a record is longer than ${MAX_RECORD_CHARS.toLocaleString('en')} characters; is this really a CSV file?`, { cause: err });
  }
}

/** Records parsed ahead of the reader: enough to make one call cheap, few enough to die young. */
const READ_AT_ONCE = 256;

export async function openCsvSource(input: Readable, file: string, options: { encoding?: string; delimiter?: string }): Promise<CsvSource> {
  const sniffed = await sniffCsv(input, { ...options, label: file });
  const parser = new CsvRecords({ delimiter: sniffed.delimiter, skipFirstLine: sniffed.sepLine || sniffed.datevLine !== null, maxRecordChars: MAX_RECORD_CHARS });
  const rows = new Rows(parser, sniffed.stream[Symbol.asyncIterator]() as AsyncIterator<string>, file);
  const first = await rows.next();
  if (first.done) throw new RejectedInputError(`${file} is empty; a CSV needs a header line.`);
  return {
    headers: first.value.cells,
    headerRaw: first.value.raw,
    rows,
    // read when asked: a guessed UTF-8 may turn out to be Windows-1252 later in the file
    get encoding() {
      return sniffed.encoding;
    },
    get guessed() {
      return sniffed.guessed;
    },
    delimiter: sniffed.delimiter,
    recordDelimiter: () => parser.recordDelimiter,
    rejectsStyle: () => csvRejectsStyle(sniffed, parser.recordDelimiter ?? '\n'),
    bom: sniffed.bom,
    sepLine: sniffed.sepLine,
    datevLine: sniffed.datevLine,
  };
}

/**
 * The records as an async iterator that awaits only for the next chunk of text: records already
 * parsed (READ_AT_ONCE at a time) are handed out as resolved promises. An async generator
 * yielding them took ~15-20 ms more per 100k rows (an await and its promises a row), next to
 * ~110 ms of parsing. Those before an error come first: an import keeps the batches it wrote
 * before the bad line.
 */
class Rows implements AsyncIterableIterator<SourceRow> {
  private out: CsvRecord[] = [];
  private at = 0;
  private failure: unknown = null;
  private inputDone = false;
  private finished = false;
  /** A next() waiting for text: later calls queue behind it. */
  private busy: Promise<IteratorResult<SourceRow>> | null = null;

  constructor(
    private readonly parser: CsvRecords,
    private readonly chunks: AsyncIterator<string>,
    private readonly file: string,
  ) {}

  [Symbol.asyncIterator](): this {
    return this;
  }

  next(): Promise<IteratorResult<SourceRow>> {
    if (this.at < this.out.length) return Promise.resolve({ value: this.out[this.at++]!, done: false });
    if (this.busy) return this.busy.then(() => this.next(), () => this.next());
    const busy = this.fill();
    this.busy = busy;
    const clear = () => {
      if (this.busy === busy) this.busy = null;
    };
    busy.then(clear, clear);
    return busy;
  }

  async return(): Promise<IteratorResult<SourceRow>> {
    await this.finish();
    return { value: undefined, done: true };
  }

  private async fill(): Promise<IteratorResult<SourceRow>> {
    for (;;) {
      if (this.finished) return { value: undefined, done: true };
      if (this.failure === null) this.read();
      if (this.at < this.out.length) return { value: this.out[this.at++]!, done: false };
      if (this.failure !== null) {
        await this.finish();
        throw this.failure;
      }
      if (this.inputDone) {
        this.finished = true;
        return { value: undefined, done: true };
      }
      let next: IteratorResult<string>;
      try {
        next = await this.chunks.next();
      } catch (err) {
        this.finished = true; // the input failed (not UTF-8, say): it is closed already
        throw err;
      }
      if (next.done) {
        this.parser.end();
        this.inputDone = true;
      } else this.parser.push(next.value);
    }
  }

  /** The next records the parser has, into `out`; an error is kept for when they are handed out. */
  private read(): void {
    this.out.length = 0;
    this.at = 0;
    try {
      this.parser.read(this.out, READ_AT_ONCE);
    } catch (err) {
      this.failure = err instanceof CsvRecordsError ? describeCsvError(err, this.file) : err;
    }
  }

  /** No more rows: release the input (the reader stopped early, or the CSV is broken). */
  private async finish(): Promise<void> {
    if (this.finished) return;
    this.finished = true;
    this.out.length = 0;
    this.at = 0;
    if (!this.inputDone) await this.chunks.return?.();
  }
}
