/**
 * The fingerprint of a mapped import row: a re-import compares it with the one stored on the
 * profile the row matches (storage migration 0030) to skip rows that change nothing. A false
 * "unchanged" needs a changed row whose 52 bits equal the old ones: 2^-52.
 *
 * It hashes `valuesText`, the values written out once: the import worker sends the same text to
 * the main thread (app/record-batches.ts), so a row is serialized once for both.
 */
import { FIELD_NAMES } from './fields.js';
import type { ImportValues } from './import-mapping.js';

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

/** 52 bits of two 32-bit multiplicative hashes of the text, in one pass. */
export function hashText(text: string): number {
  let a = 0x811c9dc5;
  let b = 0x9e3779b9;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    a = Math.imul(a ^ c, 0x01000193);
    b = Math.imul(b ^ c, 0x5bd1e995);
    b ^= b >>> 15;
  }
  a ^= a >>> 16;
  a = Math.imul(a, 0x85ebca6b);
  a ^= a >>> 13;
  b ^= b >>> 16;
  b = Math.imul(b, 0xc2b2ae35);
  b ^= b >>> 16;
  return (a >>> 0) * 0x100000 + (b >>> 12);
}

export function importFingerprint(values: ImportValues): number {
  return hashText(valuesText(values));
}
