/** Everything about one profile: the record, its company or key contacts, notes, last changes. */
import type { Profile } from '../domain/profile.js';
import type { Communication } from '../storage/communication-repo.js';
import type { HistoryEntry } from '../storage/history-repo.js';
import type { Sale } from '../storage/sale-repo.js';
import type { AppContext } from './context.js';
import { resolveRef } from './resolve-ref.js';

export interface ProfileView {
  profile: Profile;
  company: Profile | null;
  contacts: Profile[];
  notes: Communication[];
  notes_total: number;
  changes: HistoryEntry[];
  sales: Sale[];
}

export const SHOW_NOTES = 5;
export const SHOW_CHANGES = 10;
export const SHOW_SALES = 5;

export function showProfile(ctx: AppContext, ref: string): ProfileView {
  const { store } = ctx;
  return store.read(() => {
    const profile = resolveRef(store, ref);
    const company = profile.company_id !== null ? store.profiles.byId(profile.company_id) ?? null : null;
    const contacts = profile.kind === 'company' ? store.profiles.contactsOf(profile.id) : [];
    return {
      profile,
      company,
      contacts,
      notes: store.communications.forProfile(profile.id, SHOW_NOTES),
      notes_total: store.communications.countForProfile(profile.id),
      changes: store.history.query({ profileId: profile.id, limit: SHOW_CHANGES }),
      sales: store.sales.query({ profileId: profile.id, limit: SHOW_SALES }),
    };
  });
}
