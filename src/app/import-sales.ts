/**
 * `custfile import FILE --sales [--key FIELD]`: a sheet of transactions (CSV or xlsx), one sale a
 * row, matched to profiles on a key. Read as the profile import reads (io/csv-source.ts,
 * io/xlsx-source.ts: sniffed encoding and delimiter, streamed), applied in batched IMMEDIATE
 * transactions, with rejected rows reported by line and written to `--rejects` as read;
 * `--dry-run` and `--atomic` run in one transaction that commits only when asked and clean.
 *
 * Columns (headers matched as the profile import matches them: case, accents, spaces and
 * punctuation do not count; English or German):
 * - the key: `external_id` (Kundennr, Kundennummer, Customer ID …), else `email` (E-Mail …), or
 *   the field `--key` names (`id` is the profile id, read from a `profile_id` column; a bare `id`
 *   column is more likely the sale's own number and is not taken for it);
 * - `date` (Datum, Rechnungsdatum, Kaufdatum …): ISO, DD.MM.YYYY, or slash dates whose order is
 *   settled by the column's values or `--date-format`;
 * - `amount` (Betrag, Summe, Preis, Umsatz, Total …): an exact decimal, negative for refunds;
 * - `item`, optional (Artikel, Produkt, Bezeichnung, Description …).
 * Other columns are ignored and named in the report; `--map 'Wert=amount,Beleg=-'` settles the rest.
 *
 * Decisions:
 * - A row whose key matches no profile, or more than one, is rejected (exit 4): a sale is never
 *   recorded against a guess, and no profile is created from a sales sheet.
 * - Importing the same sheet twice does not double the sales. A row is the same sale as one
 *   already recorded when profile, date, amount and item are equal; each row can match one sale
 *   recorded *before this import* at most. So two identical sales on one day in one sheet are
 *   both kept, a second import of the sheet adds nothing (they count as unchanged), and a sheet
 *   that grew (March, then March and April) adds only the new rows. The file's name or line
 *   numbers are not the identity: monthly exports are often all called sales.csv, and a line
 *   moves when a row is inserted above it. The price: a sale recorded by hand with `custfile
 *   sale` that is also in a sheet is counted once.
 * - The decimal separator is read from the amounts themselves (`12,50` and `12.50` settle it),
 *   else from the delimiter (a `;` file comes from a European Excel: decimal comma). When neither
 *   settles it, an amount such as `1.500` (thousands, or three decimals?) is rejected rather
 *   than guessed. Spreadsheet float noise (`119.00000000000001`) is rounded to the cent.
 * - A date after today is rejected, as `custfile sale --date` refuses it.
 * - Rows are single INSERTs, each atomic on its own (with its trigger), so no savepoint per row
 *   is needed as in the profile import.
 * - A first sales import, into a file with no sales yet, is a bulk load, as the first profile import
 *   is: one transaction, the derived sales fields added up once at the end (storage/bulk-load.ts
 *   beginSalesBulkLoad). A structural error or a kill leaves no sale behind; rejected rows are only
 *   rejected. Later imports commit in batches.
 */
import path from 'node:path';
import type { Readable } from 'node:stream';
import { RejectedInputError, UsageError, ValidationError } from '../errors.js';
import { Interrupted, type InterruptWatch, stoppedBy, watchInterrupt, withCommitted } from './interrupt.js';
import { fieldByName } from '../domain/fields.js';
import {
  type SlashOrder,
  decideSlashOrder,
  normalizeHeader,
  parseImportDate,
  removeFormulaGuard,
  widthProblem,
} from '../domain/import-mapping.js';
import { parseFieldValue, parseMoneyCents } from '../domain/values.js';
import type { TabularSource } from '../io/csv-source.js';
import { importReads, openInput } from '../io/files.js';
import { PLAIN_REJECTS, RejectsFile, type RejectsStyle } from '../io/rejects-file.js';
import { ClaimedIds } from './claimed-ids.js';
import type { NewSale } from '../storage/sale-repo.js';
import type { AppContext } from './context.js';
import { type ImportFileReport, checkSheetOption } from './import-file.js';
import { keyIdentity } from '../storage/profile-repo.js';
import { checkKey, readAhead } from './import-profiles.js';
import { cleanItem } from './sales.js';

// ---------------------------------------------------------------------------------------------
// Columns

export type SalesColumn = 'date' | 'amount' | 'item';

