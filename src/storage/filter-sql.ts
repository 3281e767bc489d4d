/**
 * Compiles the filter language's tree (domain/filter/ast.ts) into a parameterised SQL condition
 * over `profiles p LEFT JOIN profiles c` (c: the person's company). Field names come from the
 * catalogue, never from the user's text; every value the user typed, and a custom field's name,
 * becomes a `?` parameter. No user text is ever spliced into the SQL string.
 *
 * SQL is built from fragments that carry their own parameters (`sql`…`` below), so a `?` and its
 * value cannot drift apart when a column (e.g. `json_extract(p.custom, ?)`) appears twice.
 */
import { NotFoundError, RejectedInputError, UsageError } from '../errors.js';
import { birthdayWindow } from '../domain/birthdays.js';
import { addDays, daysBetween, localDayStart, parseBirthday, parseDuration, resolveDateInput, shiftDate } from '../domain/dates.js';
import { type FieldDef, FIELD_NAMES, fieldByName } from '../domain/fields.js';
import { type CompareOp, type Expr, type Literal, isRelativeDate } from '../domain/filter/ast.js';
import { parseInteger, parseMoneyCents, tagIdentity } from '../domain/values.js';

export interface SqlFragment {
  sql: string;
  params: unknown[];
}

export interface CompileContext {
  /** Today's local date, for relative dates. */
  today: string;
  /** A saved segment's tree; undefined when there is no such segment. */
  segment?: (name: string) => Expr | undefined;
}

// ---------------------------------------------------------------------------------------------
// Fragments

/** A value bound as a `?` parameter. */
class Param {
  constructor(readonly value: unknown) {}
}

function param(value: unknown): Param {
  return new Param(value);
}

/** Trusted SQL text (column names, keywords): never built from user input. */
function raw(text: string): SqlFragment {
  return { sql: text, params: [] };
}

/** A template whose holes are fragments (spliced with their parameters) or parameters (`?`). */
function sql(strings: TemplateStringsArray, ...holes: (SqlFragment | Param)[]): SqlFragment {
  let text = strings[0]!;
  const params: unknown[] = [];
  holes.forEach((hole, i) => {
    if (hole instanceof Param) {
      text += '?';
      params.push(hole.value);
    } else {
      text += hole.sql;
      params.push(...hole.params);
    }
    text += strings[i + 1]!;
  });
  return { sql: text, params };
}

function joinFragments(parts: readonly SqlFragment[], separator: string): SqlFragment {
  return { sql: parts.map((p) => p.sql).join(separator), params: parts.flatMap((p) => p.params) };
}

function placeholders(values: readonly unknown[]): SqlFragment {
  return { sql: values.map(() => '?').join(', '), params: [...values] };
}

// ---------------------------------------------------------------------------------------------
// Columns

/** SQL for each field whose column is not `p.<name>`, over `p` (the profile) and `c` (its company). */
const COLUMN: Record<string, string> = {
  company: "(CASE WHEN p.kind = 'company' THEN p.name ELSE c.name END)",
  revenue: 'p.revenue_cents',
  sales_total: 'p.sales_total_cents',
};

/** The SQL of a field's value, over `p` (the profile) and `c` (its company). */
export function columnOf(field: FieldDef): string {
  return COLUMN[field.name] ?? `p.${field.name}`;
}

const TEXTUAL = new Set(['text', 'email', 'url', 'enum']);
const NUMERIC = new Set(['money', 'int', 'id', 'ref']);
const ISO_DATE = /^\d{4}-\d{2}-\d{2}$/;
const YEARLESS = /^--\d{2}-\d{2}$/;

function rejected(message: string): RejectedInputError {
  return new RejectedInputError(message);
}

function unknownField(name: string): RejectedInputError {
  return rejected(
    `unknown field "${name}" in the filter; known fields are ${FIELD_NAMES.filter((f) => f !== 'custom' && f !== 'tags').join(', ')}, tag, custom.NAME and segment.`,
  );
}

