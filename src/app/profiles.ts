/**
 * Creating, changing and removing profiles, each in one IMMEDIATE transaction with its history.
 */
import { AmbiguousRefError, NotFoundError, ValidationError } from '../errors.js';
import type { Kind } from '../domain/fields.js';
import {
  type ChangeRequest,
  type FieldChange,
  type Profile,
  type ProfileDraft,
  applyChanges,
  checkNameAgrees,
  diffDrafts,
  emptyDraft,
  snapshot,
  toDraft,
} from '../domain/profile.js';
import type { Store } from '../storage/store.js';
import type { AppContext } from './context.js';
import { describe as describeProfile, resolveRef } from './resolve-ref.js';
import { nfc } from '../domain/values.js';

export interface AddInput {
  kind: Kind;
  request: ChangeRequest;
  /** For a key contact: the company's REF. */
  companyRef?: string;
}

/** Checks what the draft points at (the company link, a unique external id). */
function checkReferences(store: Store, draft: ProfileDraft, selfId: number | null): void {
  if (draft.company_id !== null) {
    const company = store.profiles.byId(draft.company_id);
    if (!company) throw new ValidationError('company_id', `there is no profile #${draft.company_id}.`);
    if (company.kind !== 'company') throw new ValidationError('company_id', `#${draft.company_id} is a person, not a company.`);
  }
  if (draft.external_id !== null && store.profiles.externalIdTaken(draft.external_id, selfId)) {
    throw new ValidationError('external_id', 'is already used by another profile.');
  }
}

export function recordCreation(ctx: AppContext, id: number, draft: ProfileDraft, at: string): void {
  ctx.store.history.add({
    profile_id: id,
    action: 'create',
    field: '*',
    old_value: null,
    new_value: JSON.stringify(snapshot(draft)),
    at,
    source: ctx.source,
  });
}

/**
 * Writes what differs between two versions of a profile, with one history row per field
 * changed; writes nothing when they are alike. Returns the changes. The caller holds the
 * transaction (update, import).
 */
export function writeChanges(ctx: AppContext, id: number, before: ProfileDraft, after: ProfileDraft, at: string, importFp: number | null = null): FieldChange[] {
  const changes = diffDrafts(before, after);
  if (changes.length === 0) return changes;
  ctx.store.profiles.update(id, after, at, importFp);
  if (after.kind === 'company' && before.name !== after.name) ctx.store.profiles.companyRenamed(id, after.name);
  for (const c of changes) {
    ctx.store.history.add({ profile_id: id, action: 'update', field: c.field, old_value: c.old, new_value: c.new, at, source: ctx.source });
  }
  return changes;
}

/** A request's text in NFC, as custfile stores it (domain/values.ts nfc); imports compose their cells as they read them. */
function composed(request: ChangeRequest): ChangeRequest {
  return {
    set: request.set.map((s) => ({ field: nfc(s.field), value: nfc(s.value) })),
    unset: request.unset.map(nfc),
    tagEdits: request.tagEdits.map(nfc),
  };
}

export function addProfile(ctx: AppContext, input: AddInput): Profile {
  const { store, clock } = ctx;
  return store.write(() => {
    const request: ChangeRequest = composed(input.request);
    if (input.companyRef !== undefined) {
      const company = resolveRef(store, input.companyRef, 'company');
      request.set = request.set.filter((s) => s.field !== 'company_id');
      request.set.push({ field: 'company_id', value: String(company.id) });
    }
    const draft = applyChanges(emptyDraft(input.kind), request);
    checkNameAgrees(draft, request);
    checkReferences(store, draft, null);
    const now = clock.now();
    const id = store.profiles.insert(draft, now);
    recordCreation(ctx, id, draft, now);
    return store.profiles.byId(id)!;
  });
}

export interface UpdateInput {
  ref: string;
  request: ChangeRequest;
  /** Mark the profile reviewed today. */
  reviewed: boolean;
}

export interface UpdateResult {
  profile: Profile;
  changes: FieldChange[];
}

export function updateProfile(ctx: AppContext, input: UpdateInput): UpdateResult {
  const { store, clock } = ctx;
  return store.write(() => {
    const before = resolveRef(store, input.ref);
    input = { ...input, request: composed(input.request) };
    const request = input.reviewed
      ? { ...input.request, set: [...input.request.set, { field: 'reviewed_at', value: clock.today() }] }
      : input.request;
    const beforeDraft = toDraft(before);
    const after = applyChanges(beforeDraft, request);
    checkNameAgrees(after, request);
    checkReferences(store, after, before.id);
    const changes = writeChanges(ctx, before.id, beforeDraft, after, clock.now());
    if (changes.length === 0) return { profile: before, changes };
    return { profile: store.profiles.byId(before.id)!, changes };
  });
}

