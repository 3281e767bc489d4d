/**
 * A profile, the rules that keep it whole, and the changes between two versions of it.
 * Pure: ids, clocks and the store are the caller's business.
 */
import { ValidationError } from '../errors.js';
import { type FieldDef, type Kind, FIELDS, fieldByName, isReservedKey } from './fields.js';
import {
  type FieldValue,
  checkCustomName,
  formatFieldValue,
  normalizeTags,
  parseFieldValue,
  splitTags,
} from './values.js';

export interface Profile {
  id: number;
  kind: Kind;
  external_id: string | null;
  name: string;
  /** A company's own name, or a person's employer (from the link). */
  company: string | null;
  company_id: number | null;
  role: string | null;
  decision_maker: boolean | null;
  first_name: string | null;
  last_name: string | null;
  birthday: string | null;
  profession: string | null;
  household: string | null;
  income_band: string | null;
  legal_form: string | null;
  industry: string | null;
  /** Integer cents. */
  revenue: number | null;
  headcount: number | null;
  website: string | null;
  financial_status: string | null;
  email: string | null;
  phone: string | null;
  street: string | null;
  postcode: string | null;
  city: string | null;
  region: string | null;
  country: string | null;
  lifecycle: string | null;
  tags: string[];
  source: string | null;
  customer_since: string | null;
  next_contact: string | null;
  reviewed_at: string | null;
  notes: string | null;
  custom: Record<string, string>;
  /** Integer cents. */
  sales_total: number;
  sales_count: number;
  last_sale: string | null;
  created_at: string;
  updated_at: string;
}

/** The fields a user writes; everything else is assigned or derived. */
export type ProfileDraft = Omit<
  Profile,
  'id' | 'company' | 'sales_total' | 'sales_count' | 'last_sale' | 'created_at' | 'updated_at'
>;

export function emptyDraft(kind: Kind): ProfileDraft {
  return {
    kind,
    external_id: null,
    name: '',
    company_id: null,
    role: null,
    decision_maker: null,
    first_name: null,
    last_name: null,
    birthday: null,
    profession: null,
    household: null,
    income_band: null,
    legal_form: null,
    industry: null,
    revenue: null,
    headcount: null,
    website: null,
    financial_status: null,
    email: null,
    phone: null,
    street: null,
    postcode: null,
    city: null,
    region: null,
    country: null,
    lifecycle: null,
    tags: [],
    source: null,
    customer_since: null,
    next_contact: null,
    reviewed_at: null,
    notes: null,
    custom: {},
  };
}

/** What a user asked to change, still as text: `--set`, flags, `--unset`, `--tag +a,-b`. */
export interface ChangeRequest {
  set: { field: string; value: string }[];
  unset: string[];
  /** `+a,-b` items; a bare `a` adds. */
  tagEdits: string[];
}

export function emptyChangeRequest(): ChangeRequest {
  return { set: [], unset: [], tagEdits: [] };
}

function resolveWritableField(kind: Kind, name: string): FieldDef {
  const field = fieldByName(name);
  if (!field) {
    throw new ValidationError(name, 'is not a field; custom fields are written custom.NAME.');
  }
  if (!field.writable && !(name === 'name')) {
    throw new ValidationError(name, 'is assigned or derived and cannot be set.');
  }
  if (!field.kinds.includes(kind)) {
    throw new ValidationError(name, `belongs to a ${field.kinds.join(' or ')}, not a ${kind}.`);
  }
  return field;
}

/** Full display name of a person from first and last name. */
export function personName(first: string | null, last: string | null): string {
  return [first, last].filter((p) => p !== null && p !== '').join(' ');
}

/**
 * Applies a change request to a draft and returns the new draft; validates every value and the
 * profile as a whole. Throws ValidationError naming the field; the input is never modified.
 */
/**
 * A person's name in one piece (`--name`, a sheet's "Name" column): split at the last space
 * ("Anna Lena Müller"); "Müller, Anna", as sheets and address books sort names, is last name,
 * first name.
 */
export function splitPersonName(name: string): { first_name: string | null; last_name: string } {
  const comma = name.indexOf(',');
  if (comma > 0 && name.indexOf(',', comma + 1) < 0 && name.slice(comma + 1).trim() !== '') {
    return { first_name: name.slice(comma + 1).trim(), last_name: name.slice(0, comma).trim() };
  }
  const cut = name.lastIndexOf(' ');
  return cut > 0 ? { first_name: name.slice(0, cut).trim(), last_name: name.slice(cut + 1).trim() } : { first_name: null, last_name: name };
}

export function applyChanges(before: ProfileDraft, request: ChangeRequest): ProfileDraft {
  const next: ProfileDraft = { ...before, tags: [...before.tags], custom: { ...before.custom } };
  const record = next as unknown as Record<string, FieldValue | Record<string, string>>;
  let explicitName: string | null = null;

  for (const name of request.unset) {
    if (name.startsWith('custom.')) {
      const key = name.slice('custom.'.length);
      checkCustomName(key);
      delete next.custom[key];
      continue;
    }
    const field = resolveWritableField(next.kind, name);
    if (field.name === 'name') throw new ValidationError('name', 'cannot be removed.');
    record[field.name] = field.type === 'tags' ? [] : null;
  }

  for (const { field: name, value } of request.set) {
    if (name.startsWith('custom.')) {
      const key = name.slice('custom.'.length);
      checkCustomName(key);
      if (isReservedKey(key)) throw new ValidationError(name, 'is not a usable custom field name.');
      const text = value.trim();
      if (text === '') delete next.custom[key];
      else next.custom[key] = text;
      continue;
    }
    const field = resolveWritableField(next.kind, name);
    if (field.name === 'name') {
      explicitName = value.trim();
      continue;
    }
    record[field.name] = parseFieldValue(field, value);
  }

  if (request.tagEdits.length > 0) next.tags = applyTagEdits(next.tags, request.tagEdits);
  next.tags = normalizeTags(next.tags);

  if (next.kind === 'person') {
    if (explicitName !== null && next.first_name === before.first_name && next.last_name === before.last_name) {
      const split = splitPersonName(explicitName);
      next.first_name = split.first_name;
      next.last_name = split.last_name;
    }
    next.name = personName(next.first_name, next.last_name);
  } else if (explicitName !== null) {
    next.name = explicitName;
  }
  validateDraft(next);
  return next;
}

