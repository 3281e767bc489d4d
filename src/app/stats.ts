/**
 * `custfile stats [--by FIELD] [FILTERS]`: the portfolio per group (industry, city, region,
 * lifecycle, kind, tag, a custom field, the month or year of customer_since …) with a totals row.
 *
 * Figures are integer cents end to end; the mean is rounded half away from zero to the cent in
 * integer arithmetic (BigInt), so no float ever touches a sum. With `--by tag` a profile counts
 * under each of its tags, so the groups may add up to more than the totals row, which counts
 * every matching profile once.
 */
import type { StatsFigures } from '../storage/stats-repo.js';
import type { AppContext } from './context.js';
import { type FilterOptions, compileFilters } from './filters.js';

export interface StatsInput {
  by?: string;
  filters: FilterOptions;
}

/** One line of the result, in cents. */
export interface StatsLine {
  /** The group's value, null for profiles without one (and for the totals row). */
  group: string | null;
  total: boolean;
  count: number;
  revenue_count: number;
  revenue_cents: number;
  /** Mean revenue of the profiles that have one, to the cent; null when none has. */
  revenue_mean_cents: number | null;
  sales_count: number;
  sales_total_cents: number;
}

export interface StatsResult {
  /** `--by` as given (normalised to lower case, except a custom field's name); null without it. */
  by: string | null;
  groups: StatsLine[];
  totals: StatsLine;
}

/** `sum / count` rounded half away from zero, exactly. */
export function meanCents(sum: number, count: number): number | null {
  if (count === 0) return null;
  const s = BigInt(sum);
  const n = BigInt(count);
  const negative = s < 0n;
  const abs = negative ? -s : s;
  const rounded = (2n * abs + n) / (2n * n);
  return Number(negative ? -rounded : rounded);
}

function line(group: string | null, total: boolean, f: StatsFigures): StatsLine {
  return {
    group,
    total,
    count: f.count,
    revenue_count: f.revenue_count,
    revenue_cents: f.revenue_cents,
    revenue_mean_cents: meanCents(f.revenue_cents, f.revenue_count),
    sales_count: f.sales_count,
    sales_total_cents: f.sales_total_cents,
  };
}

function normaliseBy(by: string): string {
  const t = by.trim();
  return t.toLowerCase().startsWith('custom.') ? `custom.${t.slice('custom.'.length)}` : t.toLowerCase();
}

export function portfolioStats(ctx: AppContext, input: StatsInput): StatsResult {
  const { store } = ctx;
  const filter = compileFilters(store, input.filters, ctx.clock.today());
  const repo = store.stats;
  const by = input.by !== undefined ? normaliseBy(input.by) : null;
  // one snapshot: the groups and the totals agree
  return store.read(() => {
    if (by === null) return { by, groups: [], totals: line(null, true, repo.totals(filter)) };
    const { groups, totals } = repo.groups(by, filter);
    return { by, groups: groups.map((g) => line(g.group, false, g)), totals: line(null, true, totals) };
  });
}
