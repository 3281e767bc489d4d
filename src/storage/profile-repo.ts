/**
 * Profiles: the row ⇄ domain mapping and every query on `profiles`.
 */
import type Database from 'better-sqlite3';
import { type FieldDef, type Kind, FIELDS } from '../domain/fields.js';
import type { Profile, ProfileDraft } from '../domain/profile.js';
import type { SqlFragment } from './filter-sql.js';
import { type CsvCell, csvLineSql, sqlText } from './profile-csv.js';
import { type SqliteDatabase, nocase } from './db.js';

export interface ProfileRow {
  id: number;
  kind: Kind;
  external_id: string | null;
  name: string;
  company_id: number | null;
  company_name: string | null;
  role: string | null;
  decision_maker: number | null;
  first_name: string | null;
  last_name: string | null;
  birthday: string | null;
  profession: string | null;
  household: string | null;
  income_band: string | null;
  legal_form: string | null;
  industry: string | null;
  revenue_cents: number | null;
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
  tags: string;
  source: string | null;
  customer_since: string | null;
  next_contact: string | null;
  reviewed_at: string | null;
  notes: string | null;
  custom: string;
  sales_total_cents: number;
  sales_count: number;
  last_sale: string | null;
  created_at: string;
  updated_at: string;
}

/** The columns every profile read selects; `p` is the profile, `c` its company. */
export const PROFILE_SELECT = `SELECT p.id, p.kind, p.external_id, p.name, p.company_id,
  CASE WHEN p.kind = 'company' THEN p.name ELSE c.name END AS company_name,
  p.role, p.decision_maker, p.first_name, p.last_name, p.birthday, p.profession, p.household,
  p.income_band, p.legal_form, p.industry, p.revenue_cents, p.headcount, p.website,
  p.financial_status, p.email, p.phone, p.street, p.postcode, p.city, p.region, p.country,
  p.lifecycle, p.tags, p.source, p.customer_since, p.next_contact, p.reviewed_at, p.notes,
  p.custom, p.sales_total_cents, p.sales_count, p.last_sale, p.created_at, p.updated_at
FROM profiles p LEFT JOIN profiles c ON c.id = p.company_id`;
/** byId's SQL as one string: the statement cache hashes it once, not on every call. */
const BY_ID_SQL = `${PROFILE_SELECT} WHERE p.id = ?`;

export function rowToProfile(row: ProfileRow): Profile {
  return {
    id: row.id,
    kind: row.kind,
    external_id: row.external_id,
    name: row.name,
    company: row.company_name,
    company_id: row.company_id,
    role: row.role,
    decision_maker: row.decision_maker === null ? null : row.decision_maker === 1,
    first_name: row.first_name,
    last_name: row.last_name,
    birthday: row.birthday,
    profession: row.profession,
    household: row.household,
    income_band: row.income_band,
    legal_form: row.legal_form,
    industry: row.industry,
    revenue: row.revenue_cents,
    headcount: row.headcount,
    website: row.website,
    financial_status: row.financial_status,
    email: row.email,
    phone: row.phone,
    street: row.street,
    postcode: row.postcode,
    city: row.city,
    region: row.region,
    country: row.country,
    lifecycle: row.lifecycle,
    tags: parseTags(row.tags),
    source: row.source,
    customer_since: row.customer_since,
    next_contact: row.next_contact,
    reviewed_at: row.reviewed_at,
    notes: row.notes,
    custom: parseCustom(row.custom),
    sales_total: row.sales_total_cents,
    sales_count: row.sales_count,
    last_sale: row.last_sale,
    created_at: row.created_at,
    updated_at: row.updated_at,
  };
}

const parseTags = (text: string): string[] => (text === '[]' ? [] : (JSON.parse(text) as string[]));
const parseCustom = (text: string): Record<string, string> => (text === '{}' ? {} : (JSON.parse(text) as Record<string, string>));

