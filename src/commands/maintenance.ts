/** `custfile backup FILE` and `custfile check` */
import type { Command } from 'commander';
import { type Deps, action, examples } from './shared.js';

export function registerMaintenance(program: Command, deps: Deps): void {
  program
    .command('backup')
    .description('write a consistent copy of the customer file, safe while other commands write')
    .argument('<file>', 'where to write the copy (replaced only when the copy is complete and checked)')
    .addHelpText('after', examples('custfile backup ~/backups/customers-$(date +%F).db'))
    .action(action(deps, async (session, file: string) => {
      const ctx = await session.context(false);
      const { backup } = await import('../app/maintenance.js');
      const { bytes } = await backup(ctx, file);
      session.say(`Backed up ${ctx.store.path} to ${file} (${Math.ceil(bytes / 1024)} KiB, checked).`);
    }));

  program
    .command('check')
    .description("check the customer file's integrity and links; exit 1 with the findings")
    .addHelpText('after', examples('custfile check', 'custfile --db ~/backups/customers.db check'))
    .action(action(deps, async (session) => {
      const ctx = await session.context(false);
      const { check } = await import('../app/maintenance.js');
      check(ctx);
      session.say(`${ctx.store.path}: ok.`);
    }));
}
