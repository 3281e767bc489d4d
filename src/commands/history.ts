/** `custfile history [REF] [--field F] [--since DATE|30d] [--trend]` */
import type { Command } from 'commander';
import type { TrendLine, TrendResult } from '../app/history.js';
import type { ListView } from '../ui/render.js';
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
        const { formatCents } = await import('../domain/values.js');
        const result = readTrends(ctx, { ref, field: opts.field, since: opts.since, limit: opts.limit });
        await renderList(result.lines, trendView(result, formatCents), format, session.out, {
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

/** Risers and fallers: values as numbers in JSON (money in the file's currency), as decimals in tables and CSV. */
export function trendView(result: TrendResult, formatCents: (cents: number) => string): ListView<TrendLine> {
  const text = (v: number | null) => (v === null ? '' : result.cents ? formatCents(v) : String(v));
  const signed = (v: number | null) => (v === null ? '' : `${v > 0 ? '+' : ''}${text(v)}`);
  const number = (v: number | null) => (v === null ? null : result.cents ? v / 100 : v);
  const percent = (v: number | null) => (v === null ? '' : `${v > 0 ? '+' : ''}${v.toFixed(1)}%`);
  return {
    table: [
      { header: 'id', get: (t) => String(t.profile_id) },
      { header: 'name', get: (t) => t.name },
      { header: 'start', get: (t) => text(t.start) },
      { header: 'end', get: (t) => text(t.end) },
      { header: 'change', get: (t) => signed(t.change) },
      { header: '%', get: (t) => percent(t.percent) },
      { header: 'trend', get: (t) => (t.direction === 'up' ? '↑ up' : t.direction === 'down' ? '↓ down' : (t.direction ?? '')) },
      { header: 'changes', get: (t) => String(t.changes) },
    ],
    json: (t) => ({
      id: t.profile_id,
      name: t.name,
      field: t.field,
      since: result.since,
      start: number(t.start),
      end: number(t.end),
      change: number(t.change),
      percent: t.percent,
      direction: t.direction,
      changes: t.changes,
      first_at: t.first_at,
      last_at: t.last_at,
    }),
    csv: [
      { header: 'id', text: false, get: (t) => String(t.profile_id) },
      { header: 'name', text: true, get: (t) => t.name },
      { header: 'field', text: true, get: (t) => t.field },
      { header: 'start', text: false, get: (t) => text(t.start) },
      { header: 'end', text: false, get: (t) => text(t.end) },
      { header: 'change', text: false, get: (t) => text(t.change) },
      { header: 'percent', text: false, get: (t) => (t.percent === null ? '' : String(t.percent)) },
      { header: 'direction', text: true, get: (t) => t.direction ?? '' },
      { header: 'changes', text: false, get: (t) => String(t.changes) },
    ],
  };
}