/** A row of PROFILE_SELECT as an array (`.raw()`), in its column order. */
function arrayToProfile(r: unknown[]): Profile {
  const dm = r[7] as number | null;
  return {
    id: r[0] as number,
    kind: r[1] as Kind,
    external_id: r[2] as string | null,
    name: r[3] as string,
    company_id: r[4] as number | null,
    company: r[5] as string | null,
    role: r[6] as string | null,
    decision_maker: dm === null ? null : dm === 1,
    first_name: r[8] as string | null,
    last_name: r[9] as string | null,
    birthday: r[10] as string | null,
    profession: r[11] as string | null,
    household: r[12] as string | null,
    income_band: r[13] as string | null,
    legal_form: r[14] as string | null,
    industry: r[15] as string | null,
    revenue: r[16] as number | null,
    headcount: r[17] as number | null,
    website: r[18] as string | null,
    financial_status: r[19] as string | null,
    email: r[20] as string | null,
    phone: r[21] as string | null,
    street: r[22] as string | null,
    postcode: r[23] as string | null,
    city: r[24] as string | null,
    region: r[25] as string | null,
    country: r[26] as string | null,
    lifecycle: r[27] as string | null,
    tags: parseTags(r[28] as string),
    source: r[29] as string | null,
    customer_since: r[30] as string | null,
    next_contact: r[31] as string | null,
    reviewed_at: r[32] as string | null,
    notes: r[33] as string | null,
    custom: parseCustom(r[34] as string),
    sales_total: r[35] as number,
    sales_count: r[36] as number,
    last_sale: r[37] as string | null,
    created_at: r[38] as string,
    updated_at: r[39] as string,
  };
}

/** The writable columns, in one order for INSERT and UPDATE. */
const WRITE_COLUMNS = [
  'kind', 'external_id', 'name', 'company_id', 'role', 'decision_maker', 'first_name', 'last_name',
  'birthday', 'profession', 'household', 'income_band', 'legal_form', 'industry', 'revenue_cents',
  'headcount', 'website', 'financial_status', 'email', 'phone', 'street', 'postcode', 'city',
  'region', 'country', 'lifecycle', 'tags', 'source', 'customer_since', 'next_contact',
  'reviewed_at', 'notes', 'custom',
] as const;

const INSERT_COLUMNS = [...WRITE_COLUMNS, 'created_at', 'updated_at', 'import_fp', 'id'];
const INSERT_SQL = `INSERT INTO profiles (${INSERT_COLUMNS.join(', ')}) VALUES (${INSERT_COLUMNS.map(() => '?').join(', ')})`;
// every write of the fields sets the import fingerprint (migration 0030): NULL unless an import
// writes the profile from a row
const UPDATE_SQL = `UPDATE profiles SET ${[...WRITE_COLUMNS, 'updated_at'].map((c) => `${c} = ?`).join(', ')}, import_fp = ? WHERE id = ?`;

/** The draft's values in WRITE_COLUMNS order (positional binding: named costs ~5 µs a row more). */
export function draftToValues(draft: ProfileDraft): unknown[] {
  return [
    draft.kind,
    draft.external_id,
    draft.name,
    draft.company_id,
    draft.role,
    draft.decision_maker === null ? null : draft.decision_maker ? 1 : 0,
    draft.first_name,
    draft.last_name,
    draft.birthday,
    draft.profession,
    draft.household,
    draft.income_band,
    draft.legal_form,
    draft.industry,
    draft.revenue,
    draft.headcount,
    draft.website,
    draft.financial_status,
    draft.email,
    draft.phone,
    draft.street,
    draft.postcode,
    draft.city,
    draft.region,
    draft.country,
    draft.lifecycle,
    draft.tags.length === 0 ? '[]' : JSON.stringify(draft.tags),
    draft.source,
    draft.customer_since,
    draft.next_contact,
    draft.reviewed_at,
    draft.notes,
    Object.keys(draft.custom).length === 0 ? '{}' : JSON.stringify(draft.custom),
  ];
}

/**
 * Rows of a CSV export (see csvBlock): the next `limit` matching profiles after id `after`, in id
 * order, or the profiles of these ids, in this order.
 */
export type CsvRows = { filter: SqlFragment | null; after: number; limit: number } | { ids: readonly number[] };

// ---------------------------------------------------------------------------------------------
// Profiles as JSON text, written by SQLite

/** The largest integer a JavaScript number holds exactly (JSON.stringify writes it digit for digit). */
const EXACT_INTEGER = 9007199254740991;
/** Money in integer cents below this is written as its exact decimal (at most 15 digits). */
const EXACT_CENTS = 1_000_000_000_000_000;

interface JsonColumn {
  /** The value in SQL, for json_object(). */
  sql: string;
  /** When SQLite writes the value as JSON.stringify would (else the row is left to JavaScript). */
  exact?: string;
}

