/** `custfile stats [--by FIELD] [FILTERS]` */
import type { Command } from 'commander';
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
      const { statsJson, statsView } = await import('../ui/views.js');
      if (format === 'json') {
        const { renderJson } = await import('../ui/render.js');
        await renderJson({ by: result.by, groups: result.groups.map(statsJson), total: statsJson(result.totals) }, session.out);
        return;
      }
      const { renderList } = await import('../ui/render.js');
      await renderList([...result.groups, result.totals], statsView(result), format, session.out, { color: session.color });
    }));
}
