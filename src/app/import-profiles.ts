/**
 * Importing profiles: rows matched on a key and applied in file order, in batched IMMEDIATE
 * transactions; invalid rows rejected with their line and reason; `--atomic` and `--dry-run` in
 * one transaction that commits only when asked and clean.
 *
 * Decisions (SPEC.md is silent):
 * - A row whose key cell is empty is matched on its exact name and kind, to a profile that no
 *   earlier row of the same import has matched or made: the n-th such row of a name pairs with
 *   the n-th profile of it (by id). So two Anna Schmidts in a file without e-mails stay two
 *   profiles, and importing the file again pairs each row with its own (git-like: rows are told
 *   apart by order where nothing else tells them apart).
 * - An empty cell never clears a field; tags are only added. A re-import of an unchanged file
 *   therefore finds nothing to change and rewrites no row.
 * - `--on-conflict fail` rejects the row whose key exists (exit 4), it does not stop the import.
 * - A structural error (an unclosed quote, a record over the size limit) stops the import. Batches
 *   committed before it stay (they are whole rows), the open batch is rolled back, and the message
 *   says where it stopped; with --atomic or --dry-run nothing at all is written.
 */
import { RejectedInputError, UsageError } from '../errors.js';
import { Interrupted, stoppedBy, watchInterrupt, withCommitted } from './interrupt.js';
import { type Kind, fieldByName } from '../domain/fields.js';
import {
  type ColumnMapping,
  type ImportValues,
  type RowContext,
  type RowResult,
  type SlashOrder,
  decideSlashOrders,
  MAPPING_REVISION,
  keyCellOf,
  keyCellReader,
  linkedCompanyName,
  mapHeaders,
  rowToRecord,
  widthProblem,
} from '../domain/import-mapping.js';
import {
  type ChangeRequest,
  type Profile,
  type ProfileDraft,
  applyChanges,
  emptyDraft,
  personName,
  splitPersonName,
  toDraft,
} from '../domain/profile.js';
import { parseFieldValue } from '../domain/values.js';
import type { AppContext } from './context.js';
import { recordCreation, writeChanges } from './profiles.js';
import type { Store } from '../storage/store.js';
import { nocase } from '../storage/db.js';
import { type ImportState, keyIdentity } from '../storage/profile-repo.js';
import { IdIndex, type IdSource } from './id-index.js';
import { ClaimedIds } from './claimed-ids.js';
import { type HashSeed, hashFrom, importFingerprint, linkedByRow, rowSeed, sameRow, storedFingerprint } from '../domain/import-fingerprint.js';
import { VERSION } from '../version.js';

export type OnConflict = 'update' | 'skip' | 'fail';

export interface ImportOptions {
  key?: string;
  onConflict: OnConflict;
  map?: Record<string, string>;
  dateFormat?: string;
  dryRun: boolean;
  atomic: boolean;
  /** Rows per transaction (and at most ~250 ms of work each). */
  batchSize?: number;
  onReject?: (row: { line: number; raw: string; reason: string }) => void;
  /** false: never bulk-load, even into an empty file (tests of the batched path). */
  bulk?: boolean;
  /**
   * Whether the file has a column for the key field: then a row without a key value is another
   * profile than those that have one (see findExisting). Unknown: assumed.
   */
  keyInFile?: (key: string) => boolean;
  onProgress?: (rowsDone: number) => void;
}

export interface ImportReport {
  rows: number;
  inserted: number;
  updated: number;
  unchanged: number;
  skipped: number;
  rejected: number;
  companiesCreated: number;
  /** Rows whose key matched a profile an earlier row of the file matched or made (applied in file order). */
  repeated: number;
  /** The first rejections (all are written to --rejects). */
  rejections: { line: number; reason: string }[];
  key: string;
  seconds: number;
  dryRun: boolean;
  /** A structural error that ended the import early. */
  stopped?: string;
  /** Set with `stopped` when a signal stopped the import (exit 130, not 4). */
  interrupted?: NodeJS.Signals;
  /** `--atomic` with rejected rows: nothing was written, the counts are what would have been. */
  rolledBack?: boolean;
  /** What was done with a row whose key exists. */
  onConflict?: OnConflict;
}