interface Target {
  column: SqlFragment;
  /** null for custom fields, which hold text. */
  field: FieldDef | null;
}

function isTagField(name: string): boolean {
  return name === 'tag' || name === 'tags';
}

function target(name: string): Target {
  if (name.startsWith('custom.')) {
    const key = name.slice('custom.'.length);
    if (key === '' || /[\u0000-\u001f]/.test(key)) throw unknownField(name);
    // The path is a parameter too. SQLite reads a quoted label with JSON escapes (\" and \\),
    // which is what JSON.stringify writes: `$."my \"field\""`.
    return { column: sql`json_extract(p.custom, ${param(`$.${JSON.stringify(key)}`)})`, field: null };
  }
  const field = fieldByName(name);
  if (!field || field.type === 'custom' || field.type === 'tags') throw unknownField(name);
  return { column: raw(columnOf(field)), field };
}

function isText(field: FieldDef | null): boolean {
  return field === null || TEXTUAL.has(field.type);
}

// ---------------------------------------------------------------------------------------------
// Values

function resolveRelative(value: { relative: string }, ctx: CompileContext): string {
  const date = resolveDateInput(value.relative, ctx.today, 'past');
  if (!date) throw rejected(`"${value.relative}" in the filter is not a date such as 2026-11-22, today, -90d or +7d.`);
  return date;
}

/** A literal converted to what the column holds. */
function valueFor(fieldName: string, field: FieldDef | null, value: Literal, ctx: CompileContext): unknown {
  if (field !== null && (NUMERIC.has(field.type) || field.type === 'bool') && isRelativeDate(value)) {
    throw rejected(`${fieldName} in the filter cannot be compared with a date.`);
  }
  if (isRelativeDate(value)) return resolveRelative(value, ctx);
  if (field === null) return typeof value === 'number' ? value : String(value);
  switch (field.type) {
    case 'money': {
      const cents =
        typeof value === 'number' ? Math.round(value * 100) : typeof value === 'string' ? parseMoneyCents(value) : null;
      if (cents === null || !Number.isSafeInteger(cents)) throw rejected(`${fieldName} in the filter needs a number.`);
      return cents;
    }
    case 'int':
    case 'id':
    case 'ref': {
      const n = typeof value === 'number' ? value : typeof value === 'string' ? parseInteger(value) : null;
      if (n === null || !Number.isFinite(n)) throw rejected(`${fieldName} in the filter needs a number.`);
      return n;
    }
    case 'bool':
      if (typeof value === 'boolean') return value ? 1 : 0;
      if (typeof value === 'string' && /^(true|false)$/i.test(value)) return value.toLowerCase() === 'true' ? 1 : 0;
      throw rejected(`${fieldName} in the filter needs true or false.`);
    case 'date':
    case 'timestamp':
    case 'birthday':
      if (typeof value !== 'string') {
        throw rejected(`${fieldName} in the filter needs a date such as 2026-11-22, -30d or +7d.`);
      }
      return value;
    default:
      return String(value);
  }
}

/** The text a `~` looks for. */
function containsText(fieldName: string, field: FieldDef | null, value: Literal, ctx: CompileContext): string {
  if (field?.type === 'enum') throw rejected(`${fieldName} in the filter takes one of its values, with =, != or in (...), not ~.`);
  if (field !== null && (NUMERIC.has(field.type) || field.type === 'bool')) {
    throw rejected(`~ (contains) compares text, and ${fieldName} is ${field.type === 'bool' ? 'true or false' : 'a number'}.`);
  }
  return isRelativeDate(value) ? resolveRelative(value, ctx) : String(value);
}

// ---------------------------------------------------------------------------------------------
// Conditions

/**
 * Profiles with a matching tag, as `p.id IN (…)`: the planner can then start from the tag's
 * rows in profile_tags (its primary key leads with the tag) instead of probing every profile.
 */
