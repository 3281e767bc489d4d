/**
 * The field catalogue of SPEC.md ("Field names"): the one list that names every field a profile
 * has, which kind it belongs to, how its values are parsed, and whether a user may write it.
 * Flags, `--set`, validation, renderers, history and the filter language all read this table.
 */
export const KINDS = ['company', 'person'] as const;
export type Kind = (typeof KINDS)[number];

/** Lifecycle stages, in the order a relationship usually runs. */
export const LIFECYCLES = ['lead', 'prospect', 'customer', 'partner', 'inactive', 'former'] as const;
export type Lifecycle = (typeof LIFECYCLES)[number];

export const CHANNELS = ['call', 'email', 'meeting', 'note', 'letter', 'visit'] as const;
export type Channel = (typeof CHANNELS)[number];

export type FieldType =
  | 'id' // integer assigned by the store
  | 'text'
  | 'email'
  | 'url'
  | 'date' // YYYY-MM-DD
  | 'birthday' // YYYY-MM-DD or --MM-DD
  | 'money' // exact decimal, stored as integer cents
  | 'int'
  | 'bool'
  | 'enum'
  | 'tags' // string[]
  | 'custom' // Record<string,string>
  | 'ref' // a profile id given as REF
  | 'timestamp';

export interface FieldDef {
  readonly name: string;
  readonly type: FieldType;
  /** Kinds this field belongs to. */
  readonly kinds: readonly Kind[];
  /** Users may set it with a flag or `--set`. */
  readonly writable: boolean;
  readonly values?: readonly string[];
  /** One line for `--help` and prompts. */
  readonly description: string;
}

const both: readonly Kind[] = ['company', 'person'];
const company: readonly Kind[] = ['company'];
const person: readonly Kind[] = ['person'];

function def(
  name: string,
  type: FieldType,
  kinds: readonly Kind[],
  description: string,
  extra: Partial<FieldDef> = {},
): FieldDef {
  return { name, type, kinds, writable: true, description, ...extra };
}

export const FIELDS: readonly FieldDef[] = [
  def('id', 'id', both, 'assigned integer id', { writable: false }),
  def('kind', 'enum', both, 'company or person', { writable: false, values: KINDS }),
  def('external_id', 'text', both, 'your own customer number; unique'),
  def('name', 'text', both, "display name: the company's name, or first and last name"),
  def('company', 'text', both, "a company's name; for a person the employer (read-only)", {
    writable: false,
  }),
  def('company_id', 'ref', person, 'the company this person is a key contact of'),
  def('role', 'text', person, 'role at the company (CEO, buyer, ...)'),
  def('decision_maker', 'bool', person, 'true when this contact decides'),
  def('first_name', 'text', person, 'first name'),
  def('last_name', 'text', person, 'last name'),
  def('birthday', 'birthday', person, 'YYYY-MM-DD, or --MM-DD when the year is unknown'),
  def('profession', 'text', person, 'profession'),
  def('household', 'text', person, 'household composition'),
  def('income_band', 'text', person, 'income band'),
  def('legal_form', 'text', company, 'legal form (GmbH, AG, Ltd, ...)'),
  def('industry', 'text', company, 'industry or sector'),
  def('revenue', 'money', company, 'annual revenue, exact decimal'),
  def('headcount', 'int', company, 'number of employees'),
  def('website', 'url', company, 'website'),
  def('financial_status', 'text', company, 'financial status'),
  def('email', 'email', both, 'e-mail address'),
  def('phone', 'text', both, 'phone number (kept as text)'),
  def('street', 'text', both, 'street and number'),
  def('postcode', 'text', both, 'postcode (kept as text: 01067 keeps its zero)'),
  def('city', 'text', both, 'city'),
  def('region', 'text', both, 'region or state'),
  def('country', 'text', both, 'country'),
  def('lifecycle', 'enum', both, `lifecycle stage: ${LIFECYCLES.join(', ')}`, {
    values: LIFECYCLES,
  }),
  def('tags', 'tags', both, 'tags, comma-separated'),
  def('source', 'text', both, 'how the data was collected'),
  def('customer_since', 'date', both, 'customer since (YYYY-MM-DD)'),
  def('next_contact', 'date', both, 'next contact date, the follow-up (YYYY-MM-DD)'),
  def('reviewed_at', 'date', both, 'last reviewed (YYYY-MM-DD)'),
  def('notes', 'text', both, 'free notes'),
  def('custom', 'custom', both, 'custom fields, set with --set custom.NAME=VALUE', {
    writable: false,
  }),
  def('sales_total', 'money', both, 'sum of recorded sales (derived)', { writable: false }),
  def('sales_count', 'int', both, 'number of recorded sales (derived)', { writable: false }),
  def('last_sale', 'date', both, 'date of the last sale (derived)', { writable: false }),
  def('created_at', 'timestamp', both, 'when the profile was created', { writable: false }),
  def('updated_at', 'timestamp', both, 'when the profile last changed', { writable: false }),
];

const BY_NAME = new Map(FIELDS.map((f) => [f.name, f]));

export function fieldByName(name: string): FieldDef | undefined {
  return BY_NAME.get(name);
}

export const FIELD_NAMES: readonly string[] = FIELDS.map((f) => f.name);

/** Fields a user may write on a profile of this kind (flags of `add`, names of `--set`). */
export function writableFields(kind: Kind): FieldDef[] {
  return FIELDS.filter((f) => f.writable && f.kinds.includes(kind));
}

/** `first_name` → `first-name`, the flag spelling. */
export function flagName(field: string): string {
  return field.replace(/_/g, '-');
}

/** Custom field names: letters, digits, `_`, `-`, `.` are not allowed (they separate paths). */
export const CUSTOM_NAME = /^[\p{L}\p{N}_][\p{L}\p{N}_ -]{0,63}$/u;

export function isReservedKey(name: string): boolean {
  return name === '__proto__' || name === 'constructor' || name === 'prototype';
}
