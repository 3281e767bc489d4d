/** `custfile history [REF] [--field F] [--since DATE|30d]` */
import type { Command } from 'commander';
import { type Deps, action, examples, parsePositiveInt } from './shared.js';

export function registerHistory(program: Command, deps: Deps): void {
  program
    .command('history')
    .description("every change to a profile's fields, or all recent changes")
    .argument('[ref]', 'id, external id, e-mail or unambiguous name')
    .option('--field <field>', "one field's course, e.g. revenue")
    .option('--since <date>', 'changes on or after a date, or within a span: 30d, 6m, 1y')
    .option('--limit <n>', 'at most N entries', parsePositiveInt('--limit'))
    .addHelpText('after', examples('custfile history 12', 'custfile history --since 30d', 'custfile history "Elbwerk GmbH" --field revenue'))
    .action(action(deps, async (session, ref: string | undefined, opts: { field?: string; since?: string; limit?: number }) => {
      const format = session.format('csv');
      const ctx = await session.context(false);
      const { readHistory } = await import('../app/history.js');
      const lines = readHistory(ctx, { ref, field: opts.field, since: opts.since, limit: opts.limit });
      const { renderList } = await import('../ui/render.js');
      const { historyView } = await import('../ui/views.js');
      await renderList(lines, historyView(), format, session.out, { color: session.color, emptyMessage: 'No changes recorded.' });
    }));
}
