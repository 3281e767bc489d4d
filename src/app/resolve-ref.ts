/**
 * REF: an id, an external id, an exact e-mail or an unambiguous name (SPEC.md). Tried in that
 * order; the first kind of match that finds anything decides.
 */
import { AmbiguousRefError, NotFoundError } from '../errors.js';
import type { Kind } from '../domain/fields.js';
import type { Profile } from '../domain/profile.js';
import type { Store } from '../storage/store.js';
import { nfc } from '../domain/values.js';

export function describe(p: Profile): string {
  const where = [p.kind, p.company && p.kind === 'person' ? p.company : null, p.city].filter(Boolean).join(', ');
  return `${p.name} (${where})`;
}

export function resolveRef(store: Store, ref: string, kind?: Kind): Profile {
  const text = nfc(ref.trim());
  if (text === '') throw new NotFoundError('an empty REF names no profile; give an id, external id, e-mail or name.');
  const candidates: Profile[] = [];
  // only an id's own spelling is an id: customer number 0003 is an external id, not profile 3
  if (/^[1-9]\d*$/.test(text)) {
    const byId = store.profiles.byId(Number(text));
    if (byId) candidates.push(byId);
  }
  if (candidates.length === 0) {
    const byExternal = store.profiles.byExternalId(text);
    if (byExternal) candidates.push(byExternal);
  }
  if (candidates.length === 0 && text.includes('@')) candidates.push(...store.profiles.byEmail(text));
  if (candidates.length === 0) candidates.push(...store.profiles.byName(text));
  const matching = kind ? candidates.filter((p) => p.kind === kind) : candidates;
  if (matching.length === 1) return matching[0]!;
  if (matching.length > 1) {
    throw new AmbiguousRefError(text, matching.map((p) => ({ id: p.id, label: describe(p) })));
  }
  if (kind && candidates.length > 0) {
    throw new NotFoundError(`"${text}" is a ${candidates[0]!.kind}, not a ${kind}.`);
  }
  throw new NotFoundError(`no profile matches "${text}"; try custfile list to find its id.`);
}