/**
 * A column of text: SQLite escapes text as JSON.stringify does (any UTF-8, also invalid). A BLOB
 * (only from outside custfile) makes json_object() fail, and iteratePublicJson goes on in
 * JavaScript: checking every column for one cost more than the rest of the checks together.
 */
function textColumn(sql: string): JsonColumn {
  return { sql };
}

/** An integer column: exact up to 2^53; text (from outside custfile) both write as text; a REAL not. */
function integerColumn(sql: string): JsonColumn {
  return { sql, exact: `typeof(${sql}) <> 'real' AND (typeof(${sql}) <> 'integer' OR abs(${sql}) <= ${EXACT_INTEGER})` };
}

/**
 * Integer cents as currency units, written from the integer: `1234567` as 12345.67, `150` as 1.5,
 * `300` as 3, as JavaScript writes cents / 100 (a decimal of at most 15 digits is the shortest
 * that reads back as that double, and JavaScript writes the shortest).
 */
function moneyColumn(cents: string): JsonColumn {
  const decimal = `json(printf('%s%d.%s', CASE WHEN ${cents} < 0 THEN '-' ELSE '' END, abs(${cents}) / 100, rtrim(printf('%02d', abs(${cents}) % 100), '0')))`;
  return {
    sql: `CASE WHEN typeof(${cents}) <> 'integer' THEN ${cents} WHEN ${cents} % 100 = 0 THEN ${cents} / 100 ELSE ${decimal} END`,
    exact: `typeof(${cents}) <> 'real' AND (typeof(${cents}) <> 'integer' OR abs(${cents}) < ${EXACT_CENTS})`,
  };
}

const COMPANY_NAME = "CASE WHEN p.kind = 'company' THEN p.name ELSE c.name END";

/** Each field of FIELDS but tags and custom (whose JSON text is parsed and written again in JavaScript). */
function jsonColumn(field: FieldDef): JsonColumn {
  if (field.name === 'company') return textColumn(`(${COMPANY_NAME})`);
  const column = `p.${field.name}`;
  switch (field.type) {
    case 'bool':
      // as rowToProfile reads it: 1 is true, any other value false
      return { sql: `CASE WHEN ${column} IS NULL THEN NULL WHEN ${column} = 1 THEN json('true') ELSE json('false') END`, exact: '1' };
    case 'money':
      return moneyColumn(`${column}_cents`);
    case 'id':
    case 'ref':
    case 'int':
      return integerColumn(column);
    default:
      return textColumn(column);
  }
}

/**
 * The SQL of iteratePublicJson: json_object() over the fields before tags, between tags and
 * custom, and after custom; tags and custom as stored; whether SQLite writes every value as
 * JSON.stringify would; and the id.
 */
function publicJsonSelect(): string {
  const pieces: FieldDef[][] = [[]];
  for (const f of FIELDS) {
    if (f.type === 'tags' || f.type === 'custom') pieces.push([]);
    else pieces[pieces.length - 1]!.push(f);
  }
  const order = FIELDS.filter((f) => f.type === 'tags' || f.type === 'custom').map((f) => f.name).join(',');
  if (order !== 'tags,custom' || pieces.some((p) => p.length === 0)) {
    throw new Error(`iteratePublicJson expects fields, tags, fields, custom, fields (got ${order})`);
  }
  const columns = pieces.map((fields) => fields.map((f) => ({ key: f.name, ...jsonColumn(f) })));
  const [head, middle, tail] = columns.map((cols) => `json_object(${cols.map((c) => `'${c.key}', ${c.sql}`).join(', ')})`);
  const exact = columns.flat().flatMap((c) => (c.exact ? [`(${c.exact})`] : [])).join(' AND ');
  return `SELECT CASE WHEN ${exact} THEN 1 ELSE 0 END, ${head}, p.tags, ${middle}, p.custom, ${tail}, p.id
FROM profiles p LEFT JOIN profiles c ON c.id = p.company_id`;
}

let publicJsonSql: string | undefined;

export interface ListOptions {
  filter: SqlFragment | null;
  /** SQL ORDER BY terms built by filter-sql's `sortSql`. */
  orderBy: string;
  limit: number | null;
}

/** The column of an import key field (`checkKey` in app/import-profiles.ts has vetted it). */
function keyColumn(field: string): string {
  if (field === 'revenue') return 'revenue_cents';
  if (!/^[a-z_]+$/.test(field)) throw new Error(`not a key field: ${field}`);
  return field;
}