/** One record ready to apply: a tabular row (mapped now, or when `result` is first read), or a vCard. */
export interface ImportRecord {
  line: number;
  raw: string;
  result: RowResult;
  /** The row's fingerprint (mapRow's, from its raw text); a vCard has none until the import makes it from its values (importFingerprint). */
  fp?: number;
  /** What the re-import short cut reads, ahead of the values (a row not mapped yet brings it). */
  head?: RecordHead;
}

/**
 * What the re-import short cut reads of a row: only its key cell, because a matching fingerprint
 * says the rest (it is the row's own, see domain/import-fingerprint.ts).
 */
export interface RecordHead {
  /** The trimmed value of the import key's field; empty when the row has none. */
  keyCell: string;
}

/** What the re-import short cut reads of a mapped row. */
export function headOf(values: ImportValues, key: string): RecordHead {
  return { keyCell: keyCellOf(values.set, key) };
}

/**
 * Asks where unknown columns go: returns `--map` entries (header → field, `custom.NAME` or `-`);
 * a header left out stays a custom field.
 */
export type UnknownColumnsAsker = (headers: string[]) => Promise<Record<string, string>>;

const KEYABLE = new Set(['external_id', 'email', 'phone', 'name', 'id', 'website']);
/** Rows read ahead to decide slash-date order per column: this many, or this much text. */
const SAMPLE_ROWS = 1000;
const SAMPLE_CHARS = 4 << 20;
const COMPANY_CACHE = 10_000;
const MAX_REPORTED = 20;

export function checkKey(key: string): void {
  const field = fieldByName(key);
  if (!field || !(KEYABLE.has(key) || field.type === 'text' || field.type === 'email')) {
    throw new UsageError(`--key must be a field that identifies a profile, such as external_id, email or phone; "${key}" is not one.`);
  }
}

export interface TabularOptions {
  map?: Record<string, string>;
  dateFormat?: string;
  askUnknown?: UnknownColumnsAsker;
  decimal?: ',' | '.';
  /** How the source's text is cut into cells (a CSV's delimiter): part of the rows' fingerprints. */
  dialect?: string;
}

/** A CSV's dialect for TabularOptions (the quote is always `"`). */
export function csvDialect(delimiter: string): string {
  return `csv${delimiter}`;
}

/** How a tabular source's rows are mapped, settled before the first row: all a row's values depend on besides its cells. */
export interface RowMapping {
  mapping: ColumnMapping[];
  context: RowContext;
  /** The header's number of cells: every row must have as many. */
  width: number;
  /** Seeds the rows' fingerprints (domain/import-fingerprint.ts `rowSeed`). */
  seed: HashSeed;
}

/**
 * Settles the mapping of a tabular source: the columns (asking about unknown ones at a terminal),
 * then slash-date order per column from the first rows (read ahead). `all` yields every row.
 */
export async function settleMapping<T extends { raw: string; cells: string[] }>(
  headers: string[],
  rows: AsyncIterable<T>,
  options: TabularOptions,
): Promise<{ rowMapping: RowMapping; all: AsyncIterable<T> }> {
  let mapping = mapHeaders(headers, { map: options.map });
  const unknown = mapping.filter((m) => m.via === 'unknown').map((m) => m.header);
  if (options.askUnknown && unknown.length > 0) {
    // at a terminal: the user says where each unknown column goes; answers extend --map
    const answers = await options.askUnknown(unknown);
    if (Object.keys(answers).length > 0) mapping = mapHeaders(headers, { map: { ...options.map, ...answers } });
  }
  const { sample, all } = await readAhead(rows);
  const slashOrders: Record<number, SlashOrder | 'ambiguous'> = options.dateFormat ? {} : decideSlashOrders(mapping, sample.map((r) => r.cells));
  const context: RowContext = { dateFormat: options.dateFormat, slashOrders, decimal: options.decimal };
  const signature = JSON.stringify([VERSION, MAPPING_REVISION, options.dialect ?? '', headers.length, mapping, context]);
  return { rowMapping: { mapping, context, width: headers.length, seed: rowSeed(signature) }, all };
}

/** One tabular row as an import record: mapped, with its fingerprint. */
export function mapRow(m: RowMapping, row: { line: number; cells: string[]; raw: string }): ImportRecord {
  const fp = hashFrom(m.seed, row.raw);
  const problem = shapeProblem(m, row);
  return { line: row.line, raw: row.raw, fp, result: problem !== null ? { ok: false, reason: problem } : rowToRecord(m.mapping, row.cells, m.context) };
}

