/** `custfile stats [--by FIELD] [FILTERS]` */
import type { Command } from 'commander';
import type { StatsLine, StatsResult } from '../app/stats.js';
import type { ListView } from '../ui/render.js';
import { type Deps, action, addFilterOptions, examples, filterOptions } from './shared.js';

export function registerStats(program: Command, deps: Deps): void {
  const command = program
    .command('stats')
    .description(
      'the portfolio in numbers: profiles, revenue (sum and mean) and sales per group, with a totals row; ' +
        'with --by tag a profile counts under each of its tags (the totals row counts it once)',
    );
  addFilterOptions(command)
    .option('--by <field>', 'group by industry, city, region, country, lifecycle, kind, tag, custom.NAME, month or year (of customer_since), …')
    .addHelpText('after', examples(
      'custfile stats',
      'custfile stats --by industry',
      'custfile stats --by tag --kind company',
      'custfile stats --by month --where "customer_since >= 2025-01-01"',
      'custfile stats --by custom.branch --segment north --format json',
    ) + '\nJSON is one document { "by", "groups": [...], "total": {...} }; ndjson and csv are one line per group and a last line with total = true.\n'
      + 'Money is exact to the cent: numbers in JSON, decimals such as 1234.50 in CSV and tables.\n')
    .action(action(deps, async (session, opts: Record<string, unknown>) => {
      const format = session.format('csv');
      const ctx = await session.context(false);
      const { portfolioStats } = await import('../app/stats.js');
      const result = portfolioStats(ctx, { by: opts.by as string | undefined, filters: filterOptions(opts) });
      if (format === 'json') {
        const { renderJson } = await import('../ui/render.js');
        await renderJson({ by: result.by, groups: result.groups.map(statsJson), total: statsJson(result.totals) }, session.out);
        return;
      }
      const { renderList } = await import('../ui/render.js');
      const { formatCents } = await import('../domain/values.js');
      await renderList([...result.groups, result.totals], statsView(result, formatCents), format, session.out, { color: session.color });
    }));
}

const money = (cents: number | null): number | null => (cents === null ? null : cents / 100);

/** A line as scripts read it: money as numbers in the file's currency (exact to the cent). */
export function statsJson(l: StatsLine): Record<string, unknown> {
  return {
    group: l.group,
    total: l.total,
    count: l.count,
    revenue_count: l.revenue_count,
    revenue_sum: money(l.revenue_cents),
    revenue_mean: money(l.revenue_mean_cents),
    sales_count: l.sales_count,
    sales_total: money(l.sales_total_cents),
  };
}

export function statsView(result: StatsResult, formatCents: (cents: number) => string): ListView<StatsLine> {
  const none = result.by === 'tag' ? '(no tag)' : '(none)';
  const label = (l: StatsLine) => (l.total ? (result.by === null ? 'all' : 'total') : (l.group ?? none));
  const cents = (v: number | null) => (v === null ? '' : formatCents(v));
  return {
    table: [
      { header: result.by ?? 'profiles', get: label },
      { header: 'count', get: (l) => String(l.count) },
      { header: 'with revenue', get: (l) => String(l.revenue_count) },
      { header: 'revenue', get: (l) => cents(l.revenue_cents) },
      { header: 'mean revenue', get: (l) => cents(l.revenue_mean_cents) },
      { header: 'sales', get: (l) => String(l.sales_count) },
      { header: 'sales total', get: (l) => cents(l.sales_total_cents) },
    ],
    json: statsJson,
    csv: [
      { header: 'group', text: true, get: (l) => l.group ?? '' },
      { header: 'total', text: false, get: (l) => (l.total ? 'true' : 'false') },
      { header: 'count', text: false, get: (l) => String(l.count) },
      { header: 'revenue_count', text: false, get: (l) => String(l.revenue_count) },
      { header: 'revenue_sum', text: false, get: (l) => cents(l.revenue_cents) },
      { header: 'revenue_mean', text: false, get: (l) => cents(l.revenue_mean_cents) },
      { header: 'sales_count', text: false, get: (l) => String(l.sales_count) },
      { header: 'sales_total', text: false, get: (l) => cents(l.sales_total_cents) },
    ],
  };
}