/** How a key value is compared: e-mails and names in any ASCII case (their indexes are NOCASE). */
function keyCollation(field: string): string {
  return field === 'email' || field === 'name' ? ' COLLATE NOCASE' : '';
}

/** A key value as text, alike for two values exactly when byKey finds the one by the other. */
export function keyIdentity(field: string, value: unknown): string {
  return keyCollation(field) === '' ? String(value) : nocase(String(value));
}

/** The lengths importStates pads its IN lists to (at most 500 values a query). */
const IN_SIZES = [8, 64, 500];

/** What a re-import reads to see that a row changes nothing (see importState). */
export interface ImportState {
  id: number;
  import_fp: number | null;
  company_id: number | null;
}

export class ProfileRepo {
  private readonly cache = new Map<string, Database.Statement<unknown[]>>();
  private readonly keyedCache = new Map<string, Database.Statement<unknown[]>>();
  private utf8: boolean | undefined;
  private pendingRenames: { id: number; name: string }[] | null = null;
  constructor(private readonly db: SqliteDatabase) {}

  /**
   * A statement whose SQL depends on the import key's field, cached under a short name: building
   * and hashing the long SQL text on every call cost a first import ~2 µs a row.
   */
  private keyed(name: string, field: string, sql: () => string): Database.Statement<unknown[]> {
    const id = `${name} ${field}`;
    let s = this.keyedCache.get(id);
    if (!s) {
      s = this.stmt(sql());
      this.keyedCache.set(id, s);
    }
    return s;
  }

  private stmt(sql: string): Database.Statement<unknown[]> {
    let s = this.cache.get(sql);
    if (!s) {
      s = this.db.prepare<unknown[]>(sql);
      this.cache.set(sql, s);
    }
    return s;
  }

  byId(id: number): Profile | undefined {
    const row = this.stmt(BY_ID_SQL).get(id) as ProfileRow | undefined;
    return row && rowToProfile(row);
  }

  byExternalId(externalId: string): Profile | undefined {
    const row = this.stmt(`${PROFILE_SELECT} WHERE p.external_id = ?`).get(externalId) as ProfileRow | undefined;
    return row && rowToProfile(row);
  }

  byEmail(email: string): Profile[] {
    const rows = this.stmt(`${PROFILE_SELECT} WHERE p.email = ? COLLATE NOCASE ORDER BY p.id LIMIT 20`).all(email) as ProfileRow[];
    return rows.map(rowToProfile);
  }

  /** The ids of the profiles of a name (any case) and kind, oldest first; with `withoutKey`, only those without a value of that key field. */
  idsByName(name: string, kind: Kind, withoutKey: string | null = null): number[] {
    const without = withoutKey === null ? '' : ` AND coalesce(${keyColumn(withoutKey)}, '') = ''`;
    return this.stmt(`SELECT id FROM profiles WHERE name = ? COLLATE NOCASE AND kind = ?${without} ORDER BY id`).pluck().all(name, kind) as number[];
  }

  /** Profiles of that name (NOCASE), by id: at most `limit` (20 to list candidates; 2 tell "one or more"). */
  byName(name: string, kind?: Kind, limit = 20): Profile[] {
    const rows = (kind
      ? this.stmt(`${PROFILE_SELECT} WHERE p.name = ? COLLATE NOCASE AND p.kind = ? ORDER BY p.id LIMIT ?`).all(name, kind, limit)
      : this.stmt(`${PROFILE_SELECT} WHERE p.name = ? COLLATE NOCASE ORDER BY p.id LIMIT ?`).all(name, limit)) as ProfileRow[];
    return rows.map(rowToProfile);
  }

  /**
   * Profiles whose `field` equals `value` (an import's --key): at most two, enough to tell
   * "one" from "ambiguous". `field` comes from the catalogue, never from user text.
   */
  byKey(field: string, value: string | number): Profile[] {
    const rows = this.keyed('byKey', field, () => `${PROFILE_SELECT} WHERE p.${keyColumn(field)} = ?${keyCollation(field)} ORDER BY p.id LIMIT 2`).all(value) as ProfileRow[];
    return rows.map(rowToProfile);
  }