/** Why a row cannot be mapped whatever its values (the reason it is rejected with); null when it can. */
function shapeProblem(m: RowMapping, row: { cells: string[]; raw: string }): string | null {
  const width = widthProblem(row.cells, m.width);
  if (width !== null) return width;
  // the cells are the raw text's (less quotes): one search instead of one per cell
  return row.raw.includes('\u0000') ? 'contains a NUL byte' : null;
}

/**
 * Maps a tabular source's rows (see settleMapping); `onMapping` is told the mapping before the
 * first row. With `lazyKey` (a re-import's key), a row whose key cell can be read alone is mapped
 * only when its values are asked for (a `LazyRecord`): the short cut skips unchanged rows without.
 */
export async function* mapRows(
  headers: string[],
  rows: AsyncIterable<{ line: number; cells: string[]; raw: string }>,
  options: TabularOptions & { lazyKey?: (mapping: ColumnMapping[]) => string | null },
  onMapping?: (mapping: ColumnMapping[]) => void,
): AsyncGenerator<ImportRecord> {
  const { rowMapping, all } = await settleMapping(headers, rows, options);
  onMapping?.(rowMapping.mapping);
  const key = options.lazyKey?.(rowMapping.mapping) ?? null;
  const readKey = key === null ? null : keyCellReader(rowMapping.mapping, key);
  for await (const row of all) {
    const keyCell = readKey === null ? '' : unmappedKeyCell(rowMapping, readKey, row);
    yield keyCell === '' ? mapRow(rowMapping, row) : new LazyRecord(rowMapping, row, keyCell);
  }
}

/**
 * The key cell of a row that may be left unmapped until the short cut has looked at it; empty
 * when it must be mapped now: it has no key cell (it goes the long way anyway), or mapRow rejects
 * it for its shape (so the reason travels with it).
 */
export function unmappedKeyCell(rowMapping: RowMapping, readKey: (cells: readonly string[]) => string, row: { cells: string[]; raw: string }): string {
  return shapeProblem(rowMapping, row) === null ? readKey(row.cells) : '';
}

/** A row mapped when its values are first asked for (see mapRows). */
class LazyRecord implements ImportRecord {
  readonly line: number;
  readonly raw: string;
  readonly fp: number;
  readonly head: RecordHead;
  private mapped: RowResult | undefined;
  constructor(
    private readonly rowMapping: RowMapping,
    private readonly row: { line: number; cells: string[]; raw: string },
    keyCell: string,
  ) {
    this.line = row.line;
    this.raw = row.raw;
    this.fp = hashFrom(rowMapping.seed, row.raw);
    this.head = { keyCell };
  }

  get result(): RowResult {
    this.mapped ??= rowToRecord(this.rowMapping.mapping, this.row.cells, this.rowMapping.context);
    return this.mapped;
  }
}

/**
 * The first rows of a source, read ahead to settle per-column choices (slash-date order, decimal
 * separator), and all rows again from the first. At most SAMPLE_ROWS rows or SAMPLE_CHARS of
 * text: a file of 200 KB notes must not be held 1,000 rows at a time (the import worker's heap
 * is capped).
 */
export async function readAhead<T extends { raw: string }>(rows: AsyncIterable<T>): Promise<{ sample: T[]; all: AsyncIterable<T> }> {
  const iterator = rows[Symbol.asyncIterator]();
  const sample: T[] = [];
  let done = false;
  let chars = 0;
  while (sample.length < SAMPLE_ROWS && chars < SAMPLE_CHARS) {
    const next = await iterator.next();
    if (next.done) {
      done = true;
      break;
    }
    sample.push(next.value);
    chars += next.value.raw.length;
  }
  async function* all(): AsyncGenerator<T> {
    yield* sample;
    if (done) return;
    for (;;) {
      const next = await iterator.next();
      if (next.done) return;
      yield next.value;
    }
  }
  return { sample, all: all() };
}

