/**
 * Compiles the filter language's tree (domain/filter/ast.ts) into a parameterised SQL condition
 * over `profiles p LEFT JOIN profiles c`. Field names come from the catalogue, never from the
 * user's text; every value the user typed becomes a `?` parameter. No user text is ever spliced.
 */
import { RejectedInputError, UsageError } from '../errors.js';
import { resolveDateInput, parseBirthday } from '../domain/dates.js';
import { type FieldDef, FIELD_NAMES, fieldByName } from '../domain/fields.js';
import { type Expr, type Literal, isRelativeDate } from '../domain/filter/ast.js';
import { parseMoneyCents } from '../domain/values.js';

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

/** SQL for each field, over `p` (the profile) and `c` (its company). */
const COLUMN: Record<string, string> = {
  company: "(CASE WHEN p.kind = 'company' THEN p.name ELSE c.name END)",
  revenue: 'p.revenue_cents',
  sales_total: 'p.sales_total_cents',
};

function columnOf(field: FieldDef): string {
  return COLUMN[field.name] ?? `p.${field.name}`;
}

const TEXTUAL = new Set(['text', 'email', 'url', 'enum']);

function unknownField(name: string): RejectedInputError {
  return new RejectedInputError(
    `unknown field "${name}" in the filter; known fields are ${FIELD_NAMES.filter((f) => f !== 'custom').join(', ')}, tag, custom.NAME and segment.`,
  );
}

interface Target {
  sql: string;
  field: FieldDef | null; // null for custom fields (text)
}

function target(name: string): Target {
  if (name.startsWith('custom.')) {
    const key = name.slice('custom.'.length);
    if (key === '') throw unknownField(name);
    // the path is a parameter too: json_extract(p.custom, ?)
    return { sql: 'json_extract(p.custom, ?)', field: null };
  }
  const field = fieldByName(name);
  if (!field || field.type === 'custom') throw unknownField(name);
  return { sql: columnOf(field), field };
}

function targetParams(name: string): unknown[] {
  if (!name.startsWith('custom.')) return [];
  const key = name.slice('custom.'.length);
  return [`$."${key.replace(/"/g, '""')}"`];
}

/** A literal converted to what the column holds. */
function valueFor(fieldName: string, field: FieldDef | null, value: Literal, ctx: CompileContext): unknown {
  if (isRelativeDate(value)) {
    const d = resolveDateInput(value.relative, ctx.today, 'past');
    if (!d) throw new RejectedInputError(`"${value.relative}" in the filter is not a relative date such as -90d or +7d.`);
    return d;
  }
  if (field === null) return typeof value === 'boolean' ? String(value) : String(value);
  switch (field.type) {
    case 'money': {
      const cents = typeof value === 'number' ? Math.round(value * 100) : parseMoneyCents(String(value));
      if (cents === null) throw new RejectedInputError(`${fieldName} in the filter needs a number.`);
      return cents;
    }
    case 'int':
    case 'id':
    case 'ref': {
      const n = typeof value === 'number' ? value : Number(value);
      if (!Number.isFinite(n)) throw new RejectedInputError(`${fieldName} in the filter needs a number.`);
      return n;
    }
    case 'bool':
      if (typeof value === 'boolean') return value ? 1 : 0;
      if (value === 'true' || value === 'false') return value === 'true' ? 1 : 0;
      throw new RejectedInputError(`${fieldName} in the filter needs true or false.`);
    case 'date':
    case 'timestamp':
    case 'birthday':
      if (typeof value === 'number') throw new RejectedInputError(`${fieldName} in the filter needs a date such as '2026-11-22' or -30d.`);
      return typeof value === 'boolean' ? String(value) : value;
    default:
      return typeof value === 'boolean' ? String(value) : typeof value === 'number' ? String(value) : value;
  }
}

function isText(field: FieldDef | null): boolean {
  return field === null || TEXTUAL.has(field.type);
}

export function compileFilter(expr: Expr, ctx: CompileContext): SqlFragment {
  const params: unknown[] = [];
  const stack: string[] = [];

  function walk(e: Expr): string {
    switch (e.type) {
      case 'true':
        return '1';
      case 'and':
      case 'or':
        return `(${walk(e.left)} ${e.type.toUpperCase()} ${walk(e.right)})`;
      case 'not':
        return `(NOT coalesce(${walk(e.expr)}, 0))`;
      case 'segment': {
        if (stack.includes(e.name)) {
          throw new RejectedInputError(`segment "${e.name}" refers to itself (${[...stack, e.name].join(' → ')}).`);
        }
        const inner = ctx.segment?.(e.name);
        if (!inner) throw new RejectedInputError(`there is no segment "${e.name}"; see custfile segment list.`);
        stack.push(e.name);
        const sql = walk(inner);
        stack.pop();
        return sql;
      }
      case 'empty': {
        if (e.field === 'tag' || e.field === 'tags') return "(p.tags = '[]')";
        const t = target(e.field);
        params.push(...targetParams(e.field));
        return isText(t.field) ? `coalesce(${t.sql}, '') = ''` : `${t.sql} IS NULL`;
      }
      case 'in': {
        if (e.field === 'tag' || e.field === 'tags') {
          params.push(...e.values.map(String));
          return `EXISTS (SELECT 1 FROM profile_tags t WHERE t.profile_id = p.id AND t.tag IN (${e.values.map(() => '?').join(', ')}))`;
        }
        const t = target(e.field);
        const tp = targetParams(e.field);
        params.push(...tp);
        params.push(...e.values.map((v) => valueFor(e.field, t.field, v, ctx)));
        const collate = isText(t.field) ? ' COLLATE NOCASE' : '';
        return `${t.sql}${collate} IN (${e.values.map(() => '?').join(', ')})`;
      }
      case 'compare': {
        if (e.field === 'tag' || e.field === 'tags') {
          if (e.op === '=' || e.op === '!=') {
            params.push(String(e.value));
            const exists = 'EXISTS (SELECT 1 FROM profile_tags t WHERE t.profile_id = p.id AND t.tag = ?)';
            return e.op === '=' ? exists : `NOT ${exists}`;
          }
          if (e.op === '~') {
            params.push(String(e.value));
            return 'EXISTS (SELECT 1 FROM profile_tags t WHERE t.profile_id = p.id AND instr(fold(t.tag), fold(?)) > 0)';
          }
          throw new RejectedInputError(`tag can be compared with =, != and ~ only.`);
        }
        if (e.field === 'birthday' && !isRelativeDate(e.value) && typeof e.value === 'string' && /^--\d{2}-\d{2}$/.test(e.value) && e.op === '=') {
          const b = parseBirthday(e.value);
          if (!b) throw new RejectedInputError(`"${e.value}" in the filter is not a birthday.`);
          params.push(b.month * 100 + b.day);
          return 'p.birthday_md = ?';
        }
        const t = target(e.field);
        params.push(...targetParams(e.field));
        const value = valueFor(e.field, t.field, e.value, ctx);
        if (e.op === '~') {
          params.push(String(value));
          return `instr(fold(${t.sql}), fold(?)) > 0`;
        }
        params.push(value);
        if (isText(t.field) && (e.op === '=' || e.op === '!=')) {
          return e.op === '='
            ? `${t.sql} = ? COLLATE NOCASE`
            : `coalesce(${t.sql}, '') <> ? COLLATE NOCASE`;
        }
        if (e.op === '!=') return `${t.sql} IS NOT ?`;
        return `${t.sql} ${e.op} ?`;
      }
    }
  }

  const sql = walk(expr);
  return { sql, params };
}

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