  /** The ids of byKey's profiles (at most two), from the key's index alone (the sales import). */
  idsByKey(field: string, value: string | number): number[] {
    return this.keyed('idsByKey', field, () => `SELECT id FROM profiles WHERE ${keyColumn(field)} = ?${keyCollation(field)} ORDER BY id LIMIT 2`).pluck().all(value) as number[];
  }

  /**
   * What a re-import needs to see that a row changes nothing: the profiles with this key (at
   * most two), their company and import fingerprint; no full row is read.
   */
  importState(field: string, value: string | number): ImportState[] {
    // rows as arrays, and one row where the key is unique: this runs for every row of a re-import
    const unique = field === 'external_id' || field === 'id';
    const statement = this.keyed('importState', field, () =>
      `SELECT id, import_fp, company_id FROM profiles WHERE ${keyColumn(field)} = ?${keyCollation(field)}${unique ? '' : ' ORDER BY id LIMIT 2'}`,
    ).raw(true);
    const rows = (unique ? [statement.get(value)].filter((r) => r !== undefined) : statement.all(value)) as [number, number | null, number | null][];
    return rows.map(([id, import_fp, company_id]) => ({ id, import_fp, company_id }));
  }

  /**
   * importState for many key values in one query a 500 (a batch of a re-import), as a lookup. A
   * list is padded with NULLs (which match nothing) to one of IN_SIZES, so that a few statements
   * serve every batch: one per length cost ~25 MiB once batches of every length had come.
   */
  importStates(field: string, values: (string | number)[]): (value: string | number) => ImportState[] {
    const column = keyColumn(field);
    const out = new Map<string, ImportState[]>();
    for (let i = 0; i < values.length; i += 500) {
      const chunk: (string | number | null)[] = values.slice(i, i + 500);
      const size = IN_SIZES.find((n) => n >= chunk.length)!;
      while (chunk.length < size) chunk.push(null);
      const rows = this
        .keyed(`importStates${size}`, field, () =>
          `SELECT ${column}, id, import_fp, company_id FROM profiles WHERE ${column}${keyCollation(field)} IN (${chunk.map(() => '?').join(', ')}) ORDER BY id`,
        )
        .raw(true)
        .all(chunk) as [string | number, number, number | null, number | null][];
      for (const [k, id, import_fp, company_id] of rows) {
        const key = keyIdentity(field, k);
        const list = out.get(key);
        const state = { id, import_fp, company_id };
        if (list === undefined) out.set(key, [state]);
        else if (list.length < 2) list.push(state); // two tell "more than one", as importState's LIMIT 2
      }
    }
    return (value) => out.get(keyIdentity(field, value)) ?? [];
  }

  /**
   * A company's name changed: key contacts that a re-import would now link elsewhere lose their
   * fingerprints (see migration 0030). A contact's row names its company, and the import links it
   * to the first company (lowest id) of that name; that answer changes only for the contacts of
   * this company (their row's name no longer finds it) and of namesakes after it (this one now
   * comes first). A new company comes after all, and a removed one unlinks its contacts, so a
   * contact with its fingerprint is linked as its row says. During a bulk load the name index is
   * set aside, so the renames wait for `flushRenames` after it is built.
   */
  companyRenamed(id: number, name: string): void {
    if (this.pendingRenames !== null) this.pendingRenames.push({ id, name });
    else this.forgetNamesakesAfter(id, name);
  }

  deferRenames(): void {
    this.pendingRenames = [];
  }

  /** The bulk load was rolled back: its renames are gone with it, and renames apply at once again. */
  dropDeferredRenames(): void {
    this.pendingRenames = null;
  }

  flushRenames(): void {
    const pending = this.pendingRenames ?? [];
    this.pendingRenames = null;
    for (const { id, name } of pending) this.forgetNamesakesAfter(id, name);
  }

  private forgetNamesakesAfter(id: number, name: string): void {
    this.stmt(
      "UPDATE profiles SET import_fp = NULL WHERE import_fp IS NOT NULL AND (company_id = ? OR company_id IN (SELECT id FROM profiles WHERE name = ? COLLATE NOCASE AND kind = 'company' AND id > ?))",
    ).run(id, name, id);
  }

  /** After an import wrote a profile from a row (see migration 0030). */
  setImportFingerprint(id: number, importFp: number): void {
    this.stmt('UPDATE profiles SET import_fp = ? WHERE id = ?').run(importFp, id);
  }