/**
 * For a command that names a person's fields one by one (add, update): a `name` that the first
 * and last name set beside it do not make is an error, not silently dropped (an import's row may
 * carry both, and the parts win there).
 */
export function checkNameAgrees(draft: ProfileDraft, request: ChangeRequest): void {
  if (draft.kind !== 'person') return;
  const named = request.set.filter((s) => s.field === 'name').map((s) => s.value.trim());
  const parts = request.set.some((s) => s.field === 'first_name' || s.field === 'last_name');
  if (parts && named.some((n) => n !== draft.name)) {
    throw new ValidationError('name', `"${named.find((n) => n !== draft.name)}" is not what the first and last name make ("${draft.name}"); give --name or --first-name/--last-name, not both.`);
  }
}

export function applyTagEdits(tags: readonly string[], edits: readonly string[]): string[] {
  const result = [...tags];
  for (const edit of edits.flatMap((e) => e.split(','))) {
    const e = edit.trim();
    if (e === '') continue;
    // tags compare in any case, as the tag index does
    if (e.startsWith('-')) {
      const tag = e.slice(1).trim().toLowerCase();
      const i = result.findIndex((t) => t.toLowerCase() === tag);
      if (i >= 0) result.splice(i, 1);
    } else {
      const tag = (e.startsWith('+') ? e.slice(1) : e).trim();
      if (tag !== '' && !result.some((t) => t.toLowerCase() === tag.toLowerCase())) result.push(tag);
    }
  }
  return result;
}

/** Whole-profile rules that single fields cannot check. */
function codePoints(text: string): number {
  let n = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c < 0xd800 || c > 0xdbff) n++; // a high surrogate counts with its low one
  }
  return n;
}

export function validateDraft(draft: ProfileDraft): void {
  if (draft.name.trim() === '') {
    throw new ValidationError(
      draft.kind === 'company' ? 'name' : 'last_name',
      draft.kind === 'company' ? 'a company needs a name.' : 'a person needs a first or last name.',
    );
  }
  // characters as a reader counts them (code points): an emoji is one, not the two units of UTF-16
  if (codePoints(draft.name) > 500) throw new ValidationError('name', 'is longer than 500 characters.');
  for (const tag of draft.tags) {
    if (codePoints(tag) > 100) throw new ValidationError('tags', 'a tag is longer than 100 characters.');
  }
  if (draft.kind === 'company' && draft.company_id !== null) {
    throw new ValidationError('company_id', 'a company cannot be the key contact of another company.');
  }
  if (draft.headcount !== null && draft.headcount < 0) {
    throw new ValidationError('headcount', 'cannot be negative.');
  }
}

/** Profile → draft (drops assigned and derived fields). */
export function toDraft(profile: Profile): ProfileDraft {
  const {
    id: _id,
    company: _company,
    sales_total: _st,
    sales_count: _sc,
    last_sale: _ls,
    created_at: _c,
    updated_at: _u,
    ...draft
  } = profile;
  return { ...draft, tags: [...draft.tags], custom: { ...draft.custom } };
}

export interface FieldChange {
  field: string;
  old: string | null;
  new: string | null;
}

/** Fields a history diff compares: everything a user can change. */
const DIFFED = FIELDS.filter((f) => f.writable || f.name === 'name');

/** Field-by-field differences, in catalogue order, custom fields as `custom.NAME`. */
export function diffDrafts(before: ProfileDraft, after: ProfileDraft): FieldChange[] {
  const changes: FieldChange[] = [];
  const b = before as unknown as Record<string, unknown>;
  const a = after as unknown as Record<string, unknown>;
  for (const field of DIFFED) {
    const old = formatFieldValue(field, b[field.name]);
    const now = formatFieldValue(field, a[field.name]);
    if (old !== now) changes.push({ field: field.name, old, new: now });
  }
  const keys = new Set([...Object.keys(before.custom), ...Object.keys(after.custom)]);
  for (const key of [...keys].sort()) {
    const old = before.custom[key] ?? null;
    const now = after.custom[key] ?? null;
    if (old !== now) changes.push({ field: `custom.${key}`, old, new: now });
  }
  return changes;
}

/** The non-empty fields of a draft as text, for the history row of a creation or deletion. */
export function snapshot(draft: ProfileDraft): Record<string, string> {
  const out: Record<string, string> = { kind: draft.kind };
  const d = draft as unknown as Record<string, unknown>;
  for (const field of DIFFED) {
    const v = formatFieldValue(field, d[field.name]);
    if (v !== null) out[field.name] = v;
  }
  for (const [k, v] of Object.entries(draft.custom)) out[`custom.${k}`] = v;
  return out;
}

/** Parses `FIELD=VALUE` of `--set`. */
export function parseAssignment(text: string): { field: string; value: string } {
  const i = text.indexOf('=');
  if (i <= 0) throw new ValidationError(text, 'write --set FIELD=VALUE, e.g. --set city=Dresden.');
  return { field: text.slice(0, i).trim(), value: text.slice(i + 1) };
}

export { splitTags };