/** Looks a profile up for a confirmation prompt, before anything is changed. */
export function findForRemoval(ctx: AppContext, ref: string): Profile {
  return ctx.store.read(() => resolveRef(ctx.store, ref));
}

/**
 * `remove`: the profile, its notes and sales go; its history stays, with a deletion entry that
 * keeps the last values. Key contacts of a removed company stay, unlinked (their history says so).
 */
export function removeProfile(ctx: AppContext, id: number): Profile {
  const { store, clock } = ctx;
  return store.write(() => {
    const profile = store.profiles.byId(id);
    if (!profile) throw new ValidationError('REF', `profile #${id} is gone already.`);
    const now = clock.now();
    for (const contactId of store.profiles.contactIdsOf(id)) {
      store.history.add({ profile_id: contactId, action: 'update', field: 'company_id', old_value: String(id), new_value: null, at: now, source: ctx.source });
    }
    store.history.add({
      profile_id: id,
      action: 'delete',
      field: '*',
      old_value: JSON.stringify(snapshot(toDraft(profile))),
      new_value: null,
      at: now,
      source: ctx.source,
    });
    store.profiles.delete(id);
    return profile;
  });
}

export interface ForgetResult {
  profile: Profile;
  historyRows: number;
  /**
   * Another process held the file open, so old copies of the erased pages stay in it until that
   * process closes it (the next custfile command finishes the erasure). The erasure itself is
   * done: a retry would find nothing, so this is no failure (exit 5 made scripts retry).
   */
  held: boolean;
}

/** What `forget` says when old page copies had to stay (ForgetResult.held). */
export const ERASURE_HELD = 'another process has the file open, so old copies of its pages stay in it until that process closes it; the next custfile command finishes the erasure.';

/**
 * `forget` (GDPR Art. 17): the profile, its notes, sales and every history row about it are
 * erased with secure_delete, and the WAL is checkpointed so no copy of the bytes lingers.
 */
export function forgetProfile(ctx: AppContext, id: number): ForgetResult {
  const { store } = ctx;
  const { result, held } = store.writeErasing(() => {
    const profile = store.profiles.byId(id);
    if (!profile) throw new ValidationError('REF', `profile #${id} is gone already.`);
    const historyRows = store.history.deleteForProfile(id);
    // history rows of former contacts that name this company's id are not personal data of it
    store.profiles.delete(id);
    store.profiles.retireId(id);
    return { profile, historyRows };
  });
  return { ...result, held };
}

/** A profile that `remove` took, whose history is kept under its id (and what it was called). */
export interface RemovedProfile {
  id: number;
  name: string | null;
}

/**
 * What a REF names for `forget` and `history`: a profile, or a removed one whose history is kept
 * (by its id, or `#id`). A REF that names both (id 2 removed, a profile with external id "2") is
 * ambiguous, never guessed: `forget` erases for good. `#2` names the id alone.
 */
export function resolveSubject(ctx: AppContext, ref: string): { profile: Profile } | { removed: RemovedProfile } {
  const { store } = ctx;
  // the caller's read or write transaction: what it names must still be so when it acts
  {
    const text = ref.trim();
    const idText = /^#?([1-9]\d*)$/.exec(text)?.[1];
    let removed: RemovedProfile | undefined;
    if (idText !== undefined && !store.profiles.byId(Number(idText))) {
      const entries = store.history.query({ profileId: Number(idText), limit: 1 });
      if (entries.length > 0) removed = { id: Number(idText), name: entries[0]!.profile_name };
    }
    if (text.startsWith('#') && idText !== undefined) {
      // `#7` is the id 7 and nothing else: not an external id, not a name
      if (removed) return { removed };
      const byId = store.profiles.byId(Number(idText));
      if (!byId) throw new NotFoundError(`no profile, and no removed one, has the id ${idText}.`);
      return { profile: byId };
    }
    let profile: Profile | undefined;
    try {
      profile = resolveRef(store, text);
    } catch (err) {
      if (!(err instanceof NotFoundError) || removed === undefined) throw err;
    }
    if (profile && removed) {
      throw new AmbiguousRefError(text, [{ id: removed.id, label: `${removed.name ?? ''} (removed)`.trim() }, { id: profile.id, label: describeProfile(profile) }], `write #${removed.id} for the removed one`);
    }
    return profile ? { profile } : { removed: removed! };
  }
}

/** `forget` of a removed profile: the history `remove` kept is erased as forgetProfile erases it. */
export function forgetRemoved(ctx: AppContext, id: number): { historyRows: number; held: boolean } {
  const { store } = ctx;
  const { result, held } = store.writeErasing(() => {
    if (store.profiles.byId(id)) throw new ValidationError('REF', `#${id} is not removed; forget it by its REF.`);
    const historyRows = store.history.deleteForProfile(id);
    store.profiles.retireId(id);
    return historyRows;
  });
  return { historyRows: result, held };
}
