/**
 * `custfile export`: the matching profiles, streamed from one read snapshot, and a data
 * subject's own data (GDPR Art. 15/20) as one document.
 */
import type { Profile } from '../domain/profile.js';
import { sortSql } from '../storage/filter-sql.js';
import type { CsvCell } from '../storage/profile-csv.js';
import type { CsvRows } from '../storage/profile-repo.js';
import type { Communication } from '../storage/communication-repo.js';
import type { HistoryEntry } from '../storage/history-repo.js';
import type { Sale } from '../storage/sale-repo.js';
import { OutputFile, databaseFiles, refuseOverwrite } from '../io/files.js';
import type { AppContext } from './context.js';
import { type FilterOptions, compileFilters } from './filters.js';
import { resolveRef } from './resolve-ref.js';

export interface ProfileExport {
  /** How many rows match (a full count: asked only where it matters, e.g. xlsx's row limit). */
  count: () => number;
  customKeys: string[];
  rows: IterableIterator<Profile>;
  /** The same rows as CSV lines that SQLite writes (instead of `rows`, for `--format csv`). */
  csv: (delimiter: string, eol: string) => CsvSource;
  /** Ends the read snapshot (`rows` ends it itself once read to its end; `csv` does not). */
  close: () => void;
  /** A profile of the export's snapshot (for a CSV line that the caller writes itself). */
  byId: (id: number) => Profile;
  /** The company name of a key contact (for vCard ORG). */
  companyOf: (p: Profile) => string | null;
}

/**
 * Where the lines of a CSV export come from, a block of rows at a time: SQLite writes them
 * (storage/profile-csv.ts) with the cells given on each call, so that a writer can ask for more
 * care in a column from some row on.
 */
export interface CsvSource {
  /**
   * The next rows, up to 4096, as one block of lines: UTF-8, each line ending in the line break,
   * and the lines' lengths in bytes; undefined past the last row.
   */
  nextBlock: (cells: readonly CsvCell[]) => { bytes: Buffer; lineLengths: number[] } | undefined;
  /** The last block's lines one by one (without line break), with their ids, from the `skip`th on. */
  blockLines: (cells: readonly CsvCell[], skip: number) => Iterable<[id: number, line: string]>;
  /** Ends the last block after the line that blockLines gave last: the next block goes on from there. */
  cutBlock: () => void;
}

/** Rows per CSV block: ~1 MiB of CSV, one query and one write. */
const CSV_BLOCK_ROWS = 4096;

export function exportProfiles(ctx: AppContext, filters: FilterOptions, sort?: string): ProfileExport {
  const { store } = ctx;
  const filter = compileFilters(store, filters, ctx.clock.today());
  const orderBy = sortSql(sort);
  // one snapshot for the count, the custom columns and the rows
  store.beginRead();
  const customKeys = store.guard(() => store.profiles.customKeys(filter));
  /** Streams `items`, then ends the snapshot. */
  function* inSnapshot<T>(items: Iterable<T>): Generator<T> {
    try {
      yield* items;
    } finally {
      if (store.inTransaction) store.commit();
    }
  }
  const list = { filter, orderBy, limit: null };
  /** What `close` ends besides the snapshot: queries still open. */
  const closing: (() => void)[] = [];
  const csv = (delimiter: string, eol: string): CsvSource => {
    const { profiles } = store;
    // by id, a block is the next rows after the last one; sorted, the next ids of one sorted query
    const sorted = sort ? profiles.sortedIds(filter, orderBy) : undefined;
    if (sorted) closing.push(() => sorted.return?.());
    let after = -Infinity;
    let pending: number[] = [];
    let rows: CsvRows | undefined;
    let given = { index: -1, id: after };
    const nextRows = (): CsvRows | undefined => {
      if (!sorted) return { filter, after, limit: CSV_BLOCK_ROWS };
      const ids = pending;
      pending = [];
      while (ids.length < CSV_BLOCK_ROWS) {
        const next = sorted.next();
        if (next.done) break;
        ids.push(next.value);
      }
      return ids.length > 0 ? { ids } : undefined;
    };
    return {
      nextBlock: (cells) => {
        rows = nextRows();
        const block = rows && store.guard(() => profiles.csvBlock(rows!, cells, delimiter, eol));
        if (block) after = block.lastId;
        return block;
      },
      blockLines: function* (cells, skip) {
        let index = skip;
        for (const [id, line] of profiles.csvLines(rows!, cells, delimiter, skip)) {
          given = { index: index++, id };
          yield [id, line];
        }
      },
      cutBlock: () => {
        if (rows && 'ids' in rows) pending = rows.ids.slice(given.index + 1);
        else after = given.id;
      },
    };
  };
  return {
    count: () => store.guard(() => store.profiles.count(filter)),
    customKeys,
    rows: inSnapshot(store.profiles.iterate(list)),
    csv,
    close: () => {
      for (const close of closing.splice(0)) close();
      if (store.inTransaction) store.commit();
    },
    byId: (id) => {
      const profile = store.guard(() => store.profiles.byId(id));
      if (!profile) throw new Error(`profile ${id} left the export's snapshot`);
      return profile;
    },
    companyOf: (p) => (p.kind === 'person' ? p.company : null),
  };
}

export interface SubjectExport {
  profile: Profile;
  company: { id: number; name: string } | null;
  contacts: { id: number; name: string }[];
  notes: Communication[];
  sales: Sale[];
  history: HistoryEntry[];
}

/** Everything custfile holds about one profile. */
export function exportSubject(ctx: AppContext, ref: string): SubjectExport {
  const { store } = ctx;
  return store.read(() => {
    const profile = resolveRef(store, ref);
    const company = profile.company_id !== null ? store.profiles.byId(profile.company_id) : undefined;
    return {
      profile,
      company: company ? { id: company.id, name: company.name } : null,
      contacts: profile.kind === 'company' ? store.profiles.contactsOf(profile.id).map((c) => ({ id: c.id, name: c.name })) : [],
      notes: store.communications.forProfile(profile.id),
      sales: store.sales.query({ profileId: profile.id }),
      history: store.history.query({ profileId: profile.id, order: 'oldest' }),
    };
  });
}

/**
 * The file an export writes (`--out`): never the customer file or its journals; written beside it
 * and put in its place only when whole (io/files.ts OutputFile).
 */
export function openExportFile(ctx: AppContext, out: string): OutputFile {
  refuseOverwrite(out, '--out', databaseFiles(ctx.store.path));
  return OutputFile.create(out);
}
