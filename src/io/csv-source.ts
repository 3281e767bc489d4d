/**
 * A CSV file (or stdin) as a header and a stream of rows, each with its line number and its raw
 * text (for `--rejects`). Encoding and delimiter are sniffed (sniff.ts); csv-parse streams.
 */
import type { Readable } from 'node:stream';
import { type CsvError, parse } from 'csv-parse';
import { RejectedInputError } from '../errors.js';
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

function describeCsvError(err: CsvError, file: string): RejectedInputError {
  const line = (err as CsvError & { lines?: number }).lines;
  const where = line !== undefined ? `${file} line ${line}` : file;
  switch (err.code) {
    case 'CSV_QUOTE_NOT_CLOSED':
      return new RejectedInputError(`${where}: a quoted cell is never closed; check for a stray double quote.`, { cause: err });
    case 'CSV_MAX_RECORD_SIZE':
      return new RejectedInputError(`${where}: a record is longer than ${MAX_RECORD_CHARS.toLocaleString('en')} characters; is this really a CSV file?`, { cause: err });
    case 'CSV_INVALID_CLOSING_QUOTE':
      return new RejectedInputError(`${where}: a quote is followed by text inside a cell; quote the whole cell.`, { cause: err });
    default:
      return new RejectedInputError(`${where}: the CSV cannot be read (${err.code}).`, { cause: err });
  }
}

export async function openCsvSource(input: Readable, file: string, options: { encoding?: string; delimiter?: string }): Promise<TabularSource> {
  const sniffed = await sniffCsv(input, options);
  const parser = parse({
    delimiter: sniffed.delimiter,
    from_line: sniffed.sepLine ? 2 : 1,
    relax_column_count: true,
    relax_quotes: true,
    skip_empty_lines: true,
    max_record_size: MAX_RECORD_CHARS,
    info: true,
    raw: true,
  });
  sniffed.stream.on('error', (err) => parser.destroy(err));
  sniffed.stream.pipe(parser);

  type Parsed = { record: string[]; info: { lines: number }; raw: string };
  const iterator = parser[Symbol.asyncIterator]() as AsyncIterator<Parsed>;
  const next = async (): Promise<IteratorResult<Parsed>> => {
    try {
      return await iterator.next();
    } catch (err) {
      if ((err as CsvError).code?.startsWith('CSV_')) throw describeCsvError(err as CsvError, file);
      throw err;
    }
  };
  const first = await next();
  if (first.done) throw new RejectedInputError(`${file} is empty; a CSV needs a header line.`);
  // Line numbers are counted from the raw text: csv-parse's own count is off for CRLF in quotes.
  let linesBefore = (sniffed.sepLine ? 1 : 0) + lineBreaks(first.value.raw);

  async function* rows(): AsyncGenerator<SourceRow> {
    for (;;) {
      const r = await next();
      if (r.done) return;
      const raw = r.value.raw;
      const leading = /^(?:\r\n|\n|\r)*/.exec(raw)![0];
      const line = linesBefore + lineBreaks(leading) + 1;
      linesBefore += lineBreaks(raw);
      yield { line, cells: r.value.record, raw: trimRecord(raw) };
    }
  }
  return {
    headers: first.value.record,
    headerRaw: trimRecord(first.value.raw),
    rows: rows(),
    encoding: sniffed.encoding,
    guessed: sniffed.guessed,
    delimiter: sniffed.delimiter,
  };
}

function lineBreaks(text: string): number {
  return text.match(/\r\n|\n|\r/g)?.length ?? 0;
}

/** The record's text without blank lines before it or the line break after it. */
function trimRecord(raw: string): string {
  return raw.replace(/^(?:\r\n|\n|\r)+/, '').replace(/(?:\r\n|\n|\r)$/, '');
}
