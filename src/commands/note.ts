/** `custfile note REF TEXT [--channel call|email|meeting|note] [--at DATE]` */
import type { Command } from 'commander';
import { CHANNELS } from '../domain/fields.js';
import { type Deps, action, examples } from './shared.js';

export function registerNote(program: Command, deps: Deps): void {
  program
    .command('note')
    .description('log a call, mail, meeting or note with a customer')
    .argument('<ref>', 'id, external id, e-mail or unambiguous name')
    .argument('<text...>', 'what was said or agreed')
    .option('--channel <channel>', `one of ${CHANNELS.join(', ')}`, 'note')
    .option('--at <date>', 'when (YYYY-MM-DD or -2d); default today')
    .addHelpText('after', examples(
      'custfile note 12 "Called about the spring order; send offer by Friday" --channel call',
      'custfile note anna@example.org "Met at the trade fair" --channel meeting --at 2026-11-20',
    ))
    .action(action(deps, async (session, ref: string, text: string[], opts: { channel?: string; at?: string }) => {
      const ctx = await session.context(true);
      const { addNote } = await import('../app/notes.js');
      const { note, profileName } = addNote(ctx, { ref, text: text.join(' '), channel: opts.channel, at: opts.at });
      if (session.globals.format !== undefined) {
        const { noteJson } = await import('../ui/views.js');
        await session.out.write(`${JSON.stringify(noteJson(note))}\n`);
        await session.out.flush();
      } else {
        session.say(`Noted (${note.channel}, ${note.at}) for #${note.profile_id} ${profileName}.`);
      }
    }));
}