/** Groups records for `importRecords`: one await per batch instead of one per row. */
export async function* inBatches<T>(items: AsyncIterable<T>, size = 500): AsyncGenerator<T[]> {
  let batch: T[] = [];
  for await (const item of items) {
    batch.push(item);
    if (batch.length >= size) {
      yield batch;
      batch = [];
    }
  }
  if (batch.length > 0) yield batch;
}

/** Applies records (in batches, in file order) to the store. */
export async function importRecords(ctx: AppContext, records: AsyncIterable<ImportRecord[]>, options: ImportOptions, keyHint: string): Promise<ImportReport> {
  const key = options.key ?? keyHint;
  checkKey(key);
  // A first import into an empty file is a bulk load: one transaction, indexes built at the end
  // (see storage/bulk-load.ts), rows found through the ids it loaded (see loadedFinder). It keeps
  // the WAL: a rollback journal wrote the load ~3 s faster on 1M rows, but once its pages spilled
  // it held the file's exclusive lock, and every other command (a cron `remind`) waited for the
  // commit or failed with "locked".
  const bulk = !options.dryRun && options.bulk !== false && ctx.store.profiles.isEmpty();
  return applyRecords(ctx, records, options, key, bulk);
}

async function applyRecords(ctx: AppContext, records: AsyncIterable<ImportRecord[]>, options: ImportOptions, key: string, wantBulk: boolean): Promise<ImportReport> {
  const started = performance.now();
  const { store, clock } = ctx;
  const keyField = fieldByName(key)!;
  const report: ImportReport = { rows: 0, inserted: 0, updated: 0, unchanged: 0, skipped: 0, rejected: 0, companiesCreated: 0, repeated: 0, rejections: [], key, seconds: 0, dryRun: options.dryRun, onConflict: options.onConflict };
  // decided again inside the write lock: another import may have filled the file meanwhile
  store.begin();
  let bulk: boolean;
  try {
    bulk = wantBulk && store.profiles.isEmpty();
  } catch (err) {
    store.rollback();
    throw err;
  }
  const finder = bulk ? loadedFinder(store, key) : indexFinder(store, key);
  /** Profiles a row of this import has matched or made: a row without a key looks for another. */
  const claimed = new ClaimedIds();
  /** Claims a row's profile; a profile claimed before by another row is a repeated key. */
  const claim = (id: number) => {
    if (claimed.has(id)) report.repeated++;
    else claimed.add(id);
  };
  const single = options.dryRun || options.atomic || bulk;
  const batchSize = options.batchSize ?? 5000;
  /**
   * Company name (NOCASE-folded) → id, as found or created for key contacts and company rows:
   * a cache in front of the finder, emptied when full so that memory stays flat however many
   * companies a file has (a contact's company is mostly a row or two above it).
   */
  const companyIds = new Map<string, number>();
  const rememberCompany = (lower: string, id: number) => {
    if (companyIds.size >= COMPANY_CACHE) companyIds.clear();
    companyIds.set(lower, id);
  };
  /** Companies this import created only because a key contact named them: a later row of the company itself fills them in. */
  const createdForContacts = new Map<string, number>();
  let inBatch = 0;
  let batchStarted = 0;
  let now = clock.now();
  /** The counts as of the last commit: what a rollback of the open batch leaves true. */
  let committed = { ...report };
  /** Batches are committed as they go: a signal stops the import between two of them (app/interrupt.ts). */
  const interrupt = single ? null : watchInterrupt();

  const reject = (line: number, raw: string, reason: string) => {
    report.rejected++;
    if (report.rejections.length < MAX_REPORTED) report.rejections.push({ line, reason });
    options.onReject?.({ line, raw, reason });
  };

  /**
   * The company a key contact's row names, found or created; the row's company fields (`companySet`)
   * are applied to it every time, in file order, so a later row's industry wins as a later row's
   * city does. `changed`: an existing company was changed (the row then counts as updated).
   */
  const findCompany = (name: string, companySet: { field: string; value: string }[] | undefined): { id: number; changed: boolean } => {
    const lower = nocase(name.trim());
    let id = companyIds.get(lower);
    if (id === undefined) {
      id = finder.companyId(name.trim());
      if (id === undefined) {
        const draft = applyChanges(emptyDraft('company'), { set: [{ field: 'name', value: name }, ...(companySet ?? [])], unset: [], tagEdits: [] });
        id = store.profiles.insert(draft, now);
        finder.stored(id, draft, null);
        recordCreation(ctx, id, draft, now);
        report.companiesCreated++;
        createdForContacts.set(lower, id);
        rememberCompany(lower, id);
        return { id, changed: false };
      }
      rememberCompany(lower, id);
    }
    if (!companySet || companySet.length === 0) return { id, changed: false };
    const before = toDraft(store.profiles.byId(id)!);
    return { id, changed: writeUpdate(id, before, applyChanges(before, { set: companySet, unset: [], tagEdits: [] })) };
  };

  /** Writes the difference between two drafts with its history; false when there is none. */
  const writeUpdate = (id: number, before: ProfileDraft, after: ProfileDraft, importFp: number | null = null): boolean => {
    if (writeChanges(ctx, id, before, after, now, importFp).length === 0) return false;
    finder.stored(id, after, before);
    return true;
  };

  /** The display name a row gives its profile, as applyChanges makes it ("Müller, Anna" is Anna Müller). */
  const nameOf = (request: ChangeRequest, kind: Kind): string => {
    const whole = request.set.find((s) => s.field === 'name')?.value;
    if (whole !== undefined && kind === 'person') {
      const split = splitPersonName(whole.trim());
      return personName(split.first_name, split.last_name);
    }
    return (whole ?? [request.set.find((s) => s.field === 'first_name')?.value, request.set.find((s) => s.field === 'last_name')?.value].filter(Boolean).join(' ')).trim();
  };
  /**
   * The import states of a whole batch's keys, read in one query (3x faster than one query a
   * row on 1M profiles), valid until the batch writes anything: from then on each row reads its
   * own (an earlier row may have changed the profile a later one matches).
   */
  let prefetched: ((value: string | number) => ImportState[]) | null = null;
  const prefetch = (batch: ImportRecord[]) => {
    const values: (string | number)[] = [];
    for (const r of batch) {
      if (r.head === undefined || r.head.keyCell === '') continue;
      try {
        values.push(parseFieldValue(keyField, r.head.keyCell) as string | number);
      } catch {
        // an unreadable key: that row goes the long way and is rejected there
      }
    }
    prefetched = values.length === 0 ? null : store.profiles.importStates(key, values);
  };
  /**
   * A re-import's short cut (see storage migration 0030): the one profile with the row's key was
   * written from this very row (the fingerprints are the same) and not since, and a contact the
   * row linked to a company is linked still (a rename forgets the fingerprints it makes wrong:
   * ProfileRepo.companyRenamed). Rows that set company fields keep no fingerprint, so they, and
   * `--on-conflict skip|fail`, go the long way.
   * Returns true for "unchanged", else the fingerprint stored on the matched profile (or null).
   */
  const quickUnchanged = (head: RecordHead, fp: number): true | number | null => {
    if (head.keyCell === '') return null;
    const value = parseFieldValue(keyField, head.keyCell) as string | number;
    const state = prefetched !== null ? prefetched(value) : store.profiles.importState(key, value);
    if (state.length !== 1) return null;
    const stored = state[0]!.import_fp;
    if (stored === null || !sameRow(stored, fp)) return stored;
    // linked as the row says unless its company went away (ProfileRepo.companyRenamed tells the rest)
    if (linkedByRow(stored) && state[0]!.company_id === null) return stored;
    claim(state[0]!.id);
    return true;
  };

  /**
   * A row without a key value is matched by name: where the file has a column for the key, only to
   * a profile without a key value (a profile with one would be found by a row that has it, maybe
   * later in the file), else to any.
   */
  const keylessIn = (options.keyInFile?.(key) ?? true) ? key : null;
  const findExisting = (kind: Kind, request: ChangeRequest): Profile | undefined | 'ambiguous' => {
    const keyCell = keyCellOf(request.set, key);
    if (keyCell !== '') return finder.byKey(parseFieldValue(keyField, keyCell) as string | number);
    const name = nameOf(request, kind);
    return name === '' ? undefined : finder.byName(name, kind, claimed, keylessIn);
  };

  const startBatch = () => {
    inBatch = 0;
    batchStarted = performance.now();
    now = clock.now();
  };

  startBatch();
  let bulkLoad: ReturnType<Store['beginBulkLoad']> | null = null;
  try {
    if (bulk) bulkLoad = store.beginBulkLoad();
    // a re-import's short cut (in a bulk load only rows of this import can match: no fingerprint
    // is stored yet)
    const quick = !bulk && options.onConflict === 'update';
    for await (const batch of records) {
      if (quick) prefetch(batch);
      for (const record of batch) {
        report.rows++;
        // the short cut first: a row it skips is never mapped (LazyRecord, record-batches.ts)
        let stored: true | number | null = null;
        // a tabular row brings its fingerprint, a row not mapped yet its head too; a vCard's are made from its values
        let { head, fp } = record;
        if (head === undefined && record.result.ok) {
          head = headOf(record.result.values, key);
          fp ??= importFingerprint(record.result.values);
        }
        if (quick && head !== undefined && fp !== undefined) {
          try {
            stored = quickUnchanged(head, fp);
          } catch (err) {
            if (!(err instanceof UsageError || err instanceof RejectedInputError)) throw err;
            stored = null; // an unreadable key: the long way rejects the row with its reason
          }
        }
        if (stored === true) {
          report.unchanged++;
        } else if (!record.result.ok) {
          // a rejected row writes nothing: the batch's states still hold
          if (record.result.skip) report.skipped++;
          else reject(record.line, record.raw, record.result.reason);
        } else {
          // the long way may write: later rows of the batch read their state afresh
          prefetched = null;
          const values = record.result.values;
          const request: ChangeRequest = { set: values.set, unset: [], tagEdits: values.tagEdits ?? [] };
          // Everything is validated before anything is written, so a rejected row leaves no trace
          // (no savepoint needed): the company of a key contact is found or created last.
          try {
            const companyName = linkedCompanyName(values);
            const rowFp = storedFingerprint(fp ?? importFingerprint(values), values);
            let existing = findExisting(values.kind, request);
            if (existing === undefined && values.kind === 'company') {
              // the company's own row, after a key contact's row created it by name
              const name = nocase(nameOf(request, values.kind));
              const createdId = createdForContacts.get(name);
              if (createdId !== undefined) {
                createdForContacts.delete(name);
                existing = store.profiles.byId(createdId);
              }
            }
            if (existing !== undefined && existing !== 'ambiguous') claim(existing.id);
            if (existing === 'ambiguous') {
              throw new RejectedInputError(`its ${key} matches more than one profile`);
            } else if (existing === undefined) {
              const draft = applyChanges(emptyDraft(values.kind), request);
              // matched on external_id already: the lookup just said no profile has it
              const keyedOnIt = key === 'external_id' && keyCellOf(request.set, key) !== '';
              if (draft.external_id !== null && !keyedOnIt && store.profiles.externalIdTaken(draft.external_id, null)) {
                throw new RejectedInputError('external_id is already used by another profile');
              }
              if (companyName !== null) draft.company_id = findCompany(companyName, values.companySet).id;
              const id = store.profiles.insert(draft, now, rowFp);
              claimed.add(id);
              finder.stored(id, draft, null);
              recordCreation(ctx, id, draft, now);
              if (values.kind === 'company' && !companyIds.has(nocase(draft.name))) rememberCompany(nocase(draft.name), id);
              report.inserted++;
            } else if (existing.kind !== values.kind) {
              throw new RejectedInputError(`its ${key} belongs to a ${existing.kind}, but the row is a ${values.kind}`);
            } else if (options.onConflict === 'skip') {
              report.skipped++;
            } else if (options.onConflict === 'fail') {
              throw new RejectedInputError(`its ${key} exists already (--on-conflict fail)`);
            } else {
              const before = toDraft(existing);
              const after = applyChanges(before, request);
              if (after.external_id !== null && after.external_id !== before.external_id && store.profiles.externalIdTaken(after.external_id, existing.id)) {
                throw new RejectedInputError('external_id is already used by another profile');
              }
              const company = companyName !== null ? findCompany(companyName, values.companySet) : null;
              if (company !== null) after.company_id = company.id;
              if (writeUpdate(existing.id, before, after, rowFp) || company?.changed) {
                report.updated++;
              } else {
                report.unchanged++;
                // found unchanged the long way (a file imported before fingerprints, or edited
                // since): store the fingerprint once, so the next re-import takes the short cut;
                // one column, no history, updated_at untouched
                if (quick && rowFp !== null && stored !== rowFp) store.profiles.setImportFingerprint(existing.id, rowFp);
              }
            }
          } catch (err) {
            if (err instanceof UsageError || err instanceof RejectedInputError) {
              reject(record.line, record.raw, err.message);
            } else {
              throw err;
            }
          }
        }
        inBatch++;
        if (report.rows % 2000 === 0) options.onProgress?.(report.rows);
        if (!single && (inBatch >= batchSize || performance.now() - batchStarted > 250)) {
          store.commit();
          committed = { ...report };
          finder.committed();
          // a signal is handled by the event loop, which batches read from a queue never reach
          await interrupt?.between();
          // another process may write between two transactions: read states afresh
          prefetched = null;
          store.begin();
          startBatch();
        }
      }
    }
  } catch (err) {
    store.rollback();
    if ((err instanceof RejectedInputError || err instanceof Interrupted) && !single) {
      // the open batch is gone: count what is in the file (rows rejected stay rejected, and in --rejects)
      const rejectedSince = report.rejected - committed.rejected;
      Object.assign(report, { ...committed, rows: committed.rows + rejectedSince, rejected: report.rejected, rejections: report.rejections });
      const done = report.inserted + report.updated;
      if (err instanceof Interrupted) {
        report.interrupted = err.signal;
        report.stopped = stoppedBy(err.signal, done);
      } else {
        report.stopped = `${err.message} The import stopped there${done > 0 ? `; rows before that were imported, and running it again after the fix is safe` : '; nothing was imported'}.`;
      }
      report.seconds = (performance.now() - started) / 1000;
      return report;
    }
    // a lock held too long, a full disk: say what the batches committed before it hold
    throw single ? err : withCommitted(err, committed.inserted + committed.updated);
  } finally {
    interrupt?.stop();
  }
  if (options.dryRun || (options.atomic && report.rejected > 0)) {
    store.rollback();
    if (!options.dryRun) report.rolledBack = true;
  } else {
    try {
      bulkLoad?.finish();
    } catch (err) {
      store.rollback();
      throw err;
    }
    store.commit();
  }
  report.seconds = (performance.now() - started) / 1000;
  return report;
}

