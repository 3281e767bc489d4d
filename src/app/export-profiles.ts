/**
 * `custfile export`: the matching profiles, streamed from one read snapshot, and a data
 * subject's own data (GDPR Art. 15/20) as one document.
 */
import type { Profile } from '../domain/profile.js';
import { sortSql } from '../storage/filter-sql.js';
import type { CsvCell } from '../storage/profile-csv.js';
import type { Communication } from '../storage/communication-repo.js';
import type { HistoryEntry } from '../storage/history-repo.js';
import type { Sale } from '../storage/sale-repo.js';
import type { AppContext } from './context.js';
import { type FilterOptions, compileFilters } from './filters.js';
import { resolveRef } from './resolve-ref.js';

export interface ProfileExport {
  /** How many rows match (a full count: asked only where it matters, e.g. xlsx's row limit). */
  count: () => number;
  customKeys: string[];
  rows: IterableIterator<Profile>;
  /**
   * The same rows as CSV that SQLite writes (storage/profile-csv.ts), in blocks (instead of
   * `rows`, for `--format csv`).
   */
  csvBlocks: (cells: readonly CsvCell[], delimiter: string, eol: string) => IterableIterator<CsvBlock>;
  /** A profile of the export's snapshot (for a CSV line that the caller writes itself). */
  byId: (id: number) => Profile;
  /** The company name of a key contact (for vCard ORG). */
  companyOf: (p: Profile) => string | null;
}

/**
 * Some rows of a CSV export. `bytes` holds their lines as one piece of UTF-8, each line ending in
 * the line break, straight from SQLite, and `lineLengths` their lengths in bytes (both empty where
 * SQLite cannot: a sorted export); `lines(skip)` gives the same rows' lines one by one with their
 * ids, from the `skip`th on, for a writer that has to look closer at some of them.
 */
export interface CsvBlock {
  bytes: Buffer;
  lineLengths: number[];
  lines: (skip: number) => Iterable<[id: number, line: string]>;
}

/** Rows per block: a block is ~1 MiB of CSV, one query and one write. */
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
  function* csvBlocks(cells: readonly CsvCell[], delimiter: string, eol: string): Generator<CsvBlock> {
    const { profiles } = store;
    const list = { filter, orderBy, limit: null };
    if (sort || !store.guard(() => profiles.textIsUtf8())) {
      // blocks are taken by id (the next rows after the last id), and their bytes must be UTF-8:
      // otherwise one block, read line by line
      yield { bytes: Buffer.alloc(0), lineLengths: [], lines: () => profiles.csvLines(list, cells, delimiter) };
      return;
    }
    let after = -Infinity;
    for (;;) {
      const block = store.guard(() => profiles.csvBlock(filter, cells, delimiter, eol, after, CSV_BLOCK_ROWS));
      if (!block) return;
      const ids = { after, upTo: block.lastId };
      yield { bytes: block.bytes, lineLengths: block.lineLengths, lines: (skip) => profiles.csvLines(list, cells, delimiter, { ...ids, skip }) };
      after = block.lastId;
    }
  }
  return {
    count: () => store.guard(() => store.profiles.count(filter)),
    customKeys,
    rows: inSnapshot(store.profiles.iterate({ filter, orderBy, limit: null })),
    csvBlocks: (cells, delimiter, eol) => inSnapshot(csvBlocks(cells, delimiter, eol)),
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
