/** The communication log: `custfile note REF TEXT`. */
import { UsageError, ValidationError } from '../errors.js';
import { CHANNELS } from '../domain/fields.js';
import { resolveDateInput } from '../domain/dates.js';
import type { Communication } from '../storage/communication-repo.js';
import type { AppContext } from './context.js';
import { resolveRef } from './resolve-ref.js';
import { nfc } from '../domain/values.js';

export interface NoteInput {
  ref: string;
  text: string;
  channel?: string;
  /** ISO date, or relative (`-2d`); default today. */
  at?: string;
}

export function addNote(ctx: AppContext, input: NoteInput): { note: Communication; profileName: string } {
  const channel = (input.channel ?? 'note').toLowerCase();
  if (!(CHANNELS as readonly string[]).includes(channel)) {
    throw new UsageError(`--channel must be one of ${CHANNELS.join(', ')}.`);
  }
  const body = nfc(input.text.trim());
  if (body === '') throw new ValidationError('TEXT', 'a note needs some text.');
  const today = ctx.clock.today();
  const at = input.at === undefined ? today : resolveDateInput(input.at, today, 'past');
  if (at === null) throw new UsageError(`--at must be a date such as 2026-11-22 or -2d.`);
  return ctx.store.write(() => {
    const profile = resolveRef(ctx.store, input.ref);
    const now = ctx.clock.now();
    const note = { profile_id: profile.id, at, channel, body, source: ctx.source, created_at: now };
    const id = ctx.store.communications.add(note);
    // a note is contact: the profile is looked after
    ctx.store.profiles.touch(profile.id, now);
    return { note: { id, ...note }, profileName: profile.name };
  });
}