/**
 * How an import finds the profile a row matches: by its key, by its name when the key cell is
 * empty (more than one such profile: none, the row is new), and a key contact's company by name.
 */
interface Finder {
  byKey(value: string | number): Profile | undefined | 'ambiguous';
  /** The first profile (by id) of that name and kind that no row has claimed (and without a value of `withoutKey`, when given). */
  byName(name: string, kind: Kind, claimed: ClaimedIds, withoutKey: string | null): Profile | undefined;
  companyId(name: string): number | undefined;
  /** A profile the import inserted (`before` null) or changed, as it is now. */
  stored(id: number, draft: ProfileDraft, before: ProfileDraft | null): void;
  /** A batch was committed: another process may write before the next one. */
  committed(): void;
}

/** A name shared by this many profiles keeps its ids for the import (see indexFinder). */
const LONG_NAME_LIST = 16;
/** At most this many such ids are kept at a time. */
const NAME_IDS_KEPT = 200_000;

/** Through the file's indexes. */
function indexFinder(store: Store, key: string): Finder {
  /** The ids of names shared by many profiles, each with how far its rows have claimed them. */
  const lists = new Map<string, { ids: number[]; next: number }>();
  let kept = 0;
  /** Companies' former names (NOCASE-folded) → the company, null where several had one; read once a batch, again after a rename. */
  let formerNames: Map<string, number | null> | null = null;
  return {
    byKey(value) {
      const candidates = store.profiles.byKey(key, value);
      return candidates.length > 1 ? 'ambiguous' : candidates[0];
    },
    byName(name, kind, claimed, withoutKey) {
      // ids first: a common name has hundreds of profiles, and only one is read in full
      const k = `${kind}:${withoutKey ?? ''}:${nocase(name)}`;
      let list = lists.get(k);
      if (list === undefined) {
        const ids = store.profiles.idsByName(name, kind, withoutKey);
        if (ids.length < LONG_NAME_LIST) {
          const id = ids.find((candidate) => !claimed.has(candidate));
          return id === undefined ? undefined : store.profiles.byId(id);
        }
        // 24,000 rows of one name: reading the list and passing the claimed ids for every row
        // took 136 s; kept, each row moves on from where the last one stopped. Claims only grow,
        // and a profile that gets the name in this import is claimed by the row that gave it.
        if (kept + ids.length > NAME_IDS_KEPT) {
          lists.clear();
          kept = 0;
        }
        list = { ids, next: 0 };
        lists.set(k, list);
        kept += ids.length;
      }
      while (list.next < list.ids.length && claimed.has(list.ids[list.next]!)) list.next++;
      const id = list.ids[list.next];
      return id === undefined ? undefined : store.profiles.byId(id);
    },
    companyId(name) {
      const id = store.profiles.companyIdByName(name);
      if (id !== undefined) return id;
      // renamed since: a contact's row that names the company as it was called belongs to it
      // (else every import of the sheet would make a company of the old name and move the contacts)
      if (formerNames === null) {
        formerNames = new Map();
        for (const f of store.history.formerCompanyNames()) {
          const k = nocase(f.name);
          formerNames.set(k, formerNames.has(k) && formerNames.get(k) !== f.id ? null : f.id);
        }
      }
      return formerNames.get(nocase(name)) ?? undefined; // null: several companies had it
    },
    stored(_id, draft, before) {
      // a company renamed by this import: its old name is one more former name
      if (before !== null && before.kind === 'company' && before.name !== draft.name) formerNames = null;
    },
    committed() {
      lists.clear();
      kept = 0;
      formerNames = null;
    },
  };
}