const TAGGED = 'p.id IN (SELECT t.profile_id FROM profile_tags t WHERE';

/**
 * The same test as a check on profiles that an index has found already (`+p.id`: no index can
 * start from it). Used when the filter also holds an equality that an index answers
 * (`industry = …`, see `indexed()`): SQLite would otherwise combine the two and look the index up
 * once per tagged profile (`industry = 'Maschinenbau' and tag = 'key-account'` on 1M profiles:
 * 36,000 lookups, 35 ms). So it walks the equality's index range and checks each entry's id
 * against the tag's rows (a Bloom filter first) before it reads the profile: 23 ms.
 */
const TAGGED_CHECK = '+p.id IN (SELECT t.profile_id FROM profile_tags t WHERE';

/** Fields whose equality an index answers as compiled here (`p.city = ? COLLATE NOCASE`, `p.id = ?`). */
const INDEXED_EQUALITY = new Set(['id', 'name', 'company_id', 'industry', 'email', 'city']);

/** An equality (or `in` list) of the filter that lets SQLite start from an index. */
function indexed(e: Expr): boolean {
  // an empty text compiles to `coalesce(col, '') = ''`, which no index answers
  if (e.type === 'compare') return e.op === '=' && INDEXED_EQUALITY.has(e.field) && e.value !== '';
  if (e.type === 'in') return INDEXED_EQUALITY.has(e.field) && e.values.length > 0 && !e.values.includes('');
  return false;
}

/** The parts of a tree joined by `and` at its top. */
function conjuncts(e: Expr): Expr[] {
  return e.type === 'and' ? [...conjuncts(e.left), ...conjuncts(e.right)] : [e];
}

function isRange(op: CompareOp): boolean {
  return op === '<' || op === '<=' || op === '>' || op === '>=';
}

/**
 * A tag as it may be stored, in every case of its letters beyond A–Z (NOCASE, the column's
 * collation, folds those): "ärger" → ärger, Ärger. A tag edit treats "Ärger" and "ärger" as one tag
 * (normalizeTags), so a filter must find either; as an `IN` list the primary key still answers
 * it. More than 64 spellings (seven such letters) are left to the first 64.
 */
export function tagSpellings(text: string): string[] | null {
  let out = [''];
  for (const c of text) {
    const lower = c.toLowerCase();
    const upper = c.toUpperCase();
    // a sigma is σ, or ς at a word's end, and Σ
    const cases = lower === 'σ' || lower === 'ς' ? ['σ', 'ς', 'Σ'] : c.charCodeAt(0) > 127 && lower !== upper && [...lower].length === 1 && [...upper].length === 1 ? [lower, upper] : [c];
    if (out.length * cases.length > MAX_SPELLINGS) return null;
    out = cases.length === 1 ? out.map((prefix) => prefix + c) : out.flatMap((prefix) => cases.map((x) => prefix + x));
  }
  return out;
}

const MAX_SPELLINGS = 64;

/**
 * Profiles with one of `tags` in any case: by spelling through the tag index, or (more spellings
 * than that is worth) by each distinct tag's case-folded key (`tag_key`, db.ts).
 */
function taggedAny(tags: readonly string[], check: boolean): SqlFragment {
  const spellings: string[] = [];
  for (const tag of tags) {
    const each = tagSpellings(tag);
    if (each === null || spellings.length + each.length > 1000) {
      return sql`${raw(check ? TAGGED_CHECK : TAGGED)} t.tag IN (SELECT DISTINCT d.tag FROM profile_tags d WHERE tag_key(d.tag) IN (${placeholders(tags.map(tagIdentity))})))`;
    }
    spellings.push(...each);
  }
  return sql`${raw(check ? TAGGED_CHECK : TAGGED)} t.tag IN (${placeholders(spellings)}))`;
}