  /** The stored value of an import key field (see byKey) of one profile. */
  keyValue(id: number, field: string): string | number | null | undefined {
    const column = keyColumn(field);
    return (this.keyed('keyValue', field, () => `SELECT ${column} AS v FROM profiles WHERE id = ?`).get(id) as { v: string | number | null } | undefined)?.v;
  }

  kindAndName(id: number): { kind: string; name: string } | undefined {
    return this.stmt('SELECT kind, name FROM profiles WHERE id = ?').get(id) as { kind: string; name: string } | undefined;
  }

  /** The company of that name (any case), the oldest when there are several. */
  companyIdByName(name: string): number | undefined {
    const row = this.stmt("SELECT id FROM profiles WHERE name = ? COLLATE NOCASE AND kind = 'company' ORDER BY id LIMIT 1").get(name) as { id: number } | undefined;
    return row?.id;
  }

  contactsOf(companyId: number): Profile[] {
    const rows = this.stmt(`${PROFILE_SELECT} WHERE p.company_id = ? ORDER BY p.decision_maker DESC, p.name`).all(companyId) as ProfileRow[];
    return rows.map(rowToProfile);
  }

  /** The highest id this transaction has given or found (see nextId); null until it is read. */
  private lastId: number | null = null;

  /** `importFp`: the import row the profile is made from (see migration 0030). */
  insert(draft: ProfileDraft, now: string, importFp: number | null = null): number {
    const id = this.nextId();
    const values = draftToValues(draft);
    values.push(now, now, importFp, id);
    this.stmt(INSERT_SQL).run(values);
    this.lastId = id;
    return id;
  }

  /**
   * The id of the next profile: past every id that ever had history, so an id is never given
   * again while a removed profile's history (kept by `remove`) is under it, and past every id
   * forgotten (retireId). SQLite alone would give the highest id again once its profile is
   * removed, and the new profile would inherit the old one's history. Read once a transaction
   * (see `newTransaction`).
   */
  private nextId(): number {
    if (this.lastId === null) {
      const row = this.stmt(
        `SELECT max(coalesce((SELECT max(id) FROM profiles), 0), coalesce((SELECT max(profile_id) FROM history), 0),
          coalesce((SELECT value FROM custfile_meta WHERE key = 'forgotten_id'), 0)) AS n`,
      ).get() as { n: number };
      this.lastId = row.n;
    }
    return this.lastId + 1;
  }

  /** Keeps `id` from being given again once its profile and history are erased (migration 0040). */
  retireId(id: number): void {
    this.stmt("INSERT INTO custfile_meta (key, value) VALUES ('forgotten_id', ?) ON CONFLICT (key) DO UPDATE SET value = max(value, excluded.value)").run(id);
  }

  /** A transaction begins or ends: another process may have added profiles in between. */
  newTransaction(): void {
    this.lastId = null;
  }

  /** `importFp`: the import row the profile is now made from; any other write forgets it. */
  update(id: number, draft: ProfileDraft, now: string, importFp: number | null = null): void {
    const values = draftToValues(draft);
    values.push(now, importFp, id);
    this.stmt(UPDATE_SQL).run(values);
  }

  /** Marks a profile looked after without changing a field. */
  touch(id: number, now: string): void {
    this.stmt('UPDATE profiles SET updated_at = ? WHERE id = ?').run(now, id);
  }

  delete(id: number): void {
    this.stmt('DELETE FROM profiles WHERE id = ?').run(id);
  }

  isEmpty(): boolean {
    return this.stmt('SELECT 1 FROM profiles LIMIT 1').get() === undefined;
  }

  count(filter: SqlFragment | null): number {
    const where = filter ? ` WHERE ${filter.sql}` : '';
    const row = this.db.prepare(`SELECT count(*) AS n FROM profiles p LEFT JOIN profiles c ON c.id = p.company_id${where}`).get(...(filter?.params ?? [])) as { n: number };
    return row.n;
  }

  /** Streams matching profiles in the requested order. */
  *iterate(options: ListOptions): IterableIterator<Profile> {
    const where = options.filter ? ` WHERE ${options.filter.sql}` : '';
    const limit = options.limit !== null ? ` LIMIT ${Math.max(0, Math.floor(options.limit))}` : '';
    const sql = `${PROFILE_SELECT}${where} ORDER BY ${options.orderBy}${limit}`;
    // rows as arrays: better-sqlite3 then builds no 40-key object per row that we copy at once
    const stmt = this.db.prepare(sql).raw(true);
    for (const row of stmt.iterate(...(options.filter?.params ?? [])) as IterableIterator<unknown[]>) {
      yield arrayToProfile(row);
    }
  }

