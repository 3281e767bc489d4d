/**
 * The portfolio in numbers: `custfile stats` (counts and sums per group) and the raw course of a
 * field that `custfile history --trend` turns into risers and fallers.
 *
 * Sums are SQLite integer sums of cents, so they are exact (SQLite's sum() of integers is an
 * integer and fails loudly on overflow instead of rounding). Group keys come from the catalogue
 * or are bound as parameters (a custom field's name); no user text is spliced into SQL.
 */
import { UsageError } from '../errors.js';
import { fieldByName } from '../domain/fields.js';
import type { SqliteDatabase } from './db.js';
import type { SqlFragment } from './filter-sql.js';

/** One group's figures (or the totals): integer cents and counts. */
export interface StatsFigures {
  count: number;
  /** Profiles with a revenue (companies that have one): the mean's divisor. */
  revenue_count: number;
  revenue_cents: number;
  sales_count: number;
  sales_total_cents: number;
}

export interface StatsGroupRow extends StatsFigures {
  /** The group's value; null for profiles without one. */
  group: string | null;
}

/** Fields `--by` takes besides `tag`, `custom.NAME`, `month` and `year`. */
export const GROUP_FIELDS: readonly string[] = [
  'kind', 'industry', 'city', 'region', 'country', 'postcode', 'lifecycle', 'legal_form', 'source',
  'financial_status', 'income_band', 'household', 'profession', 'role', 'company',
];

export const GROUP_NAMES: readonly string[] = [...GROUP_FIELDS, 'tag', 'custom.NAME', 'month', 'year'];

interface GroupSql {
  /** The group expression over `p`, `c` (the company) and `t` (a tag row). */
  expr: string;
  params: unknown[];
  /** Extra join for the group (tags). */
  join: string;
  /** Compare case-insensitively: "Dresden" and "dresden" are one city. */
  nocase: boolean;
  /** Order groups by their value (months, years) rather than by size. */
  chronological: boolean;
}

/** `--by` → SQL. Throws UsageError for anything that is not a grouping. */
export function groupSql(by: string): GroupSql {
  const name = by.trim();
  const lower = name.toLowerCase();
  if (lower === 'tag' || lower === 'tags') {
    return { expr: 't.tag', params: [], join: ' LEFT JOIN profile_tags t ON t.profile_id = p.id', nocase: true, chronological: false };
  }
  if (lower === 'month' || lower === 'year') {
    return { expr: `substr(p.customer_since, 1, ${lower === 'month' ? 7 : 4})`, params: [], join: '', nocase: false, chronological: true };
  }
  if (lower.startsWith('custom.')) {
    const key = name.slice('custom.'.length);
    if (key === '' || key.length > 64 || /[\u0000-\u001f]/.test(key)) {
      throw new UsageError(`--by ${name}: write custom.NAME with the name of a custom field.`);
    }
    // the JSON path is a parameter, quoted as filter-sql.ts does: $."my field"
    return { expr: 'json_extract(p.custom, ?)', params: [`$.${JSON.stringify(key)}`], join: '', nocase: true, chronological: false };
  }
  if (GROUP_FIELDS.includes(lower) && fieldByName(lower)) {
    const expr = lower === 'company' ? "(CASE WHEN p.kind = 'company' THEN p.name ELSE c.name END)" : `p.${lower}`;
    const type = fieldByName(lower)!.type;
    return { expr, params: [], join: '', nocase: type !== 'enum', chronological: false };
  }
  throw new UsageError(`--by cannot group by "${name}"; use one of ${GROUP_NAMES.join(', ')}.`);
}

const FIGURES = `count(*) AS count, count(p.revenue_cents) AS revenue_count,
  coalesce(sum(p.revenue_cents), 0) AS revenue_cents, coalesce(sum(p.sales_count), 0) AS sales_count,
  coalesce(sum(p.sales_total_cents), 0) AS sales_total_cents`;

