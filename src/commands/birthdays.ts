/** `custfile birthdays [--within 14d] [--on DATE] [--leap-day feb28|mar1] [FILTERS]` */
import type { Command } from 'commander';
import { type Deps, action, addFilterOptions, examples, filterOptions } from './shared.js';

interface BirthdaysOptions extends Record<string, unknown> {
  within?: string;
  on?: string;
  leapDay?: string;
}

export function registerBirthdays(program: Command, deps: Deps): void {
  const command = program
    .command('birthdays')
    .description('persons and key contacts whose birthday comes within a window, soonest first (a table on a terminal, CSV when piped)');
  addFilterOptions(command)
    .option('--within <span>', 'how far ahead: days, weeks or months such as 14d, 2w, 3m (default 14d; 0d is today only)')
    .option('--on <date>', 'count from this date instead of today (YYYY-MM-DD)')
    .option('--leap-day <rule>', 'when a 29 February birthday is kept in common years: feb28 (default) or mar1')
    .addHelpText('after', examples(
      'custfile birthdays',
      'custfile birthdays --within 0d',
      'custfile birthdays --within 1m --tag vip',
      'custfile birthdays --where "decision_maker = true" --format json',
      'custfile birthdays --on 2026-12-28 --within 2w',
    ))
    .action(action(deps, async (session, opts: BirthdaysOptions) => {
      session.clock(opts.on); // a bad --on is a usage error before anything is opened
      const { parseLeapDayRule } = await import('../domain/birthdays.js');
      const leapDay = opts.leapDay === undefined ? undefined : parseLeapDayRule(opts.leapDay);
      const format = session.format('csv');
      const ctx = await session.context(false, { on: opts.on });
      const { listBirthdays } = await import('../app/birthdays.js');
      const result = listBirthdays(ctx, { filters: filterOptions(opts), within: opts.within, leapDay });
      const { renderList } = await import('../ui/render.js');
      const empty = result.days === 0 ? 'No birthdays today.' : `No birthdays in the next ${result.days} days.`;
      const { birthdayListView } = await import('../ui/views.js');
      await renderList(result.birthdays, birthdayListView(), format, session.out, { color: session.color, emptyMessage: empty });
    }));
}