  /** The SQL of CsvRows' rows, less the first `skip`: each row's id and line, in order (see profile-csv.ts). */
  private csvRowsSql(rows: CsvRows, cells: readonly CsvCell[], delimiter: string, eol: string, skip: boolean): SqlFragment {
    const line = csvLineSql(cells, delimiter);
    const select = `SELECT p.id AS id, ${line.sql}${eol ? ` || ${sqlText(eol)}` : ''} AS line`;
    const company = 'LEFT JOIN profiles c ON c.id = p.company_id';
    const offset = skip ? ' OFFSET ?' : '';
    if ('ids' in rows) {
      // each id looked up once, in the order given (json_each's key is the position)
      const sql = `${select} FROM json_each(?) o CROSS JOIN profiles p ${company} WHERE p.id = o.value ORDER BY o.key${skip ? ' LIMIT -1' : ''}${offset}`;
      return { sql, params: [...line.params, JSON.stringify(rows.ids)] };
    }
    const where = rows.filter ? ` AND (${rows.filter.sql})` : '';
    const sql = `${select} FROM profiles p ${company} WHERE p.id > ?${where} ORDER BY p.id LIMIT ?${offset}`;
    return { sql, params: [...line.params, rows.after, ...(rows.filter?.params ?? []), rows.limit] };
  }

  /** CsvRows' CSV lines that SQLite writes (see profile-csv.ts), each with its profile's id, less the first `skip`. */
  *csvLines(rows: CsvRows, cells: readonly CsvCell[], delimiter: string, skip = 0): IterableIterator<[id: number, line: string]> {
    const { sql, params } = this.csvRowsSql(rows, cells, delimiter, '', true);
    // prepared once for all the blocks whose lines are read one by one
    yield* this.stmt(sql).raw(true).iterate(...params, skip) as IterableIterator<[number, string]>;
  }

  /**
   * CsvRows' CSV lines (csvLines', each ending in `eol`) as one block of UTF-8, with each line's
   * length in bytes (where one ends cannot be told from the bytes: a cell may hold a line break)
   * and the greatest id; undefined when there are no rows. From a UTF-8 file the bytes are the
   * file's own (CAST AS BLOB): no string per row is made, nor encoded again for writing.
   */
  csvBlock(rows: CsvRows, cells: readonly CsvCell[], delimiter: string, eol: string): { bytes: Buffer; lineLengths: number[]; lastId: number } | undefined {
    if (!this.textIsUtf8()) {
      const lines = [...this.csvLines(rows, cells, delimiter)].map(([id, line]) => ({ id, bytes: Buffer.from(line + eol) }));
      if (lines.length === 0) return undefined;
      return { bytes: Buffer.concat(lines.map((l) => l.bytes)), lineLengths: lines.map((l) => l.bytes.length), lastId: Math.max(...lines.map((l) => l.id)) };
    }
    const { sql, params } = this.csvRowsSql(rows, cells, delimiter, eol, false);
    // group_concat takes the rows in the subquery's order: SQLite keeps an ORDER BY under an
    // aggregate other than count, min or max (select.c, "ORDER BY clause that is not really doing anything")
    const block = `SELECT CAST(group_concat(line, '') AS BLOB), group_concat(octet_length(line)), max(id) FROM (${sql})`;
    const [bytes, lengths, lastId] = this.stmt(block).raw(true).get(...params) as [Buffer | null, string | null, number | null];
    if (bytes === null || lengths === null || lastId === null) return undefined;
    return { bytes, lineLengths: lengths.split(',').map(Number), lastId };
  }

  /** The ids of the matching profiles, in the requested order. */
  *sortedIds(filter: SqlFragment | null, orderBy: string): IterableIterator<number> {
    const where = filter ? ` WHERE ${filter.sql}` : '';
    yield* this.db.prepare(`SELECT p.id FROM profiles p LEFT JOIN profiles c ON c.id = p.company_id${where} ORDER BY ${orderBy}`).pluck(true).iterate(...(filter?.params ?? [])) as IterableIterator<number>;
  }

