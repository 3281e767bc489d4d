/** `custfile list [FILTERS] [--sort FIELD] [--limit N]` */
import type { Command } from 'commander';
import { type Deps, action, addFilterOptions, examples, filterOptions, parsePositiveInt } from './shared.js';

export function registerList(program: Command, deps: Deps): void {
  const list = program
    .command('list')
    .alias('ls')
    .description('list profiles, filtered and sorted (a table on a terminal, CSV when piped)');
  addFilterOptions(list)
    .option('--sort <fields>', 'sort by fields, -field for descending (e.g. -revenue,name)')
    .option('--limit <n>', 'at most N profiles', parsePositiveInt('--limit'))
    .addHelpText('after', examples(
      'custfile list --city Dresden --limit 20',
      'custfile list --kind company --sort -revenue --format json',
      "custfile list --where \"industry = 'Maschinenbau' and revenue > 1000000 and tag = 'vip'\"",
      'custfile list --tag vip --format csv > vip.csv',
    ))
    .action(action(deps, async (session, opts: Record<string, unknown>) => {
      const format = session.format('csv');
      const ctx = await session.context(false);
      const { listProfiles } = await import('../app/list-profiles.js');
      const { renderList } = await import('../ui/render.js');
      const { profileListView } = await import('../ui/views.js');
      const input = { filters: filterOptions(opts), sort: opts.sort as string | undefined, limit: opts.limit as number | undefined };
      if (format === 'json' || format === 'ndjson') {
        // the JSON text comes from SQLite (ProfileRepo.iteratePublicJson)
        const { listProfilesAsJson } = await import('../app/list-profiles.js');
        const { profileJsonListView } = await import('../ui/views.js');
        await renderList(listProfilesAsJson(ctx, input), profileJsonListView(), format, session.out, { color: session.color, emptyMessage: 'No profiles match.' });
        return;
      }
      let customKeys: string[] = [];
      if (format === 'csv') {
        const { customKeysOf } = await import('../app/list-profiles.js');
        customKeys = customKeysOf(ctx, input);
      }
      const rows = listProfiles(ctx, input);
      await renderList(rows, profileListView(customKeys), format, session.out, { color: session.color, emptyMessage: 'No profiles match.' });
    }));
}
