/**
 * Profiles as users and scripts see them: SPEC.md's field names, money as numbers in the file's
 * currency (exact to the cent), tags as an array, custom fields as an object.
 */
import { FIELDS } from '../domain/fields.js';
import type { Profile } from '../domain/profile.js';
import { formatCents } from '../domain/values.js';
import type { CsvCell } from '../storage/profile-csv.js';
import type { CsvColumn } from './csv.js';

export type PublicRecord = Record<string, unknown>;

export function toPublicRecord(p: Profile): PublicRecord {
  const out: PublicRecord = {};
  for (const f of FIELDS) {
    const value = (p as unknown as Record<string, unknown>)[f.name];
    out[f.name] = f.type === 'money' && typeof value === 'number' ? value / 100 : value;
  }
  return out;
}

/** A CSV column of profiles, and how SQLite writes it (`export --format csv`, storage/profile-csv.ts). */
export interface ProfileCsvColumn extends CsvColumn<Profile> {
  cell: CsvCell;
}

/**
 * How SQLite writes a column (storage/profile-csv.ts): where quotes are common, it quotes (free
 * text: notes, custom fields, tags whenever there are two); where a formula start is common, it
 * guards (phone numbers in international form, birthdays without a year); a quoted cell must be
 * guarded there too, as its check cannot see into it. Any other cell that needs either is rare,
 * and its row is written by csvRows instead (ui/render.ts, renderCsvBlocks).
 */
function sqliteWrites(field: string | null, quote: boolean): { guard: boolean; quote: boolean } {
  return { guard: quote || field === 'phone' || field === 'birthday', quote };
}

/** Columns of a CSV of profiles: every field but `custom`, then one column per custom field. */
export function csvColumns(customKeys: readonly string[]): ProfileCsvColumn[] {
  const columns: ProfileCsvColumn[] = [];
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
      cell: { field: f.name, ...sqliteWrites(f.name, f.type === 'tags' || f.name === 'notes') },
    });
  }
  for (const key of customKeys) {
    columns.push({
      header: fieldNames.has(key) ? `custom.${key}` : key,
      text: true,
      // own properties only: a field named "constructor" is not Object's
      get: (p) => (Object.hasOwn(p.custom, key) ? (p.custom[key] ?? '') : ''),
      cell: { custom: key, ...sqliteWrites(null, true) },
    });
  }
  return columns;
}

/** What starts a formula in a spreadsheet (a character class body). */
export const FORMULA_START = '=+\\-@\\t\\r';
const STARTS_FORMULA = new RegExp(`^[${FORMULA_START}]`);

/** Spreadsheets run cells that start with these as formulas; a leading `'` makes them text. */
export function guardFormula(cell: string): string {
  return STARTS_FORMULA.test(cell) ? `'${cell}` : cell;
}
