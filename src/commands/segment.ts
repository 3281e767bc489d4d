/** `custfile segment save NAME --where EXPR | segment list | segment show NAME | segment delete NAME` */
import type { Command } from 'commander';
import { type Deps, action, collect, examples, parsePositiveInt } from './shared.js';

export function registerSegment(program: Command, deps: Deps): void {
  const segment = program
    .command('segment')
    .description('saved filters: name a --where expression once, use it as --segment NAME wherever filters apply')
    .addHelpText('after', examples(
      "custfile segment save north --where \"region in ('Sachsen', 'Brandenburg', 'Berlin')\"",
      "custfile segment save big-north --where \"segment = 'north' and sales_total > 10000\"",
      'custfile segment list',
      'custfile segment show big-north --format csv > big-north.csv',
      'custfile export --segment big-north --format xlsx --out mailing.xlsx',
      'custfile segment delete big-north',
    ));

  segment
    .command('save')
    .description('save (or replace) a segment; the expression is checked first and must not refer back to itself')
    .argument('<name>', 'letters, digits, _, - and .')
    .requiredOption('--where <expr>', "the filter, e.g. \"city = 'Dresden' and tag = 'vip'\"; may use segment = 'OTHER' (repeatable: all must hold)", collect)
    .addHelpText('after', examples(
      "custfile segment save dresden-vip --where \"city = 'Dresden' and tag = 'vip'\"",
      "custfile segment save lapsed --where \"sales_count > 0 and last_sale < -1y\"",
      "custfile segment save lapsed-vip --where \"segment = 'lapsed' and tag = 'vip'\"",
    ))
    .action(action(deps, async (session, name: string, opts: { where: string[] }) => {
      const ctx = await session.context(true);
      const { saveSegment } = await import('../app/segments.js');
      const { segment: saved, replaced } = saveSegment(ctx, { name, where: opts.where });
      if (session.globals.format === 'json' || session.globals.format === 'ndjson') {
        const { segmentJson } = await import('../ui/views.js');
        await session.out.write(`${JSON.stringify(segmentJson(saved))}\n`);
        await session.out.flush();
      }
      session.say(`${replaced ? 'Replaced' : 'Saved'} segment ${saved.name}: ${saved.count} profile${saved.count === 1 ? ' matches' : 's match'} now.`);
    }));

  segment
    .command('list')
    .alias('ls')
    .description('the saved segments with their expressions and how many profiles each matches now')
    .addHelpText('after', examples('custfile segment list', 'custfile segment list --format json'))
    .action(action(deps, async (session) => {
      const format = session.format('csv');
      const ctx = await session.context(false);
      const { listSegments } = await import('../app/segments.js');
      const { renderList } = await import('../ui/render.js');
      const { segmentListView } = await import('../ui/views.js');
      await renderList(listSegments(ctx), segmentListView(), format, session.out, { color: session.color, emptyMessage: 'No segments saved; see custfile segment save --help.' });
    }));

  segment
    .command('show')
    .description("a segment's members, as custfile list shows profiles (a table on a terminal, CSV when piped)")
    .argument('<name>', 'a saved segment')
    .option('--sort <fields>', 'sort by fields, -field for descending (e.g. -sales_total,name)')
    .option('--limit <n>', 'at most N profiles', parsePositiveInt('--limit'))
    .addHelpText('after', examples(
      'custfile segment show north',
      'custfile segment show north --sort -sales_total --limit 20',
      'custfile segment show north --format ndjson | jq .email',
    ))
    .action(action(deps, async (session, name: string, opts: { sort?: string; limit?: number }) => {
      const format = session.format('csv');
      const ctx = await session.context(false);
      const { segmentMembers } = await import('../app/segments.js');
      const { renderList } = await import('../ui/render.js');
      const { profileListView } = await import('../ui/views.js');
      const { rows, customKeys } = segmentMembers(ctx, { name, sort: opts.sort, limit: opts.limit, withCustomKeys: format === 'csv' });
      await renderList(rows, profileListView(customKeys), format, session.out, { color: session.color, emptyMessage: `No profiles are in segment ${name.trim()}.` });
    }));

  segment
    .command('delete')
    .alias('rm')
    .description('delete a saved segment (the profiles stay); one that another segment uses cannot be deleted')
    .argument('<name>', 'a saved segment')
    .addHelpText('after', examples('custfile segment delete north'))
    .action(action(deps, async (session, name: string) => {
      const ctx = await session.context(true);
      const { deleteSegment } = await import('../app/segments.js');
      const deleted = deleteSegment(ctx, name);
      session.say(`Deleted segment ${deleted.name} (it was: ${deleted.where}).`);
    }));
}