const COLUMN_ALIASES: Record<SalesColumn, readonly string[]> = {
  date: [
    'date', 'datum', 'saledate', 'salesdate', 'verkaufsdatum', 'kaufdatum', 'rechnungsdatum', 'invoicedate', 'orderdate',
    'bestelldatum', 'belegdatum', 'buchungsdatum', 'transactiondate', 'purchasedate', 'leistungsdatum', 'verkauftam',
  ],
  amount: [
    'amount', 'betrag', 'total', 'summe', 'preis', 'price', 'value', 'wert', 'bruttobetrag', 'nettobetrag', 'gesamt',
    'gesamtbetrag', 'gesamtpreis', 'umsatz', 'amounteur', 'betrageur', 'brutto', 'netto', 'rechnungsbetrag',
    'invoiceamount', 'salesamount', 'saleamount', 'endbetrag',
  ],
  item: [
    'item', 'artikel', 'produkt', 'product', 'bezeichnung', 'artikelbezeichnung', 'leistung', 'position', 'beschreibung',
    'description', 'produktname', 'productname', 'artikelname', 'itemname', 'items',
  ],
};

/** Headers that name a key field, by field. */
const KEY_ALIASES: Record<string, readonly string[]> = {
  external_id: [
    'externalid', 'kundennr', 'kundennummer', 'kdnr', 'kundenid', 'kundenkennung', 'customerid', 'customernumber',
    'customerno', 'customernr', 'clientid', 'clientnumber', 'debitor', 'debitornr', 'debitornummer', 'debitorennr',
    'debitorennummer', 'accountnumber',
  ],
  email: ['email', 'emailaddress', 'emailadresse', 'mail', 'mailadresse', 'email1value', 'emailaddr'],
  phone: ['phone', 'telefon', 'tel', 'telephone', 'phonenumber', 'telefonnummer', 'mobile', 'mobil', 'handy'],
  name: ['name', 'kunde', 'kundin', 'kundenname', 'customer', 'customername', 'client', 'clientname', 'firma', 'company'],
  id: ['profileid', 'customerprofileid'],
  website: ['website', 'homepage', 'webseite', 'url', 'web'],
};

export interface SalesMapping {
  key: string;
  keyColumn: { index: number; header: string };
  date: { index: number; header: string };
  amount: { index: number; header: string };
  item: { index: number; header: string } | null;
  /** Headers of the columns that are not read. */
  ignored: string[];
  width: number;
}

type Target = { type: 'column'; column: SalesColumn } | { type: 'key'; field: string } | { type: 'ignore' };

function aliasTarget(normalized: string, keyFlag: string | undefined): Target {
  for (const column of ['date', 'amount', 'item'] as const) {
    if (COLUMN_ALIASES[column].includes(normalized)) return { type: 'column', column };
  }
  for (const [field, aliases] of Object.entries(KEY_ALIASES)) {
    if (aliases.includes(normalized)) return { type: 'key', field };
  }
  // `--key postcode`: a column named like the field (not a bare `id`, more likely the sale's own number)
  if (keyFlag !== undefined && keyFlag !== 'id' && normalized === normalizeHeader(keyFlag)) return { type: 'key', field: keyFlag };
  return { type: 'ignore' };
}

function mapTarget(value: string, header: string): Target {
  const v = value.trim().toLowerCase();
  if (v === '-') return { type: 'ignore' };
  if (v === 'date' || v === 'amount' || v === 'item') return { type: 'column', column: v };
  if (v === 'profile_id') return { type: 'key', field: 'id' };
  if (fieldByName(v)) {
    checkKey(v);
    return { type: 'key', field: v };
  }
  throw new UsageError(`--map "${header}=${value}": a sales sheet's columns map to date, amount, item, a key field such as email or external_id, or - to ignore.`);
}

/**
 * Which column is what. `key` is `--key` (checked), else external_id when a column names it,
 * else email. Throws RejectedInputError when a needed column is missing or named twice.
 */
