/**
 * Profiles as users and scripts see them: SPEC.md's field names, money as numbers in the file's
 * currency (exact to the cent), tags as an array, custom fields as an object.
 */
import { FIELDS } from '../domain/fields.js';
import type { Profile } from '../domain/profile.js';
import { formatCents } from '../domain/values.js';

export type PublicRecord = Record<string, unknown>;

export function toPublicRecord(p: Profile): PublicRecord {
  const out: PublicRecord = {};
  for (const f of FIELDS) {
    const value = (p as unknown as Record<string, unknown>)[f.name];
    out[f.name] = f.type === 'money' && typeof value === 'number' ? value / 100 : value;
  }
  return out;
}

/** Columns of a CSV of profiles: every field but `custom`, then one column per custom field. */
export function csvColumns(customKeys: readonly string[]): { header: string; get: (p: Profile) => string; text: boolean }[] {
  const columns: { header: string; get: (p: Profile) => string; text: boolean }[] = [];
  const fieldNames = new Set(FIELDS.map((f) => f.name));
  for (const f of FIELDS) {
    if (f.type === 'custom') continue;
    const name = f.name as keyof Profile;
    const text = !['money', 'int', 'id', 'ref', 'bool'].includes(f.type);
    columns.push({
      header: f.name,
      text,
      get: (p) => {
        const v = p[name];
        if (v === null || v === undefined) return '';
        if (f.type === 'money') return formatCents(v as number);
        if (f.type === 'tags') return (v as string[]).join(',');
        return String(v);
      },
    });
  }
  for (const key of customKeys) {
    // own properties only: a field named "constructor" is not Object's
    columns.push({ header: fieldNames.has(key) ? `custom.${key}` : key, text: true, get: (p) => (Object.hasOwn(p.custom, key) ? (p.custom[key] ?? '') : '') });
  }
  return columns;
}

/** Spreadsheets run cells that start with these as formulas; a leading `'` makes them text. */
export function guardFormula(cell: string): string {
  return /^[=+\-@\t\r]/.test(cell) ? `'${cell}` : cell;
}
