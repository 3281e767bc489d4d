/**
 * A CSV file (or stdin) as a header and a stream of rows, each with its line number and its raw
 * text (for `--rejects`). Encoding and delimiter are sniffed (sniff.ts); csv-records.ts parses.
 */
import type { Readable } from 'node:stream';
import { RejectedInputError } from '../errors.js';
import { type CsvRecord, CsvRecords, CsvRecordsError } from './csv-records.js';
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

export async function openCsvSource(input: Readable, file: string, options: { encoding?: string; delimiter?: string }): Promise<TabularSource> {
  const sniffed = await sniffCsv(input, options);
  const parser = new CsvRecords({ delimiter: sniffed.delimiter, skipFirstLine: sniffed.sepLine, maxRecordChars: MAX_RECORD_CHARS });
  const chunks = sniffed.stream[Symbol.asyncIterator]() as AsyncIterator<string>;

  /**
   * The records, read a batch at a time (no await a row in here) and handed on one by one. Those
   * before an error come first: an import keeps the batches it wrote before the bad line.
   */
  async function* records(): AsyncGenerator<CsvRecord> {
    const out: CsvRecord[] = [];
    const read = (): unknown => {
      out.length = 0;
      try {
        parser.read(out, READ_AT_ONCE);
        return null;
      } catch (err) {
        return err instanceof CsvRecordsError ? describeCsvError(err, file) : err;
      }
    };
    let more = true;
    try {
      while (more) {
        const next = await chunks.next();
        if (next.done) {
          parser.end();
          more = false;
        } else parser.push(next.value);
        for (;;) {
          const failure = read();
          for (const record of out) yield record;
          if (failure) throw failure;
          if (out.length < READ_AT_ONCE) break;
        }
      }
    } finally {
      // the reader stopped early, or the CSV is broken: release the input
      if (more) await chunks.return?.();
    }
  }

  const rows = records();
  const first = await rows.next();
  if (first.done) throw new RejectedInputError(`${file} is empty; a CSV needs a header line.`);
  return {
    headers: first.value.cells,
    headerRaw: first.value.raw,
    rows,
    encoding: sniffed.encoding,
    guessed: sniffed.guessed,
    delimiter: sniffed.delimiter,
  };
}