/**
 * The profiles, joined to their companies only when the SQL reads the company (`c.`): SQLite does
 * not drop the unused LEFT JOIN by itself, and its lookup per row doubles a scan of 1M profiles.
 */
function from(...sql: string[]): string {
  return sql.some((text) => /\bc\./.test(text)) ? 'FROM profiles p LEFT JOIN profiles c ON c.id = p.company_id' : 'FROM profiles p';
}

export interface TrendEntry {
  profile_id: number;
  name: string;
  id: number;
  at: string;
  action: 'create' | 'update' | 'delete';
  old_value: string | null;
  new_value: string | null;
}

type GroupRow = StatsFigures & { grp: unknown };

/** Connections that have the grouping aggregate. */
const WITH_AGGREGATE = new WeakSet<SqliteDatabase>();
const AGGREGATE = 'custfile_stats_groups';

/**
 * `custfile_stats_groups(group, revenue_cents, sales_count, sales_total_cents)`: the figures of
 * every group in one pass, in a hash map, as JSON. SQLite has no hash aggregation: its GROUP BY
 * sorts every scanned row first, which on 1M profiles takes longer than the scan itself
 * (measured: ~0.4 s against ~0.8 s for `stats --by industry`). Sums of integer cents stay exact
 * while they are safe integers; past that the caller falls back to SQLite's own sum().
 */
function registerAggregate(db: SqliteDatabase): void {
  if (WITH_AGGREGATE.has(db)) return;
  // (the typings allow one argument per step; SQLite passes all four)
  const options = {
    start: () => new Map<unknown, number[]>(),
    step: (groups: Map<unknown, number[]>, group: unknown, revenue: unknown, salesCount: unknown, salesTotal: unknown) => {
      let f = groups.get(group);
      if (!f) {
        f = [0, 0, 0, 0, 0];
        groups.set(group, f);
      }
      f[0]! += 1;
      if (revenue !== null) {
        f[1]! += 1;
        f[2]! += Number(revenue);
      }
      f[3]! += Number(salesCount);
      f[4]! += Number(salesTotal);
    },
    result: (groups: Map<unknown, number[]>) => JSON.stringify([...groups]),
  };
  db.aggregate(AGGREGATE, options as unknown as Parameters<SqliteDatabase['aggregate']>[1]);
  WITH_AGGREGATE.add(db);
}

export class StatsRepo {
  constructor(private readonly db: SqliteDatabase) {}

  /** The groups' raw figures: one pass through the aggregate, or SQLite's GROUP BY when a sum outgrew exact numbers. */
  private groupRows(g: GroupSql, filter: SqlFragment | null): GroupRow[] {
    const where = filter ? ` WHERE ${filter.sql}` : '';
    const source = `${from(g.expr, where)}${g.join}${where}`;
    const params = [...g.params, ...(filter?.params ?? [])];
    registerAggregate(this.db);
    const json = this.db
      .prepare(`SELECT ${AGGREGATE}(${g.expr}, p.revenue_cents, p.sales_count, p.sales_total_cents) ${source}`)
      .pluck()
      .get(...params) as string | null;
    const entries = json === null ? [] : (JSON.parse(json) as [unknown, number[]][]);
    if (entries.every(([, f]) => f.every((n) => Number.isSafeInteger(n)))) {
      return entries.map(([grp, f]) => ({ grp, count: f[0]!, revenue_count: f[1]!, revenue_cents: f[2]!, sales_count: f[3]!, sales_total_cents: f[4]! }));
    }
    return this.db.prepare(`SELECT ${g.expr} AS grp, ${FIGURES} ${source} GROUP BY grp`).all(...params) as GroupRow[];
  }

