/** `custfile update REF --set FIELD=VALUE ... [--unset FIELD] [--tag +vip,-old] [--reviewed]` */
import type { Command } from 'commander';
import { UsageError } from '../errors.js';
import { emptyChangeRequest, parseAssignment } from '../domain/profile.js';
import { type Deps, action, collect, examples } from './shared.js';

export function registerUpdate(program: Command, deps: Deps): void {
  program
    .command('update')
    .description('change fields of a profile; every change is kept in its history')
    .argument('<ref>', 'id, external id, e-mail or unambiguous name')
    .option('--set <field=value>', 'set a field, or custom.NAME=VALUE (repeatable)', collect)
    .option('--unset <field>', 'clear a field, or custom.NAME (repeatable)', collect)
    .option('--tag <edits>', 'tag edits: +vip,-old (repeatable; a bare name adds)', collect)
    .option('--reviewed', 'mark the profile reviewed today')
    .addHelpText('after', examples(
      'custfile update 12 --set revenue=3100000 --set headcount=45',
      'custfile update anna@example.org --set city=Leipzig --tag +vip,-newsletter',
      'custfile update "Elbwerk GmbH" --set custom.machines=14 --unset website',
      'custfile update 12 --reviewed',
    ))
    .action(action(deps, async (session, ref: string, opts: { set?: string[]; unset?: string[]; tag?: string[]; reviewed?: boolean }) => {
      const request = emptyChangeRequest();
      for (const s of opts.set ?? []) request.set.push(parseAssignment(s));
      request.unset.push(...(opts.unset ?? []).map((u) => u.trim()));
      request.tagEdits.push(...(opts.tag ?? []));
      if (request.set.length === 0 && request.unset.length === 0 && request.tagEdits.length === 0 && !opts.reviewed) {
        throw new UsageError('update has nothing to change; pass --set FIELD=VALUE, --unset FIELD, --tag or --reviewed.');
      }
      const ctx = await session.context(true);
      const { updateProfile } = await import('../app/profiles.js');
      const result = updateProfile(ctx, { ref, request, reviewed: opts.reviewed === true });
      if (session.globals.format !== undefined) {
        const { toPublicRecord } = await import('../ui/records.js');
        await session.out.write(`${JSON.stringify({ ...toPublicRecord(result.profile), changes: result.changes }, null, session.format('json') === 'ndjson' ? undefined : 2)}\n`);
        await session.out.flush();
        return;
      }
      if (result.changes.length === 0) session.say(`#${result.profile.id} ${result.profile.name}: nothing changed.`);
      else session.say(`Updated #${result.profile.id} ${result.profile.name}: ${result.changes.map((c) => c.field).join(', ')}.`);
    }));
}
