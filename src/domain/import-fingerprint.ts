/**
 * The fingerprint of an import row: a re-import compares it with the one stored on the profile
 * the row matches (storage migration 0030) to skip rows that change nothing. A false "unchanged"
 * needs a changed row whose 51 bits equal the old ones: 2^-51.
 *
 * A tabular row's fingerprint is made from its raw text, seeded with everything else its values
 * depend on (`rowSeed`: the program's version, the column mapping, the date and decimal choices,
 * the file's dialect): the same text under the same seed maps to the same values, so a re-import
 * can skip a row without mapping it (the import worker then sends only the row's key cell,
 * app/record-batches.ts). A vCard's is made from its values (`importFingerprint`).
 *
 * The lowest bit is not part of the hash: `storedFingerprint` sets it when the row is a person
 * linked to a company by name, which the short cut checks on the stored profile (the row itself
 * is not mapped then). Compare with `sameRow`.
 */
import { FIELD_NAMES } from './fields.js';
import { type ImportValues, linkedCompanyName } from './import-mapping.js';

/**
 * A field is written as its number in FIELD_NAMES (custom fields by name: `custom.NAME` is never
 * a number): the names were a third of the text a worker sends for each row.
 */
const FIELD_CODES = new Map(FIELD_NAMES.map((name, i) => [name, String(i)]));
/** The field a code in `valuesText` stands for. */
export function fieldOfCode(code: string): string {
  const c = code.charCodeAt(0);
  return c >= 48 && c <= 57 ? FIELD_NAMES[Number(code)]! : code;
}

/** Separates the parts of `valuesText` (and of a record batch). */
export const SEP = '\u0001';
/** Leads a `valuesText` whose parts hold SEP: then each part is led by its length instead. */
const ESCAPED = '\u0002';

/**
 * The values as one text, no two different rows alike: kind, company name (empty: none), the
 * tags, the assignments (field code, value) and the company's assignments, each list led by its
 * count (`-`: no company list), joined by SEP; when a part holds SEP itself, ESCAPED and length-led parts.
 */
function valuesText(values: ImportValues): string {
  return plainValuesText(values) ?? escapedText(values);
}

/**
 * `valuesText` when no part holds SEP, else null. `valuesFree`: the caller knows that no value
 * holds SEP (a tabular row's values are taken from its cells, so a row whose text has no SEP has
 * none), and only field names are checked (a custom field is named by the file's header).
 */
export function plainValuesText(values: ImportValues, valuesFree = false): string | null {
  const company = values.companyName ?? '';
  const tags = values.tagEdits ?? [];
  let text = `${values.kind}${SEP}${company}${SEP}${tags.length}`;
  let clean = valuesFree || !company.includes(SEP);
  for (const t of tags) {
    if (!valuesFree) clean &&= !t.includes(SEP);
    text += `${SEP}${t}`;
  }
  const pairs = (list: readonly { field: string; value: string }[]) => {
    text += `${SEP}${list.length}`;
    for (const p of list) {
      const code = FIELD_CODES.get(p.field);
      if (code === undefined) clean &&= !p.field.includes(SEP);
      if (!valuesFree) clean &&= !p.value.includes(SEP);
      text += `${SEP}${code ?? p.field}${SEP}${p.value}`;
    }
  };
  pairs(values.set);
  if (values.companySet === undefined) text += `${SEP}-`;
  else pairs(values.companySet);
  return clean ? text : null;
}

function escapedText(values: ImportValues): string {
  const parts = [values.kind, values.companyName ?? '', String((values.tagEdits ?? []).length), ...(values.tagEdits ?? []), String(values.set.length)];
  for (const p of values.set) parts.push(p.field, p.value);
  if (values.companySet === undefined) parts.push('-');
  else {
    parts.push(String(values.companySet.length));
    for (const p of values.companySet) parts.push(p.field, p.value);
  }
  return ESCAPED + parts.map((p) => `${p.length}:${p}`).join('');
}

/** The state of the hash after a text: a seed for `hashFrom`. */
export interface HashSeed {
  a: number;
  b: number;
}

const START: HashSeed = { a: 0x811c9dc5, b: 0x9e3779b9 };

/** Two 32-bit multiplicative hashes of the text, in one pass, continued from `seed`. */
function run(text: string, seed: HashSeed): HashSeed {
  let a = seed.a;
  let b = seed.b;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    a = Math.imul(a ^ c, 0x01000193);
    b = Math.imul(b ^ c, 0x5bd1e995);
    b ^= b >>> 15;
  }
  return { a, b };
}

/** 52 bits of the text, hashed on from `seed`; the lowest bit is always 0 (see the module comment). */
export function hashFrom(seed: HashSeed, text: string): number {
  let { a, b } = run(text, seed);
  a ^= a >>> 16;
  a = Math.imul(a, 0x85ebca6b);
  a ^= a >>> 13;
  b ^= b >>> 16;
  b = Math.imul(b, 0xc2b2ae35);
  b ^= b >>> 16;
  return (a >>> 0) * 0x100000 + ((b >>> 12) & ~1);
}

/** The seed for the rows of one mapping: `signature` names everything their values depend on besides their text. */
export function rowSeed(signature: string): HashSeed {
  return run(`${signature}${SEP}`, START);
}

/** A vCard's (or any non-tabular record's) fingerprint: made from its values. */
export function importFingerprint(values: ImportValues): number {
  return hashFrom(START, valuesText(values));
}

/**
 * What a profile written from a row keeps: the row's fingerprint, with the lowest bit set for a
 * person linked by the row to a company; null for a row that sets its company's fields (the
 * company may have been edited since, so such rows never take the short cut).
 */
export function storedFingerprint(fp: number, values: ImportValues): number | null {
  if (values.companySet !== undefined) return null;
  return fp - (fp % 2) + (linkedCompanyName(values) !== null ? 1 : 0);
}

/** The stored fingerprint is the row's (its lowest bit aside). */
export function sameRow(stored: number | null, fp: number): boolean {
  return stored !== null && stored - (stored % 2) === fp - (fp % 2);
}

/** The row a stored fingerprint was made from linked a person to a company by name. */
export function linkedByRow(stored: number): boolean {
  return stored % 2 === 1;
}
