/** `custfile remove REF [--yes]` and `custfile forget REF [--yes]` */
import type { Command } from 'commander';
import { UsageError } from '../errors.js';
import { type Deps, type Session, action, examples } from './shared.js';

async function confirmed(session: Session, question: string, yes: boolean | undefined): Promise<boolean> {
  if (yes) return true;
  if (!session.prompter.canPrompt) {
    throw new UsageError(`custfile ${session.command.name()} deletes data and needs --yes when not running interactively.`);
  }
  return session.prompter.confirm(question, '--yes', false);
}

export function registerRemove(program: Command, deps: Deps): void {
  program
    .command('remove')
    .alias('rm')
    .description('remove a profile with its notes and sales; its history is kept (see forget to erase everything)')
    .argument('<ref>', 'id, external id, e-mail or unambiguous name')
    .option('-y, --yes', 'do not ask')
    .addHelpText('after', examples('custfile remove 12', 'custfile remove anna@example.org --yes'))
    .action(action(deps, async (session, ref: string, opts: { yes?: boolean }) => {
      const ctx = await session.context(true);
      const { findForRemoval, removeProfile } = await import('../app/profiles.js');
      const profile = findForRemoval(ctx, ref);
      if (!(await confirmed(session, `Remove ${profile.kind} #${profile.id} ${profile.name}?`, opts.yes))) {
        session.say('Nothing removed.');
        return;
      }
      const removed = removeProfile(ctx, profile.id);
      session.say(`Removed #${removed.id} ${removed.name}; its history is kept.`);
    }));

  program
    .command('forget')
    .description('erase a profile with its notes, sales and history, leaving no trace in the file (GDPR Art. 17); a removed profile\'s kept history by its id')
    .argument('<ref>', 'id, external id, e-mail or unambiguous name')
    .option('-y, --yes', 'do not ask')
    .addHelpText('after', examples('custfile forget 12', 'custfile forget anna@example.org --yes', 'custfile forget \'#7\' --yes   # the history remove kept of profile 7'))
    .action(action(deps, async (session, ref: string, opts: { yes?: boolean }) => {
      const ctx = await session.context(true);
      const { ERASURE_HELD, forgetProfile, forgetRemoved, resolveSubject } = await import('../app/profiles.js');
      const subject = resolveSubject(ctx, ref);
      if ('removed' in subject) {
        // a removed profile's id: its kept history is what there is to erase
        const { removed } = subject;
        if (!(await confirmed(session, `Erase the kept history of removed profile #${removed.id} ${removed.name ?? ''} for good?`, opts.yes))) {
          session.say('Nothing erased.');
          return;
        }
        const { historyRows, held } = forgetRemoved(ctx, removed.id);
        session.say(`Erased the ${historyRows} history ${historyRows === 1 ? 'entry' : 'entries'} of removed profile #${removed.id}${held ? `; ${ERASURE_HELD}` : '.'}`);
        return;
      }
      const { profile } = subject;
      if (!(await confirmed(session, `Erase ${profile.kind} #${profile.id} ${profile.name} and all its history for good?`, opts.yes))) {
        session.say('Nothing erased.');
        return;
      }
      const result = forgetProfile(ctx, profile.id);
      session.say(`Erased #${result.profile.id} with its notes, sales and ${result.historyRows} history ${result.historyRows === 1 ? 'entry' : 'entries'}${result.held ? `; ${ERASURE_HELD}` : '.'}`);
    }));
}