  /** Whether the file keeps its text as UTF-8 (custfile's files do; SQLite can also use UTF-16). */
  textIsUtf8(): boolean {
    // a statement, not db.pragma(): that refuses to run while a sorted export's ids are read
    this.utf8 ??= this.stmt('PRAGMA encoding').pluck(true).get() === 'UTF-8';
    return this.utf8;
  }

  /**
   * The matching profiles as the JSON text of their public record, exactly what
   * `JSON.stringify(toPublicRecord(profile))` (ui/records.ts) gives, in the requested order: for
   * `list --format json|ndjson`. SQLite writes the fields with json_object(), so no row becomes
   * an array of 40 values, then a Profile, then a public record, then text in JavaScript (on
   * 1,000 profiles ~19 ms of a 130 ms run). Tags and custom fields are parsed and written again in
   * JavaScript, as there. A row with a value SQLite would write otherwise (a REAL in an integer
   * column, an integer beyond 2^53: only from outside custfile) comes back as its Profile, for the
   * caller to serialise; so do all rows after a failure (a BLOB, tags that are not JSON).
   * test/storage/public-json.test.ts holds the two to each other.
   */
  *iteratePublicJson(options: ListOptions): IterableIterator<string | Profile> {
    publicJsonSql ??= publicJsonSelect();
    const where = options.filter ? ` WHERE ${options.filter.sql}` : '';
    const limit = options.limit !== null ? ` LIMIT ${Math.max(0, Math.floor(options.limit))}` : '';
    const stmt = this.db.prepare(`${publicJsonSql}${where} ORDER BY ${options.orderBy}${limit}`).raw(true);
    let given = 0;
    try {
      // [exact, head, tags, middle, custom, tail, id], read by index (no destructuring per row)
      for (const r of stmt.iterate(...(options.filter?.params ?? [])) as IterableIterator<[number, string, string, string, string, string, number]>) {
        let row: string | Profile | undefined;
        if (r[0] === 1) {
          const tags = r[2] === '[]' ? '[]' : JSON.stringify(parseTags(r[2]));
          const custom = r[4] === '{}' ? '{}' : JSON.stringify(parseCustom(r[4]));
          row = `${r[1].slice(0, -1)},"tags":${tags},${r[3].slice(1, -1)},"custom":${custom},${r[5].slice(1)}`;
        } else {
          row = this.byId(r[6]);
        }
        given++;
        if (row !== undefined) yield row;
      }
    } catch (err) {
      // json_object() refuses a BLOB (only from outside custfile), and tags may not parse: the
      // rows not given yet come from the JavaScript path, which fails (if it does) as it always
      // did. Anything else (the file busy, gone) is not a matter of this row's values.
      if (!(err instanceof SyntaxError || (err instanceof Error && /BLOB/.test(err.message)))) throw err;
      let skip = given;
      for (const profile of this.iterate(options)) if (skip-- <= 0) yield profile;
    }
  }

  /** Names of the custom fields in use among the matching profiles (CSV columns). */
  customKeys(filter: SqlFragment | null, page?: { orderBy: string; limit: number | null }): string[] {
    const where = filter ? ` WHERE ${filter.sql}` : '';
    const params = filter?.params ?? [];
    const sql = page && page.limit !== null
      ? // only the rows that will be printed
        `SELECT DISTINCT j.key AS key FROM (SELECT p.custom AS custom FROM profiles p LEFT JOIN profiles c ON c.id = p.company_id${where} ORDER BY ${page.orderBy} LIMIT ${Math.max(0, Math.floor(page.limit))}) s, json_each(s.custom) j ORDER BY j.key`
      : `SELECT DISTINCT j.key AS key FROM profiles p LEFT JOIN profiles c ON c.id = p.company_id, json_each(p.custom) j${where ? `${where} AND` : ' WHERE'} p.custom <> '{}' ORDER BY j.key`;
    return (this.db.prepare(sql).all(...params) as { key: string }[]).map((r) => r.key);
  }

  externalIdTaken(externalId: string, exceptId: number | null): boolean {
    const row = this.stmt('SELECT id FROM profiles WHERE external_id = ?').get(externalId) as { id: number } | undefined;
    return row !== undefined && row.id !== exceptId;
  }

  /** Detaches key contacts of a company that is going away (the FK would do it, but history must see it). */
  contactIdsOf(companyId: number): number[] {
    return (this.stmt('SELECT id FROM profiles WHERE company_id = ?').all(companyId) as { id: number }[]).map((r) => r.id);
  }
}
