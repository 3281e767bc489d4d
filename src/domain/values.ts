/**
 * Text ⇄ typed field values. Every value a user types (a flag, `--set`, an import cell) goes
 * through `parseFieldValue`, and every value stored in history goes through `formatFieldValue`.
 */
import { ValidationError } from '../errors.js';
import { parseBirthday, formatBirthday, isIsoDate } from './dates.js';
import { type FieldDef, isReservedKey } from './fields.js';

export type FieldValue = string | number | boolean | string[] | null;

/**
 * An exact decimal in either European (`1.234.567,89`) or English (`1,234,567.89`) grouping,
 * or plain (`1234567.89`, `1234567,89`), as integer cents. Null when it is not a number.
 */
export function parseMoneyCents(text: string): number | null {
  let t = text.trim().replace(/[\s\u00a0\u202f']/g, '').replace(/^(EUR|\u20ac|\$|USD|CHF|\u00a3)|(EUR|\u20ac|\$|USD|CHF|\u00a3)$/gi, '');
  if (t === '') return null;
  let negative = false;
  if (t.startsWith('-')) {
    negative = true;
    t = t.slice(1);
  } else if (t.startsWith('+')) t = t.slice(1);
  // a lone sign or separator ('-' is a spreadsheet's "none") is not zero
  if (!/\d/.test(t)) return null;
  let intPart: string;
  let frac = '';
  const lastDot = t.lastIndexOf('.');
  const lastComma = t.lastIndexOf(',');
  if (lastDot >= 0 && lastComma >= 0) {
    // both present: the later one is the decimal separator, the other groups thousands
    const decimalSep = lastDot > lastComma ? '.' : ',';
    const groupSep = decimalSep === '.' ? ',' : '.';
    const [i, f] = splitOnce(t, decimalSep);
    if (!/^\d{1,3}([.,]\d{3})*$/.test(i) || i.includes(decimalSep)) return null;
    intPart = i.split(groupSep).join('');
    frac = f;
  } else if (lastDot >= 0 || lastComma >= 0) {
    const sep = lastDot >= 0 ? '.' : ',';
    const parts = t.split(sep);
    if (parts.length > 2) {
      // 1.234.567 or 1,234,567: grouping only
      if (!parts.slice(1).every((p) => p.length === 3)) return null;
      intPart = parts.join('');
    } else {
      intPart = parts[0]!;
      frac = parts[1]!;
      // 12.500 or 1,000: a thousands group or three decimals? Refuse rather than guess 1000× wrong.
      if (frac.length === 3 && intPart.length >= 1 && intPart.length <= 3 && intPart !== '0') return null;
    }
  } else {
    intPart = t;
  }
  if (intPart === '') intPart = '0';
  if (!/^\d+$/.test(intPart) || !/^\d*$/.test(frac) || frac.length > 2) {
    // more than two decimals are accepted only when they are zeros (12.500 is not 12500 here)
    if (!/^\d+$/.test(intPart) || !/^\d*$/.test(frac) || !/^\d{2}0+$/.test(frac)) return null;
    frac = frac.slice(0, 2);
  }
  const cents = Number(intPart) * 100 + Number((frac + '00').slice(0, 2));
  if (!Number.isSafeInteger(cents)) return null;
  return negative ? -cents : cents;
}

function splitOnce(text: string, sep: string): [string, string] {
  const i = text.lastIndexOf(sep);
  return [text.slice(0, i), text.slice(i + 1)];
}

/** A whole number, plain or grouped (`1234`, `1.234`, `1,234`, `1 234`); null otherwise. */
export function parseInteger(text: string): number | null {
  const t = text.replace(/[\s\u00a0\u202f]/g, '');
  let digits: string | null = null;
  if (/^[+-]?\d+$/.test(t)) digits = t;
  else if (/^[+-]?\d{1,3}(\.\d{3})+$/.test(t) || /^[+-]?\d{1,3}(,\d{3})+$/.test(t)) digits = t.replace(/[.,]/g, '');
  if (digits === null) return null;
  const n = Number(digits);
  return Number.isSafeInteger(n) ? n : null;
}

/** Integer cents → the decimal text users see (`1234.5` → "1234.50"). */
export function formatCents(cents: number): string {
  const sign = cents < 0 ? '-' : '';
  const abs = Math.abs(cents);
  return `${sign}${Math.floor(abs / 100)}.${String(abs % 100).padStart(2, '0')}`;
}

export function centsToNumber(cents: number): number {
  return cents / 100;
}

const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;
const TRUE = new Set(['true', 'yes', 'y', '1', 'ja', 'x']);
const FALSE = new Set(['false', 'no', 'n', '0', 'nein', '']);

/**
 * Text in Unicode's composed form (NFC), as custfile stores and compares it: macOS and some exports
 * write "ü" as "u" and a combining diaeresis (NFD), which no `=`, key or name lookup would match
 * to the "ü" a user types. Text without a character from U+0300 up is NFC already (the common case:
 * ASCII and Latin-1 umlauts), and is returned without a call to `normalize`.
 */
export function nfc(text: string): string {
  return NEEDS_NFC.test(text) ? text.normalize('NFC') : text;
}

const NEEDS_NFC = /[\u0300-\uffff]/;

export function splitTags(text: string): string[] {
  return normalizeTags(text.split(','));
}

/**
 * What makes two tags one: any letter's case ("VIP" and "vip", "Ärger" and "ärger"), a Greek
 * final sigma as a sigma. Tag edits and the tag filter (`tag_key` in SQL) both go by it.
 */
export function tagIdentity(tag: string): string {
  return tag.toLowerCase().replace(/ς/g, 'σ');
}

/** Trimmed, without empties, and without repeats (tagIdentity). */
export function normalizeTags(tags: readonly string[]): string[] {
  const seen = new Map<string, string>();
  for (const raw of tags) {
    const t = nfc(raw.trim());
    const key = tagIdentity(t);
    if (t !== '' && !seen.has(key)) seen.set(key, t);
  }
  return [...seen.values()];
}

/**
 * Parses what a user typed for a field. Empty text means "no value" (null).
 * Money fields return integer cents; the store keeps them so.
 */
export function parseFieldValue(field: FieldDef, raw: string): FieldValue {
  const text = raw.trim();
  if (text === '' && field.type !== 'tags') return null;
  switch (field.type) {
    case 'text':
    case 'url':
      return text;
    case 'email':
      if (!EMAIL.test(text)) throw new ValidationError(field.name, 'is not an e-mail address (it needs a name, an @ and a domain).');
      return text;
    case 'date':
      if (!isIsoDate(text)) throw new ValidationError(field.name, 'is not a valid date; write YYYY-MM-DD, e.g. 2026-11-22.');
      return text;
    case 'birthday': {
      const b = parseBirthday(text);
      if (!b) throw new ValidationError(field.name, 'is not a valid birthday; write YYYY-MM-DD, or --MM-DD when the year is unknown.');
      // a year typed wrong (9999): its first birthday would lie past the last four-digit year
      if (b.year !== null && b.year > 9899) throw new ValidationError(field.name, 'is not a valid birthday; its year is after 9899.');
      return formatBirthday(b);
    }
    case 'money': {
      const cents = parseMoneyCents(text);
      if (cents === null) throw new ValidationError(field.name, 'is not a number; write e.g. 1234567.89.');
      return cents;
    }
    case 'int':
    case 'id':
    case 'ref': {
      const n = parseInteger(text);
      if (n === null) throw new ValidationError(field.name, 'is not a whole number.');
      if (field.type !== 'int' && n <= 0) throw new ValidationError(field.name, 'must be a positive id.');
      return n;
    }
    case 'bool': {
      const t = text.toLowerCase();
      if (TRUE.has(t)) return true;
      if (FALSE.has(t)) return false;
      throw new ValidationError(field.name, 'must be true or false.');
    }
    case 'enum': {
      const t = text.toLowerCase();
      if (!field.values?.includes(t)) {
        throw new ValidationError(field.name, `must be one of ${field.values?.join(', ')}.`);
      }
      return t;
    }
    case 'tags':
      return splitTags(text);
    case 'timestamp':
    case 'custom':
      throw new ValidationError(field.name, 'cannot be set directly.');
  }
}

/** Checks a custom field name (`custom.NAME`). */
export function checkCustomName(name: string): void {
  if (name === '' || isReservedKey(name) || name.length > 64 || /[\u0000-\u001f]/.test(name)) {
    throw new ValidationError(`custom.${name}`, 'is not a usable custom field name.');
  }
}

/** The text form of a value, as history and CSV keep it. */
export function formatFieldValue(field: FieldDef, value: unknown): string | null {
  if (value === null || value === undefined) return null;
  switch (field.type) {
    case 'money':
      return formatCents(value as number);
    case 'tags':
      return (value as string[]).length === 0 ? null : (value as string[]).join(',');
    case 'bool':
      return value ? 'true' : 'false';
    case 'custom':
      return JSON.stringify(value);
    default:
      return String(value);
  }
}
