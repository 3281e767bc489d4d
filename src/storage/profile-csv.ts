/**
 * The lines of `export --format csv`, written by SQLite.
 *
 * Why in SQL: reading a row into JavaScript makes one string per column (~40), and guarding,
 * quoting and joining them again costs as much again; that export took 3.7× the time of sqlite3's
 * own CSV export of the table. Here SQLite joins a row's cells with concat_ws, and a few thousand
 * rows' lines with group_concat (profile-repo.ts, csvBlock): they cross into JavaScript as one
 * piece of UTF-8 that is checked and written as it is.
 *
 * Each cell is what ui/records.ts's csvColumns and io/csv-text.ts's csvCell make of it: the
 * field's text (money as decimals, decision_maker as true/false, tags joined by commas, a custom
 * field by its name, '' for NULL), the formula guard (a `'` before a text cell that starts with
 * = + - @ tab or CR) and quotes. But a string function costs SQLite ~30-50 ns a call, too much
 * for all of csvCell's checks on every cell of a million rows. So SQLite guards only the cells
 * marked `guard` and quotes only those marked `quote`, where that is common (a phone number's +,
 * notes, tags), and quotes them only for the common reasons (a quote, a delimiter or a line break
 * in it, a space at either end). It never guards or quotes any other cell: whoever writes the
 * lines checks them (ui/csv.ts) and writes the rare row that needs more from its profile
 * instead.
 */
import { FORMULA_STARTERS } from '../domain/formula-guard.js';
import { fieldByName } from '../domain/fields.js';
import { type SqlFragment, columnOf } from './filter-sql.js';

/** One CSV column: a field of the catalogue (not `custom`) or a custom field, and its safety. */
export type CsvCell = ({ field: string } | { custom: string }) & {
  /** SQLite writes the formula guard; else it never does. */
  guard: boolean;
  /** SQLite puts the cell in quotes when it holds a quote, a delimiter, a line break or edge spaces; else it never does. */
  quote: boolean;
};

// GLOB patterns; the literals hold real tab, LF and CR characters ('-' last in a GLOB class)
const FORMULA_START = `'[${FORMULA_STARTERS.replace('-', '')}-]*'`;
/** A cell that gets the guard (domain/formula-guard.ts needsGuard): a formula character first, after any `'`s. */
const GUARDED = (v: string) => `ltrim(${v}, '''') GLOB ${FORMULA_START}`;
const NEEDS_QUOTES = `'*[",;|\t\n\r]*'`;

/** SQL that makes the cell of one value (`v` is named more than once: a column, nothing dearer). */
function cellSql(v: string, cell: CsvCell): string {
  const text = cell.guard ? `CASE WHEN ${GUARDED(v)} THEN '''' || ${v} ELSE ${v} END` : v;
  if (!cell.quote) return `coalesce(${text}, '')`;
  const quoted = (prefix: string) => `'"${prefix}' || replace(${v}, '"', '""') || '"'`;
  const quotedOrNot = (prefix: string, edgeSpace: string) =>
    `CASE WHEN ${v} GLOB ${NEEDS_QUOTES} OR ${edgeSpace} THEN ${quoted(prefix)} ELSE '${prefix}' || ${v} END`;
  // a guarded cell starts with its `'`, so only a space at its end counts
  const guarded = cell.guard ? `WHEN ${GUARDED(v)} THEN ${quotedOrNot("''", `rtrim(${v}) <> ${v}`)} ` : '';
  return `CASE WHEN ${v} IS NULL THEN '' ${guarded}ELSE ${quotedOrNot('', `trim(${v}) <> ${v}`)} END`;
}

function cellOf(cell: CsvCell, params: unknown[]): string {
  if ('custom' in cell) {
    // the last of a name written twice, as JSON.parse reads it (json_each's id is the position)
    params.push(cell.custom);
    const value = `SELECT ${cellSql('value', cell)} FROM json_each(p.custom) WHERE key = ? ORDER BY id DESC LIMIT 1`;
    return `CASE WHEN p.custom = '{}' THEN '' ELSE coalesce((${value}), '') END`;
  }
  const field = fieldByName(cell.field);
  if (!field || field.type === 'custom') throw new Error(`not a CSV field: ${cell.field}`);
  const column = columnOf(field);
  switch (field.type) {
    case 'money':
      return `CASE WHEN ${column} IS NULL THEN '' ELSE (CASE WHEN ${column} < 0 THEN '-' ELSE '' END) || (abs(${column}) / 100) || '.' || substr('0' || (abs(${column}) % 100), -2) END`;
    case 'bool':
      return `CASE WHEN ${column} IS NULL THEN '' WHEN ${column} = 1 THEN 'true' ELSE 'false' END`;
    case 'tags': {
      // json_each walks the array in order; a JSON null joins as '' as in Array.join. A subquery
      // over an aggregate is not flattened into the query around it, so the tags are joined once
      // however often the cell's SQL names `x`.
      const joined = `SELECT group_concat(coalesce(value, ''), ',') AS x FROM json_each(${column})`;
      return `CASE WHEN ${column} = '[]' THEN '' ELSE (SELECT ${cellSql('x', cell)} FROM (${joined})) END`;
    }
    default:
      return cellSql(column, cell);
  }
}

/** concat_ws takes at most SQLITE_MAX_FUNCTION_ARG arguments; no cell is NULL, so nesting is the same line. */
const MAX_ARGS = 100;

/** A string literal (the delimiter and line break are ours, not user text). */
export function sqlText(text: string): string {
  return `'${text.replace(/'/g, "''")}'`;
}

/** The SQL of a row's line (over `p` and `c`); its parameters are the custom fields' names. */
export function csvLineSql(cells: readonly CsvCell[], delimiter: string): SqlFragment {
  const params: unknown[] = [];
  const parts = cells.map((cell) => cellOf(cell, params));
  const groups: string[] = [];
  for (let i = 0; i < parts.length; i += MAX_ARGS) groups.push(`concat_ws(${sqlText(delimiter)}, ${parts.slice(i, i + MAX_ARGS).join(', ')})`);
  return { sql: groups.length === 1 ? groups[0]! : `concat_ws(${sqlText(delimiter)}, ${groups.join(', ')})`, params };
}