export function mapSalesHeaders(headers: readonly string[], options: { key?: string; map?: Record<string, string> } = {}): SalesMapping {
  if (options.key !== undefined) checkKey(options.key);
  const mapped = new Set<string>();
  const targets = headers.map((raw, index) => {
    const header = raw.trim();
    const fromMap = options.map && Object.hasOwn(options.map, header) ? options.map[header] : undefined;
    if (fromMap !== undefined) {
      mapped.add(header);
      return { index, header, target: mapTarget(fromMap, header) };
    }
    return { index, header, target: header === '' ? ({ type: 'ignore' } as Target) : aliasTarget(normalizeHeader(header), options.key) };
  });
  for (const column of Object.keys(options.map ?? {})) {
    if (!mapped.has(column)) throw new UsageError(`--map names a column "${column}" that the file does not have.`);
  }

  const find = (match: (t: Target) => boolean, what: string): { index: number; header: string } | null => {
    const found = targets.filter((t) => match(t.target));
    if (found.length > 1) {
      const [a, b] = found as [(typeof found)[0], (typeof found)[0]];
      throw new RejectedInputError(
        `Columns ${a.index + 1} ("${a.header}") and ${b.index + 1} ("${b.header}") both look like the ${what}; ignore one with --map '${b.header}=-'.`,
      );
    }
    return found[0] ? { index: found[0].index, header: found[0].header } : null;
  };

  const date = find((t) => t.type === 'column' && t.column === 'date', 'date');
  const amount = find((t) => t.type === 'column' && t.column === 'amount', 'amount');
  const item = find((t) => t.type === 'column' && t.column === 'item', 'item');
  let key = options.key;
  if (key === undefined) {
    key = targets.some((t) => t.target.type === 'key' && t.target.field === 'external_id') ? 'external_id' : 'email';
  }
  const keyField = key;
  const keyColumn = find((t) => t.type === 'key' && t.field === keyField, `key (${keyField})`);

  const missing: string[] = [];
  if (!keyColumn) missing.push(options.key !== undefined ? `a ${key} column for --key ${key}` : 'an external_id or email column to match profiles on (or pass --key FIELD)');
  if (!date) missing.push('a date column (Date, Datum …)');
  if (!amount) missing.push('an amount column (Amount, Betrag …)');
  if (missing.length > 0) {
    throw new RejectedInputError(`The sales sheet needs ${missing.join(', ')}; name a column with --map 'Column=date', 'Column=amount' or 'Column=email'.`);
  }
  const used = new Set([keyColumn!.index, date!.index, amount!.index, item?.index ?? -1]);
  return {
    key,
    keyColumn: keyColumn!,
    date: date!,
    amount: amount!,
    item,
    ignored: targets.filter((t) => !used.has(t.index) && t.header !== '').map((t) => t.header),
    width: headers.length,
  };
}

// ---------------------------------------------------------------------------------------------
// Values

/**
 * The decimal separator of a sheet's amounts: what the amounts show (`12,50` or `12.50`), else
 * what the delimiter suggests: `;` is a European Excel's, with a decimal comma (as the profile
 * import reads it, domain/import-mapping.ts `decimalForDelimiter`). A `,` suggests nothing: an
 * English sheet writes 1,500.00, but a `1.500` there may be anyone's, so it is refused as
 * ambiguous rather than read as 1.50.
 */
export function decideDecimal(samples: readonly string[], delimiter: string | undefined): ',' | '.' | undefined {
  let comma = 0;
  let point = 0;
  for (const raw of samples) {
    const t = removeFormulaGuard(raw).trim();
    if (/,\d{1,2}\s*\D*$/.test(t) && !/\.\d{1,2}\s*\D*$/.test(t)) comma++;
    else if (/\.\d{1,2}\s*\D*$/.test(t)) point++;
  }
  if (comma > 0 && point === 0) return ',';
  if (point > 0 && comma === 0) return '.';
  if (delimiter === ';') return ',';
  return undefined;
}

const SPREADSHEET_NOISE = /^([+-]?\d+)\.(\d{9,})$/;

