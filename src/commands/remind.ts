/**
 * `custfile remind [--within 7d] [--on DATE] [--stale 180d|off] [FILTERS]`, for cron:
 * birthdays, follow-ups due and stale profiles as plain text under three headings. Nothing due
 * prints nothing at all (so cron sends no mail) and exits 0. It never prompts and never reads
 * stdin; colour only on a terminal. In JSON too, nothing due prints nothing (SPEC: `remind` with
 * nothing due prints nothing): a cron line with `--format json` must not mail every morning.
 */
import type { Command } from 'commander';
import { type Deps, action, addFilterOptions, examples, filterOptions, parsePositiveInt } from './shared.js';

interface RemindOptions extends Record<string, unknown> {
  within?: string;
  on?: string;
  stale?: string;
  staleLimit?: number;
  leapDay?: string;
}

/** `table` is the plain-text report (the default everywhere: cron mails read it). */
const REMIND_FORMATS = ['table', 'json', 'ndjson'] as const;

export function registerRemind(program: Command, deps: Deps): void {
  const command = program
    .command('remind')
    .description('what is due: birthdays, follow-ups (next_contact) and stale profiles; prints nothing when nothing is due (for cron)');
  addFilterOptions(command)
    .option('--within <span>', 'how far ahead for birthdays and follow-ups: 7d, 2w, 1m (default 7d)')
    .option('--on <date>', 'count from this date instead of today (YYYY-MM-DD)')
    .option('--stale <span>', 'profiles not reviewed or changed for this long are stale: 180d, 6m, 1y, or off (default 180d)')
    .option('--stale-limit <n>', 'how many stale profiles to name, oldest first (default 20; the count is always whole)', parsePositiveInt('--stale-limit'))
    .option('--leap-day <rule>', 'when a 29 February birthday is kept in common years: feb28 (default) or mar1')
    .addHelpText('after', examples(
      'custfile remind',
      'custfile remind --within 14d --stale off',
      'custfile remind --tag vip --format json',
      'custfile remind --on 2026-12-28 --stale 1y',
    ) + '\nIn a crontab (cron mails the output, so only when something is due):\n  0 7 * * * custfile remind --within 7d\n')
    .action(action(deps, async (session, opts: RemindOptions) => {
      session.clock(opts.on); // a bad --on is a usage error before anything is opened
      const { parseLeapDayRule } = await import('../domain/birthdays.js');
      const leapDay = opts.leapDay === undefined ? undefined : parseLeapDayRule(opts.leapDay);
      const format = session.format('table', REMIND_FORMATS);
      const ctx = await session.context(false, { on: opts.on });
      const { nothingDue, remind } = await import('../app/remind.js');
      const reminders = remind(ctx, { filters: filterOptions(opts), within: opts.within, stale: opts.stale, staleLimit: opts.staleLimit, leapDay });
      const { remindersJson, renderReminders } = await import('../ui/reminders.js');
      if (nothingDue(reminders)) {
        // nothing at all, whatever the format
      } else if (format === 'json' || format === 'ndjson') {
        await session.out.write(`${JSON.stringify(remindersJson(reminders), null, format === 'json' ? 2 : undefined)}\n`);
      } else {
        const { Chalk } = await import('chalk');
        await session.out.write(renderReminders(reminders, new Chalk({ level: session.color ? 1 : 0 })));
      }
      await session.out.flush();
    }));
}
