/**
 * `custfile import FILE|-`: picks the reader for the format, maps and applies the rows, and
 * writes rejected rows to `--rejects` as they were read.
 */
import path from 'node:path';
import type { Readable } from 'node:stream';
import { UsageError } from '../errors.js';
import { type ColumnMapping, decimalForDelimiter, defaultKey, mapsField } from '../domain/import-mapping.js';
import { importReads, openInput } from '../io/files.js';
import { PLAIN_REJECTS, RejectsFile, type RejectsStyle, vcardRejectsStyle } from '../io/rejects-file.js';
import type { AppContext } from './context.js';
import { type ImportOptions, type ImportRecord, type ImportReport, type UnknownColumnsAsker, csvDialect, importRecords, inBatches, mapRows } from './import-profiles.js';

export const IMPORT_FORMATS = ['csv', 'xlsx', 'vcf'] as const;
export type ImportFormat = (typeof IMPORT_FORMATS)[number];

export interface ImportFileInput extends Omit<ImportOptions, 'onReject'> {
  file: string;
  format?: string;
  encoding?: string;
  delimiter?: string;
  sheet?: string;
  rejectsPath?: string;
  stdin?: Readable;
  /** Given only at a terminal: where unknown columns go. */
  askUnknown?: UnknownColumnsAsker;
  /** A CSV file at least this big is parsed in a worker thread (default: import-in-worker.ts). */
  workerMinBytes?: number;
}

export interface ImportFileReport extends ImportReport {
  file: string;
  format: ImportFormat;
  encoding?: string;
  /** The encoding was guessed from the bytes, not told by a BOM or --encoding. */
  guessed?: boolean;
  delimiter?: string;
  rejectsPath?: string;
}

/** The format from --format, else the file's extension, else csv. */
export function importFormat(file: string, flag: string | undefined): ImportFormat {
  if (flag !== undefined) {
    const f = flag.toLowerCase();
    if (!(IMPORT_FORMATS as readonly string[]).includes(f)) throw new UsageError(`--format for import must be one of ${IMPORT_FORMATS.join(', ')}, not "${flag}".`);
    return f as ImportFormat;
  }
  const ext = path.extname(file).toLowerCase();
  if (ext === '.xlsx') return 'xlsx';
  if (ext === '.vcf' || ext === '.vcard') return 'vcf';
  return 'csv';
}

/** `--sheet` names a sheet of an xlsx file; given for another format it would be silently ignored. */
export function checkSheetOption(sheet: string | undefined, format: string, label: string): void {
  if (sheet !== undefined && format !== 'xlsx') throw new UsageError(`--sheet names a sheet of an xlsx file, and ${label} is read as ${format}; pass --format xlsx if it is one.`);
}

export function historySource(file: string): string {
  return file === '-' ? 'import:stdin' : `import:${path.basename(file)}`;
}