/** An amount cell → integer cents, or the reason it is not one (no cell text in the reason). */
export function parseSaleCell(text: string, decimal: ',' | '.' | undefined): { cents: number } | { reason: string } {
  let t = removeFormulaGuard(text).trim();
  if (t === '') return { reason: 'amount: the cell is empty' };
  const noise = SPREADSHEET_NOISE.exec(t);
  if (noise) {
    const n = Number(t);
    const cents = Math.round(n * 100);
    if (Number.isSafeInteger(cents) && Math.abs(n * 100 - cents) < 1e-4) return { cents };
    return { reason: 'amount: has more than two decimals' };
  }
  const bare = t.replace(/^[^\d+-]+|[^\d]+$/g, '');
  if (/^[+-]?\d{1,3}([.,])\d{3}$/.test(bare)) {
    // 1.500 or 1,500: thousands, unless the separator is the sheet's decimal one
    const sep = bare.includes('.') ? '.' : ',';
    if (decimal === undefined) return { reason: 'amount: thousands or three decimals? write it with two decimals (1500.00 or 1.50)' };
    if (sep !== decimal) t = t.replace(sep, '');
    else {
      // three decimals: 1.500 is 1.50; 1.234 has a decimal too many
      const [whole, frac] = bare.split(sep) as [string, string];
      if (!frac.endsWith('0')) return { reason: 'amount: has more than two decimals' };
      t = `${whole}.${frac.slice(0, 2)}`;
    }
  } else if (decimal === ',' && /^[+-]?\d{1,3}(\.\d{3})+$/.test(bare)) {
    t = t.replace(/\./g, '');
  } else if (decimal === '.' && /^[+-]?\d{1,3}(,\d{3})+$/.test(bare)) {
    t = t.replace(/,/g, '');
  } else if (decimal !== undefined && bare.split(decimal).length > 2) {
    // 1.500.000 where the sheet's amounts have a decimal point: not an amount of this sheet
    return { reason: `amount: "${decimal}" is the decimal separator of this sheet's amounts, so it cannot group thousands` };
  }
  const cents = parseMoneyCents(t);
  if (cents === null) return { reason: 'amount: not a number (write e.g. 19.99, 19,99 or -5.00 for a refund)' };
  return { cents };
}

export interface SaleValues {
  key: string | number;
  date: string;
  amount_cents: number;
  item: string | null;
}

export interface RowContext {
  today: string;
  dateFormat?: string;
  slashOrder?: SlashOrder | 'ambiguous';
  decimal?: ',' | '.';
}

export type SaleRowResult = { ok: true; values: SaleValues } | { ok: false; reason: string };

/** One row's cells → a sale, or the reason it is rejected. Pure. */
export function saleRow(mapping: SalesMapping, cells: readonly string[], ctx: RowContext): SaleRowResult {
  const width = widthProblem(cells, mapping.width);
  if (width !== null) return { ok: false, reason: width };
  if (cells.some((c) => c.includes('\u0000'))) return { ok: false, reason: 'contains a NUL byte' };
  const keyText = removeFormulaGuard(cells[mapping.keyColumn.index] ?? '').trim();
  if (keyText === '') return { ok: false, reason: `its ${mapping.key} cell is empty` };
  let key: string | number;
  try {
    key = parseFieldValue(fieldByName(mapping.key)!, keyText) as string | number;
  } catch (err) {
    if (err instanceof ValidationError) return { ok: false, reason: err.message };
    throw err;
  }
  const dateText = removeFormulaGuard(cells[mapping.date.index] ?? '').trim();
  if (dateText === '') return { ok: false, reason: 'date: the cell is empty' };
  const date = parseImportDate('date', dateText, { dateFormat: ctx.dateFormat, slashOrder: ctx.slashOrder });
  if ('reason' in date) return { ok: false, reason: date.reason };
  if (date.value > ctx.today) return { ok: false, reason: 'date: is after today' };
  const amount = parseSaleCell(cells[mapping.amount.index] ?? '', ctx.decimal);
  if ('reason' in amount) return { ok: false, reason: amount.reason };
  let item: string | null = null;
  if (mapping.item) {
    try {
      item = cleanItem(removeFormulaGuard(cells[mapping.item.index] ?? ''), 'item');
    } catch (err) {
      if (err instanceof ValidationError) return { ok: false, reason: err.message };
      throw err;
    }
  }
  return { ok: true, values: { key, date: date.value, amount_cents: amount.cents, item } };
}

// ---------------------------------------------------------------------------------------------
// The import

export interface ImportSalesInput {
  file: string;
  format?: string;
  key?: string;
  map?: Record<string, string>;
  dateFormat?: string;
  dryRun: boolean;
  atomic: boolean;
  rejectsPath?: string;
  delimiter?: string;
  encoding?: string;
  sheet?: string;
  /** Rows per transaction (default 10000: fewer commits, without much more memory). */
  batchSize?: number;
  /** Milliseconds of work per transaction at most (default 1000), so other processes get their turn. */
  batchMs?: number;
  onProgress?: (rowsDone: number) => void;
  stdin?: Readable;
}

export interface SalesImportReport extends ImportFileReport {
  sales: true;
  /** Headers of the columns that were not read. */
  ignoredColumns: string[];
}

const MAX_REPORTED = 20;
const MAX_CACHED_KEYS = 50_000;