  /**
   * Figures per group, biggest group first (months and years in order), the group without a
   * value last; and the totals over every matching profile, each counted once (a profile with
   * two tags too).
   *
   * Text groups are folded here rather than by `GROUP BY … COLLATE NOCASE` (which walks the
   * index and fetches each row out of order, slower still), and ü and Ü fold too. A group's
   * label is its spelling that sorts first ("Dresden" before "dresden").
   */
  groups(by: string, filter: SqlFragment | null): { groups: StatsGroupRow[]; totals: StatsFigures } {
    const g = groupSql(by);
    const rows = this.groupRows(g, filter);
    const merged = new Map<string | null, StatsGroupRow>();
    for (const row of rows) {
      // NULL and '' are both "no value": one group
      const value = row.grp === null || row.grp === undefined || String(row.grp).trim() === '' ? null : String(row.grp);
      const key = value === null ? null : g.nocase ? value.toLowerCase() : value;
      const into = merged.get(key);
      if (into) {
        addFigures(into, row);
        if (value !== null && into.group !== null && value < into.group) into.group = value;
      } else {
        merged.set(key, { group: value, count: row.count, revenue_count: row.revenue_count, revenue_cents: row.revenue_cents, sales_count: row.sales_count, sales_total_cents: row.sales_total_cents });
      }
    }
    const groups = [...merged.values()];
    groups.sort((a, b) => {
      if (a.group === null || b.group === null) return a.group === null ? (b.group === null ? 0 : 1) : -1;
      if (!g.chronological && a.count !== b.count) return b.count - a.count;
      return a.group.localeCompare(b.group, 'en', { sensitivity: 'base' }) || (a.group < b.group ? -1 : a.group > b.group ? 1 : 0);
    });
    if (g.join !== '') return { groups, totals: this.totals(filter) };
    // every profile is in exactly one group: the totals are the groups' sums, without a second scan
    const totals: StatsFigures = { count: 0, revenue_count: 0, revenue_cents: 0, sales_count: 0, sales_total_cents: 0 };
    for (const group of groups) addFigures(totals, group);
    return { groups, totals };
  }

  /** Figures over every matching profile. */
  totals(filter: SqlFragment | null): StatsFigures {
    const where = filter ? ` WHERE ${filter.sql}` : '';
    return this.db.prepare(`SELECT ${FIGURES} ${from(where)}${where}`).get(...(filter?.params ?? [])) as StatsFigures;
  }

  /**
   * The recorded course of one field of existing profiles, by profile then in the order it was
   * recorded: updates of the field, and creations (with the field's value from the snapshot,
   * null when it was created empty) and deletions, which start a profile's course afresh (files
   * made before ids were kept from reuse may hold two profiles' history under one id). `field` is a
   * catalogue name or `custom.NAME`; it is bound as a parameter. `since`: an instant (UTC).
   */
  trendEntries(field: string, since: string | null, profileId: number | null): IterableIterator<TrendEntry> {
    const conditions: string[] = [];
    const params: unknown[] = [];
    if (since !== null) {
      conditions.push('h.at >= ?');
      params.push(since);
    }
    if (profileId !== null) {
      conditions.push('h.profile_id = ?');
      params.push(profileId);
    }
    const extra = conditions.length ? ` AND ${conditions.join(' AND ')}` : '';
    const path = `$.${JSON.stringify(field)}`;
    const sql = `SELECT h.profile_id, p.name, h.id, h.at, h.action, h.old_value, h.new_value
        FROM history h JOIN profiles p ON p.id = h.profile_id WHERE h.field = ?${extra}
      UNION ALL
      SELECT h.profile_id, p.name, h.id, h.at, h.action, NULL,
          CASE WHEN h.action = 'create' THEN json_extract(h.new_value, ?) END
        FROM history h JOIN profiles p ON p.id = h.profile_id WHERE h.field = '*'${extra}
      ORDER BY 1, 3`;
    return this.db.prepare(sql).iterate(field, ...params, path, ...params) as IterableIterator<TrendEntry>;
  }
}

function addFigures(into: StatsFigures, row: StatsFigures): void {
  into.count += row.count;
  into.revenue_count += row.revenue_count;
  into.revenue_cents += row.revenue_cents;
  into.sales_count += row.sales_count;
  into.sales_total_cents += row.sales_total_cents;
}