export async function importFile(ctx: AppContext, input: ImportFileInput): Promise<ImportFileReport> {
  const format = importFormat(input.file, input.format);
  const label = input.file === '-' ? 'stdin' : input.file;
  checkSheetOption(input.sheet, format, label);
  let header: string | null = null;
  /** How the source is written, for a rejects file written alike (known once its header is read). */
  let rejectsStyle: () => RejectsStyle = () => PLAIN_REJECTS;
  const rejects = input.rejectsPath ? new RejectsFile(input.rejectsPath, () => header, importReads(ctx.store.path, input.file), () => rejectsStyle()) : null;
  const onReject = rejects ? (row: { raw: string }) => rejects.add(row.raw) : undefined;

  let records: AsyncIterable<ImportRecord[]>;
  let keyHint = 'email';
  /** Whether the file has a column for a key field (a vCard: EMAIL, TEL and UID). */
  let keyInFile: (key: string) => boolean = (key) => key === 'email' || key === 'phone' || key === 'external_id';
  /** A tabular source's mapping, settled before its first row: the key it suggests, the fields it has. */
  const onMapping = (mapping: ColumnMapping[]) => {
    keyHint = defaultKey(mapping);
    keyInFile = (key) => mapsField(mapping, key);
  };
  const extra: Partial<ImportFileReport> = {};
  let closeSource = async () => {};
  /** The encoding as read: a guessed UTF-8 may turn out to be Windows-1252 past the sniffed start (io/sniff.ts). */
  let decodedAs: { encoding: string; guessed: boolean } | null = null;
  const empty = ctx.store.profiles.isEmpty();
  // a re-import: its rows are likely unchanged, so each is mapped only if the short cut cannot
  // skip it (the worker's mode follows what they turn out to be)
  const reimport = input.onConflict === 'update' && !empty;
  const lazyKey = reimport ? (mapping: ColumnMapping[]) => input.key ?? defaultKey(mapping) : undefined;
  const { importWorkerFile, openCsvInWorker } = await import('./import-in-worker.js');
  // A first import into an empty file (a bulk load) is bound by its writes: parsing in a worker
  // saved no time there and added ~35 MiB to its peak (1M rows: 53 s and 217 MiB with a worker,
  // 55 s and 183 MiB without). Into a file with profiles, it takes ~25% off a re-import.
  const workerFile = format === 'csv' && !empty ? importWorkerFile(input.file, input.workerMinBytes) : null;
  if (workerFile !== null) {
    const source = await openCsvInWorker(workerFile, {
      file: input.file,
      label,
      encoding: input.encoding,
      delimiter: input.delimiter,
      map: input.map,
      dateFormat: input.dateFormat,
      key: input.key,
      ask: input.askUnknown !== undefined,
      unmapped: reimport,
    }, input.askUnknown);
    header = source.headerRaw;
    decodedAs = source;
    rejectsStyle = source.rejectsStyle;
    extra.delimiter = source.delimiter;
    keyHint = source.keyHint;
    keyInFile = (key) => mapsField(source.mapping, key);
    records = source.records;
    closeSource = source.close;
  } else if (format === 'csv') {
    const { openCsvSource } = await import('../io/csv-source.js');
    const source = await openCsvSource(openInput(input.file, input.stdin), label, { encoding: input.encoding, delimiter: input.delimiter });
    header = source.headerRaw;
    decodedAs = source;
    rejectsStyle = source.rejectsStyle;
    extra.delimiter = source.delimiter;
    const decimal = decimalForDelimiter(source.delimiter);
    // the mapping is known once the first record is read; peek so the key hint is right
    const dialect = csvDialect(source.delimiter);
    records = inBatches((await peeked(mapRows(source.headers, source.rows, { map: input.map, dateFormat: input.dateFormat, askUnknown: input.askUnknown, decimal, dialect, lazyKey }, onMapping))).all);
  } else if (format === 'xlsx') {
    const { openXlsxSource } = await import('../io/xlsx-source.js');
    const source = await openXlsxSource(input.file, { sheet: input.sheet });
    header = source.headerRaw;
    records = inBatches((await peeked(mapRows(source.headers, source.rows, { map: input.map, dateFormat: input.dateFormat, askUnknown: input.askUnknown, dialect: 'xlsx', lazyKey }, onMapping))).all);
  } else {
    const { rejoinFoldedCharacters, vcardEntries } = await import('../io/vcard.js');
    // decoded as a CSV is (BOM, UTF-8, else windows-1252, or --encoding): Outlook's vCards are not
    // always UTF-8; first a character cut by a fold is put together again (in the bytes)
    const { decodeStream } = await import('../io/sniff.js');
    const { pipeline } = await import('node:stream');
    const bytes = pipeline(openInput(input.file, input.stdin), rejoinFoldedCharacters(), () => {
      // an error of the input reaches the decoder through the pipeline
    });
    const decoded = await decodeStream(bytes, { encoding: input.encoding, label });
    decodedAs = decoded;
    rejectsStyle = () => vcardRejectsStyle(decoded);
    // the key: external_id (the card's UID) when the first card has one, else email; as a CSV's
    // header decides it, so a re-import finds a card whose e-mail changed
    const { first, all } = await peeked(vcardEntries(decoded.stream, label));
    const uid = first?.result.ok === true && first.result.values.set.some((v) => v.field === 'external_id' && v.value !== '');
    keyHint = uid ? 'external_id' : 'email';
    records = inBatches(all);
  }
  try {
    const report = await importRecords(ctx, records, { ...input, onReject, keyInFile: (key) => keyInFile(key) }, keyHint);
    rejects?.finish();
    if (decodedAs !== null) Object.assign(extra, { encoding: decodedAs.encoding, guessed: decodedAs.guessed });
    return { ...report, file: label, format, ...extra, rejectsPath: input.rejectsPath };
  } finally {
    rejects?.close();
    await closeSource();
  }
}

/**
 * Reads the first record (undefined: there is none), so side effects of the first step (the
 * mapping) have happened and what it says can be looked at; `all` yields every record again.
 */
async function peeked<T>(source: AsyncIterable<T>): Promise<{ first: T | undefined; all: AsyncIterable<T> }> {
  const iterator = source[Symbol.asyncIterator]();
  const head = await iterator.next();
  const all = (async function* () {
    if (head.done) return;
    yield head.value;
    for (;;) {
      const next = await iterator.next();
      if (next.done) return;
      yield next.value;
    }
  })();
  return { first: head.done ? undefined : head.value, all };
}