function salesFormat(file: string, flag: string | undefined): 'csv' | 'xlsx' {
  const ext = path.extname(file).toLowerCase();
  const f = flag?.toLowerCase() ?? (ext === '.xlsx' ? 'xlsx' : ext === '.vcf' || ext === '.vcard' ? 'vcf' : 'csv');
  if (f === 'csv' || f === 'xlsx') return f;
  throw new UsageError(`--sales reads csv or xlsx, not ${f}; a vCard holds no sales.`);
}

export async function importSalesFile(ctx: AppContext, input: ImportSalesInput): Promise<SalesImportReport> {
  const started = performance.now();
  const format = salesFormat(input.file, input.format);
  const label = input.file === '-' ? 'stdin' : input.file;
  checkSheetOption(input.sheet, format, label);
  let source: TabularSource;
  /** How the source is written, for a rejects file written alike (a CSV's; an xlsx's rows as CSV text). */
  let rejectsStyle = (): RejectsStyle => PLAIN_REJECTS;
  if (format === 'csv') {
    const { openCsvSource } = await import('../io/csv-source.js');
    const csv = await openCsvSource(openInput(input.file, input.stdin), label, { encoding: input.encoding, delimiter: input.delimiter });
    rejectsStyle = csv.rejectsStyle;
    source = csv;
  } else {
    const { openXlsxSource } = await import('../io/xlsx-source.js');
    source = await openXlsxSource(input.file, { sheet: input.sheet });
  }
  const mapping = mapSalesHeaders(source.headers, { key: input.key, map: input.map });
  const keyField = mapping.key;

  // the first rows settle the slash-date order and the decimal separator
  const { sample, all: rows } = await readAhead(source.rows);
  const rowContext: RowContext = {
    today: ctx.clock.today(),
    dateFormat: input.dateFormat,
    slashOrder: input.dateFormat ? undefined : decideSlashOrder(sample.map((r) => r.cells[mapping.date.index] ?? '')),
    // an xlsx's number cells read as 1234.5 whatever the sheet's locale, so they tell nothing about
    // how its text cells were typed: there a 1.500 stays ambiguous
    decimal: format === 'csv' ? decideDecimal(sample.map((r) => r.cells[mapping.amount.index] ?? ''), source.delimiter) : undefined,
  };

  const report: SalesImportReport = {
    rows: 0, inserted: 0, updated: 0, unchanged: 0, skipped: 0, rejected: 0, companiesCreated: 0, repeated: 0, rejections: [],
    key: keyField, seconds: 0, dryRun: input.dryRun, file: label, format,
    ...(format === 'csv' ? { encoding: source.encoding, guessed: source.guessed, delimiter: source.delimiter } : {}),
    rejectsPath: input.rejectsPath, sales: true, ignoredColumns: mapping.ignored,
  };

  const rejects = input.rejectsPath
    ? new RejectsFile(input.rejectsPath, () => source.headerRaw, importReads(ctx.store.path, input.file), rejectsStyle)
    : null;
  const reject = (line: number, raw: string, reason: string) => {
    report.rejected++;
    if (report.rejections.length < MAX_REPORTED) report.rejections.push({ line, reason });
    rejects?.add(raw);
  };

  const { store, clock } = ctx;
  let bulkLoad: { finish(): void } | null = null;
  /** One transaction: --dry-run, --atomic, or a first sales import (decided in the write lock). */
  let single = input.dryRun || input.atomic;
  const batchSize = input.batchSize ?? 10_000;
  const batchMs = input.batchMs ?? 1000;
  const profileOf = new Map<string, number | 'none' | 'ambiguous'>();
  const claimed = new ClaimedIds();
  let maxIdBefore = 0;
  let inBatch = 0;
  // what the open batch did, taken back from the report when it is rolled back
  let batchInserted = 0;
  let batchUnchanged = 0;
  let batchStarted = 0;
  let now = clock.now();

  /**
   * The open batch's new sales, written in profile order when the batch ends: each insert's
   * trigger updates its profile's row, and in profile order those updates walk the table instead
   * of jumping about a large file (measured: the biggest cost of a sales import). Sale ids then
   * follow the profiles within a batch rather than the lines; nothing depends on that order.
   */
  let pending: NewSale[] = [];
  const flush = () => {
    pending.sort((a, b) => a.profile_id - b.profile_id);
    for (const sale of pending) store.sales.add(sale);
    pending = [];
  };

  const lookup = (key: string | number): number | 'none' | 'ambiguous' => {
    // as the index compares (NOCASE folds ASCII letters only), or Ä and ä would share a profile
    const cacheKey = keyIdentity(keyField, key);
    const cached = profileOf.get(cacheKey);
    if (cached !== undefined) return cached;
    const found = store.profiles.idsByKey(keyField, key);
    const result = found.length === 0 ? 'none' : found.length > 1 ? 'ambiguous' : found[0]!;
    if (profileOf.size >= MAX_CACHED_KEYS) profileOf.clear();
    profileOf.set(cacheKey, result);
    return result;
  };

  const begin = () => {
    store.begin();
    inBatch = 0;
    batchInserted = 0;
    batchUnchanged = 0;
    batchStarted = performance.now();
    now = clock.now();
    // profiles may have changed between batches (another process): look them up afresh
    profileOf.clear();
  };

  const bulk = store.guard(() => store.sales.beginBulk());
  let interrupt: InterruptWatch | null = null;
  try {
    begin();
    maxIdBefore = store.sales.maxId();
    try {
      // a first sales import is one transaction (see above)
      if (!input.dryRun && maxIdBefore === 0) {
        bulkLoad = store.beginBulkLoad('sales');
        single = true;
      }
      // batches are committed as they go: a signal stops the import between two (app/interrupt.ts)
      if (!single) interrupt = watchInterrupt();
      for await (const row of rows) {
        report.rows++;
        const result = saleRow(mapping, row.cells, rowContext);
        if (!result.ok) {
          reject(row.line, row.raw, result.reason);
        } else {
          const { key, ...sale } = result.values;
          const profileId = lookup(key);
          if (profileId === 'none') reject(row.line, row.raw, `its ${keyField} matches no profile`);
          else if (profileId === 'ambiguous') reject(row.line, row.raw, `its ${keyField} matches more than one profile`);
          else {
            const candidate = { profile_id: profileId, ...sale };
            const match = maxIdBefore > 0 ? store.sales.identical(candidate, maxIdBefore).find((id) => !claimed.has(id)) : undefined;
            if (match !== undefined) {
              claimed.add(match);
              report.unchanged++;
              batchUnchanged++;
            } else {
              pending.push({ ...candidate, source: ctx.source, created_at: now });
              report.inserted++;
              batchInserted++;
            }
          }
        }
        inBatch++;
        if (single && pending.length >= batchSize) flush();
        if (single && report.rows % 2000 === 0) input.onProgress?.(report.rows);
        if (!single && (inBatch >= batchSize || performance.now() - batchStarted > batchMs)) {
          flush();
          store.commit();
          input.onProgress?.(report.rows);
          await interrupt?.between();
          begin();
        }
      }
    } catch (err) {
      store.rollback();
      if (err instanceof Interrupted) {
        // thrown right after a commit: every counted sale is in
        report.interrupted = err.signal;
        report.stopped = stoppedBy(err.signal, report.inserted, 'sale');
        report.seconds = (performance.now() - started) / 1000;
        return report;
      }
      if (err instanceof RejectedInputError && !single) {
        report.inserted -= batchInserted;
        report.unchanged -= batchUnchanged;
        const done = report.inserted;
        report.stopped = `${err.message} The import stopped there${done > 0 ? '; rows before that were imported, and running it again after the fix is safe' : '; nothing was imported'}.`;
        report.seconds = (performance.now() - started) / 1000;
        return report;
      }
      // a lock held too long, a full disk: say what the batches committed before it hold
      throw single ? err : withCommitted(err, report.inserted - batchInserted, 'sale');
    }
    if (input.dryRun || (input.atomic && report.rejected > 0)) {
      store.rollback();
      if (!input.dryRun) report.rolledBack = true;
    }
    else {
      flush();
      if (bulkLoad !== null) {
        try {
          bulkLoad.finish(); // Store's BulkLoad translates SQLite's errors itself
        } catch (err) {
          store.rollback();
          throw err;
        }
      }
      store.commit();
    }
    rejects?.finish();
  } finally {
    interrupt?.stop();
    rejects?.close();
    store.guard(() => store.sales.endBulk(bulk));
  }
  report.seconds = (performance.now() - started) / 1000;
  // as read to the end: a guessed UTF-8 may have turned out to be Windows-1252 (io/sniff.ts)
  if (format === 'csv') Object.assign(report, { encoding: source.encoding, guessed: source.guessed });
  return report;
}
