/** `custfile show REF` */
import type { Command } from 'commander';
import { type Deps, action, examples } from './shared.js';

export function registerShow(program: Command, deps: Deps): void {
  program
    .command('show')
    .description('everything about one profile: fields, key contacts or company, tags, custom fields, last notes and changes')
    .argument('<ref>', 'id, external id, e-mail or unambiguous name')
    .addHelpText('after', examples('custfile show 12', 'custfile show anna@example.org', 'custfile show "Elbwerk GmbH" --format json | jq .contacts'))
    .action(action(deps, async (session, ref: string) => {
      const format = session.format('json');
      const ctx = await session.context(false);
      const { showProfile } = await import('../app/show-profile.js');
      const view = showProfile(ctx, ref);
      const { renderShow } = await import('../ui/views.js');
      await renderShow(view, format, session.out, session.color);
    }));
}
