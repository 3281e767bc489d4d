/** `custfile history [REF] [--field F] [--since DATE|30d] [--trend]` */
import type { Command } from 'commander';
import { type Deps, action, examples, parsePositiveInt } from './shared.js';

export function registerHistory(program: Command, deps: Deps): void {
  program
    .command('history')
    .description("every change to a profile's fields, or all recent changes; with --trend, who went up and who went down")
    .argument('[ref]', 'id, external id, e-mail or unambiguous name')
    .option('--field <field>', "one field's course, e.g. revenue")
    .option('--since <date>', 'changes on or after a date, or within a span: 30d, 6m, 1y')
    .option('--limit <n>', 'at most N entries', parsePositiveInt('--limit'))
    .option('--trend', "with --field: per profile the field's value at the start and the end of the window, the change and the percentage, biggest rise first")
    .addHelpText('after', examples(
      'custfile history 12',
      'custfile history --since 30d',
      'custfile history "Elbwerk GmbH" --field revenue',
      'custfile history --field revenue --since 1y --trend',
      'custfile history --field headcount --since 2026-01-01 --trend --format json | jq \'map(select(.direction == "down"))\'',
    ))
    .action(action(deps, async (session, ref: string | undefined, opts: { field?: string; since?: string; limit?: number; trend?: boolean }) => {
      const format = session.format('csv');
      const ctx = await session.context(false);
      const { renderList } = await import('../ui/render.js');
      if (opts.trend) {
        const { readTrends } = await import('../app/history.js');
        const result = readTrends(ctx, { ref, field: opts.field, since: opts.since, limit: opts.limit });
        const { trendView } = await import('../ui/views.js');
        await renderList(result.lines, trendView(result), format, session.out, {
          color: session.color,
          emptyMessage: `No changes of ${result.field} recorded${result.since ? ` since ${result.since}` : ''}.`,
        });
        return;
      }
      const { readHistory } = await import('../app/history.js');
      const lines = readHistory(ctx, { ref, field: opts.field, since: opts.since, limit: opts.limit });
      const { historyView } = await import('../ui/views.js');
      await renderList(lines, historyView(), format, session.out, { color: session.color, emptyMessage: 'No changes recorded.' });
    }));
}