/**
 * In a bulk load the table was empty and its indexes are set aside, so only rows of this import
 * can match: by key, through an IdIndex of what was loaded (id and external_id keep their own
 * index: the rowid and the UNIQUE constraint), and companies by name for key contacts.
 */
function loadedFinder(store: Store, key: string): Finder {
  const sql = indexFinder(store, key);
  const keyText = (value: unknown) => keyIdentity(key, value);
  /** The draft's key value is what was stored (revenue in cents, as revenue_cents). */
  const keyOfDraft = (draft: ProfileDraft) => {
    const value = (draft as unknown as Record<string, unknown>)[key];
    return value === null || value === undefined ? null : keyText(value);
  };
  const keys = key === 'id' || key === 'external_id' ? null : new IdIndex({
    keyOf(id) {
      const value = store.profiles.keyValue(id, key);
      return value === null || value === undefined ? undefined : keyText(value);
    },
    idsOf: (text) => store.profiles.byKey(key, text).map((p) => p.id),
  });
  const nameKey = (kind: string, name: string) => `${kind}:${nocase(name)}`;
  const byNameKey: IdSource = {
    keyOf(id) {
      const row = store.profiles.kindAndName(id);
      return row && nameKey(row.kind, row.name);
    },
    idsOf(text) {
      const colon = text.indexOf(':');
      return store.profiles.byName(text.slice(colon + 1), text.slice(0, colon) as Kind, 1).map((p) => p.id);
    },
  };
  // Companies by name, for key contacts.
  const companies = new IdIndex(byNameKey);
  return {
    byKey(value) {
      if (keys === null) return sql.byKey(value);
      const entry = keys.get(keyText(value));
      if (entry === undefined) return undefined;
      return entry.many ? 'ambiguous' : store.profiles.byId(entry.id);
    },
    // Every profile in the file is this import's: a row's own profile is claimed, and a company
    // made for key contacts is found by its own row through createdForContacts (applyRecords).
    byName: () => undefined,
    committed() {},
    companyId: (name) => companies.get(nameKey('company', name))?.id,
    stored(id, draft, before) {
      const name = draft.kind === 'company' ? nameKey(draft.kind, draft.name) : null;
      const oldName = before?.kind === 'company' ? nameKey(before.kind, before.name) : null;
      if (name !== oldName) {
        if (oldName !== null) companies.remove(oldName, id);
        if (name !== null) companies.add(name, id);
      }
      if (keys !== null) {
        const value = keyOfDraft(draft);
        const oldValue = before ? keyOfDraft(before) : null;
        if (value !== oldValue) {
          if (oldValue !== null) keys.remove(oldValue, id);
          if (value !== null) keys.add(value, id);
        }
      }
    },
  };
}
