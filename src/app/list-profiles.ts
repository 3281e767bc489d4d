/** Many profiles, filtered and sorted, streamed from one read snapshot. */
import type { Profile } from '../domain/profile.js';
import { sortSql } from '../storage/filter-sql.js';
import type { AppContext } from './context.js';
import { type FilterOptions, compileFilters } from './filters.js';

export interface ListInput {
  filters: FilterOptions;
  sort?: string;
  limit?: number;
}

export function listProfiles(ctx: AppContext, input: ListInput): IterableIterator<Profile> {
  const filter = compileFilters(ctx.store, input.filters, ctx.clock.today());
  const orderBy = sortSql(input.sort);
  return ctx.store.guard(() => ctx.store.profiles.iterate({ filter, orderBy, limit: input.limit ?? null }));
}

/**
 * The same profiles as JSON text of their public record (see ProfileRepo.iteratePublicJson), or,
 * for a row SQLite cannot write exactly, the profile itself.
 */
export function listProfilesAsJson(ctx: AppContext, input: ListInput): IterableIterator<string | Profile> {
  const filter = compileFilters(ctx.store, input.filters, ctx.clock.today());
  const orderBy = sortSql(input.sort);
  return ctx.store.guard(() => ctx.store.profiles.iteratePublicJson({ filter, orderBy, limit: input.limit ?? null }));
}

export function countProfiles(ctx: AppContext, filters: FilterOptions): number {
  const filter = compileFilters(ctx.store, filters, ctx.clock.today());
  return ctx.store.guard(() => ctx.store.profiles.count(filter));
}

/** The custom fields among the profiles a listing prints (its CSV columns). */
export function customKeysOf(ctx: AppContext, input: ListInput): string[] {
  const filter = compileFilters(ctx.store, input.filters, ctx.clock.today());
  return ctx.store.guard(() => ctx.store.profiles.customKeys(filter, { orderBy: sortSql(input.sort), limit: input.limit ?? null }));
}