/** `check`: the tag only checks profiles another index found (TAGGED_CHECK). */
function compareTag(op: CompareOp, value: Literal, check: boolean): SqlFragment {
  const text = String(isRelativeDate(value) ? value.relative : value);
  if (op === '=' || op === '!=') {
    const any = taggedAny([text], op === '=' && check);
    return op === '=' ? any : sql`NOT ${any}`;
  }
  if (op === '~') return sql`${raw(check ? TAGGED_CHECK : TAGGED)} instr(fold(t.tag), fold(${param(text)})) > 0)`;
  throw rejected('tag can be compared with =, !=, ~ and in (...) only.');
}

/** `birthday = --03-15`, `birthday >= --03-01`: month and day, whatever the year. */
function compareMonthDay(op: CompareOp, value: string): SqlFragment {
  const b = parseBirthday(value);
  if (!b) throw rejected(`"${value}" in the filter is not a month and day such as --03-15.`);
  const md = b.month * 100 + b.day;
  if (op === '!=') return sql`p.birthday_md IS NOT ${param(md)}`;
  return sql`p.birthday_md ${raw(op)} ${param(md)}`;
}

function compare(e: Extract<Expr, { type: 'compare' }>, ctx: CompileContext, tagCheck = false): SqlFragment {
  const { field: name, op, value } = e;
  if (isTagField(name)) return compareTag(op, value, tagCheck);
  const t = target(name);
  const type = t.field?.type;

  if (op === '~') {
    return sql`instr(fold(${t.column}), fold(${param(containsText(name, t.field, value, ctx))})) > 0`;
  }
  if (isRange(op) && (type === 'bool' || type === 'enum')) {
    throw rejected(`${name} in the filter can be compared with = and != only.`);
  }
  if (type === 'birthday' && typeof value === 'string' && YEARLESS.test(value)) return compareMonthDay(op, value);

  const v = valueFor(name, t.field, value, ctx);
  const column = t.column;
  // A timestamp compared with a date compares its local day: created_at = 2026-11-22 is that whole day
  if (type === 'timestamp' && typeof v === 'string' && ISO_DATE.test(v)) return compareDay(column, op, v);

  if (isText(t.field)) {
    if (t.field === null && typeof v === 'number') {
      // custom fields hold text; compared with a number they compare as numbers, where they are
      // numbers: digits with at most a sign in front and one point (2026-12-05 is no number 2026)
      const x = sql`trim(${column})`;
      const numeric = sql`(${x} GLOB '*[0-9]*' AND ${x} NOT GLOB '*[^0-9.+-]*' AND substr(${x}, 2) NOT GLOB '*[+-]*' AND ${x} NOT GLOB '*.*.*' AND CAST(${x} AS REAL)`;
      if (op === '=') return sql`${numeric} = ${param(v)})`;
      if (op === '!=') return sql`NOT coalesce(${numeric} = ${param(v)}), 0)`;
      return sql`${numeric} ${raw(op)} ${param(v)})`;
    }
    const text = String(v);
    if (t.field === null && isRelativeDate(value) && value.relative !== 'today' && /^[+-]/.test(value.relative)) {
      // a signed relative date (+30d) compares dates: a custom field that holds no date is left out
      const dated = sql`${column} GLOB '[0-9][0-9][0-9][0-9]-[0-1][0-9]-[0-3][0-9]'`;
      if (op === '!=') return sql`(${dated} AND ${column} <> ${param(text)})`;
      return sql`(${dated} AND ${column} ${raw(op)} ${param(text)})`;
    }
    if (op === '=') return text === '' ? sql`coalesce(${column}, '') = ''` : sql`${column} = ${param(text)} COLLATE NOCASE`;
    if (op === '!=') return sql`coalesce(${column}, '') <> ${param(text)} COLLATE NOCASE`;
    return sql`${column} ${raw(op)} ${param(text)} COLLATE NOCASE`;
  }
  if (op === '!=') return sql`${column} IS NOT ${param(v)}`;
  if (type === 'birthday' && isRange(op)) {
    // a year-less birthday (--MM-DD) sorts before every full date; it is no earlier than any
    return sql`(${column} >= '0' AND ${column} ${raw(op)} ${param(v)})`;
  }
  return sql`${column} ${raw(op)} ${param(v)}`;
}

