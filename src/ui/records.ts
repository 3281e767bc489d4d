/**
 * Profiles as users and scripts see them: SPEC.md's field names, money as numbers in the file's
 * currency (exact to the cent), tags as an array, custom fields as an object.
 */
import { FORMULA_STARTERS, guardFormula } from '../domain/formula-guard.js';
import { FIELDS } from '../domain/fields.js';
import type { Profile } from '../domain/profile.js';
import { centsToNumber, formatCents } from '../domain/values.js';
import type { CsvCell } from '../storage/profile-csv.js';
import type { CsvColumn } from './csv.js';

export type PublicRecord = Record<string, unknown>;

// a value that is not a number (text put there by another tool) is shown as it is
const money = (cents: number | null): number | null => (typeof cents === 'number' ? centsToNumber(cents) : cents);

/**
 * A profile in FIELDS' order (test/unit/records.test.ts holds it to the catalogue). Written out
 * rather than looped over FIELDS: a start runs this in the interpreter, where the loop's dynamic
 * keys cost ~12 µs a profile (`list --format ndjson` of 1,000 profiles spent 12-20 ms here), and
 * JSON.stringify takes its fast path on an object of one fixed shape.
 */
export function toPublicRecord(p: Profile): PublicRecord {
  return {
    id: p.id,
    kind: p.kind,
    external_id: p.external_id,
    name: p.name,
    company: p.company,
    company_id: p.company_id,
    role: p.role,
    decision_maker: p.decision_maker,
    first_name: p.first_name,
    last_name: p.last_name,
    birthday: p.birthday,
    profession: p.profession,
    household: p.household,
    income_band: p.income_band,
    legal_form: p.legal_form,
    industry: p.industry,
    revenue: money(p.revenue),
    headcount: p.headcount,
    website: p.website,
    financial_status: p.financial_status,
    email: p.email,
    phone: p.phone,
    street: p.street,
    postcode: p.postcode,
    city: p.city,
    region: p.region,
    country: p.country,
    lifecycle: p.lifecycle,
    tags: p.tags,
    source: p.source,
    customer_since: p.customer_since,
    next_contact: p.next_contact,
    reviewed_at: p.reviewed_at,
    notes: p.notes,
    custom: p.custom,
    sales_total: money(p.sales_total),
    sales_count: p.sales_count,
    last_sale: p.last_sale,
    created_at: p.created_at,
    updated_at: p.updated_at,
  };
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

/** What starts a formula in a spreadsheet, as the body of a regular expression's character class. */
export const FORMULA_START = FORMULA_STARTERS.replace(/[-\\\]^]/g, '\\$&');

export { guardFormula };
