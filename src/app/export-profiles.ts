/**
 * `custfile export`: the matching profiles, streamed from one read snapshot, and a data
 * subject's own data (GDPR Art. 15/20) as one document.
 */
import type { Profile } from '../domain/profile.js';
import { sortSql } from '../storage/filter-sql.js';
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
  /** The company name of a key contact (for vCard ORG). */
  companyOf: (p: Profile) => string | null;
}

export function exportProfiles(ctx: AppContext, filters: FilterOptions, sort?: string): ProfileExport {
  const { store } = ctx;
  const filter = compileFilters(store, filters, ctx.clock.today());
  const orderBy = sortSql(sort);
  // one snapshot for the count, the custom columns and the rows
  store.beginRead();
  const customKeys = store.guard(() => store.profiles.customKeys(filter));
  const rows = store.guard(() => store.profiles.iterate({ filter, orderBy, limit: null }));
  return {
    count: () => store.guard(() => store.profiles.count(filter)),
    customKeys,
    rows: (function* () {
      try {
        yield* rows;
      } finally {
        if (store.inTransaction) store.commit();
      }
    })(),
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