function inList(e: Extract<Expr, { type: 'in' }>, ctx: CompileContext, tagCheck = false): SqlFragment {
  if (e.values.length === 0) return raw('0');
  if (isTagField(e.field)) {
    return taggedAny(e.values.map((v) => String(isRelativeDate(v) ? v.relative : v)), tagCheck);
  }
  const t = target(e.field);
  const type = t.field?.type;
  if (type === 'birthday' || (t.field === null && e.values.some((v) => typeof v === 'number'))) {
    // mixed kinds of value (--03-15 and 1980-03-15; numbers in custom fields): one test each
    const parts = e.values.map((value) => compare({ type: 'compare', field: e.field, op: '=', value }, ctx));
    return sql`(${joinFragments(parts, ' OR ')})`;
  }
  const values = e.values.map((v) => valueFor(e.field, t.field, v, ctx));
  const column = t.column;
  if (type === 'timestamp' && values.every((v) => typeof v === 'string' && ISO_DATE.test(v))) {
    return sql`(${joinFragments(values.map((v) => compareDay(column, '=', v as string)), ' OR ')})`;
  }
  if (isText(t.field)) {
    const texts = values.map(String);
    const present = texts.filter((v) => v !== '');
    const list = present.length > 0 ? sql`${column} COLLATE NOCASE IN (${placeholders(present)})` : raw('0');
    return present.length === texts.length ? list : sql`(coalesce(${column}, '') = '' OR ${list})`;
  }
  return sql`${column} IN (${placeholders(values)})`;
}

/**
 * A stored timestamp (UTC) against a local day: the day is the span from its local midnight to
 * the next one, so `created_at = today` finds what was made today here, wherever UTC's day is.
 */
function compareDay(column: SqlFragment, op: CompareOp, day: string): SqlFragment {
  const start = param(localDayStart(day));
  // the last day there is ends after every stored time ('~' sorts after any ISO timestamp)
  const end = param(day >= '9999-12-31' ? '~' : localDayStart(addDays(day, 1)));
  switch (op) {
    case '=':
      return sql`(${column} >= ${start} AND ${column} < ${end})`;
    case '!=':
      return sql`NOT coalesce(${column} >= ${start} AND ${column} < ${end}, 0)`;
    case '<':
      return sql`${column} < ${start}`;
    case '<=':
      return sql`${column} < ${end}`;
    case '>':
      return sql`${column} >= ${end}`;
    case '>=':
      return sql`${column} >= ${start}`;
    default:
      throw rejected(`${String(op)} cannot compare a time with a day.`);
  }
}

function empty(name: string): SqlFragment {
  // every profile has a kind: asking for none is a mistake, not an empty result
  if (name === 'kind') throw rejected('kind is never empty; compare it with = company or = person.');
  if (isTagField(name)) return raw('NOT EXISTS (SELECT 1 FROM profile_tags t WHERE t.profile_id = p.id)');
  const t = target(name);
  const type = t.field?.type;
  // derived counters are never NULL: "no sales" is their empty
  if (name === 'sales_total' || name === 'sales_count') return raw('p.sales_count = 0');
  if (type !== undefined && (NUMERIC.has(type) || type === 'bool')) return sql`${t.column} IS NULL`;
  return sql`coalesce(${t.column}, '') = ''`;
}

/** `birthday in next 30d`: celebrated between today and today + 30 days, by month and day. */
function birthdayWithin(within: string, ctx: CompileContext): SqlFragment {
  const duration = parseDuration(within);
  if (!duration) throw rejected(`"${within}" in the filter is not a duration such as 30d, 2w or 1m (at most 100 years).`);
  const days = daysBetween(ctx.today, shiftDate(ctx.today, duration, 1));
  const ranges = birthdayWindow(ctx.today, days).map((r) => sql`p.birthday_md BETWEEN ${param(r.from)} AND ${param(r.to)}`);
  // A date of birth today or later is not celebrated in the window (its first anniversary is a
  // year away); `--MM-DD` sorts before every date, so year-less birthdays stay in.
  return sql`((${joinFragments(ranges, ' OR ')}) AND p.birthday < ${param(ctx.today)})`;
}

/** How many times one filter may use segments, counting uses inside segments. */
const MAX_SEGMENT_USES = 256;

export function compileFilter(expr: Expr, ctx: CompileContext): SqlFragment {
  const stack: string[] = [];
  let expansions = 0;
  // tags joined by `and` to an indexed equality only check the profiles that index finds
  const top = conjuncts(expr);
  const tagChecks = top.some(indexed) ? new Set(top) : new Set<Expr>();

  function walk(e: Expr): SqlFragment {
    switch (e.type) {
      case 'true':
        return raw('1');
      case 'and':
      case 'or':
        return sql`(${walk(e.left)} ${raw(e.type.toUpperCase())} ${walk(e.right)})`;
      case 'not':
        // NULL (an unknown) is false here, so `not city = 'x'` keeps the profiles without a city
        return sql`(NOT coalesce(${walk(e.expr)}, 0))`;
      case 'segment': {
        if (stack.includes(e.name)) {
          throw rejected(`segment "${e.name}" refers to itself (${[...stack, e.name].join(' → ')}).`);
        }
        const inner = ctx.segment?.(e.name);
        if (!inner) throw new NotFoundError(`there is no segment "${e.name}"; see custfile segment list.`);
        // each use of a segment is compiled in full: segments that use one twice, each used twice
        // by the next, doubled the SQL per level (a chain of 14 took 11 s to save)
        expansions += 1;
        if (expansions > MAX_SEGMENT_USES) {
          throw rejected(`the filter uses segments more than ${MAX_SEGMENT_USES} times, counting the uses inside the segments it uses (${[...stack, e.name].join(' → ')} …); use each segment once.`);
        }
        stack.push(e.name);
        const compiled = walk(inner);
        stack.pop();
        return compiled;
      }
      case 'empty':
        return empty(e.field);
      case 'in':
        return inList(e, ctx, tagChecks.has(e));
      case 'compare':
        return compare(e, ctx, tagChecks.has(e));
      case 'birthdayWithin':
        return birthdayWithin(e.within, ctx);
    }
  }

  return walk(expr);
}

// ---------------------------------------------------------------------------------------------
// Sorting

const SORTABLE_EXTRA: Record<string, string> = {
  name: 'p.name COLLATE NOCASE',
  city: 'p.city COLLATE NOCASE',
  company: "(CASE WHEN p.kind = 'company' THEN p.name ELSE c.name END) COLLATE NOCASE",
};

/** `--sort name`, `--sort -revenue` (descending); ties broken by id. */
export function sortSql(spec: string | undefined): string {
  if (!spec) return 'p.id';
  const terms: string[] = [];
  for (const part of spec.split(',')) {
    const t = part.trim();
    const desc = t.startsWith('-');
    const name = desc ? t.slice(1) : t.replace(/^\+/, '');
    const field = fieldByName(name);
    if (!field || field.type === 'custom' || field.type === 'tags') {
      throw new UsageError(`--sort: cannot sort by "${name}"; use one of ${FIELD_NAMES.filter((f) => f !== 'custom' && f !== 'tags').join(', ')}.`);
    }
    const column = SORTABLE_EXTRA[name] ?? columnOf(field);
    // NULLs last in both directions: an empty revenue is not the smallest revenue
    terms.push(`${column.replace(/ COLLATE NOCASE$/, '')} IS NULL, ${column}${desc ? ' DESC' : ''}`);
  }
  terms.push('p.id');
  return terms.join(', ');
}
