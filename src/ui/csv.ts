/** CSV text (RFC 4180) for records, with the formula guard on text cells. */
import { isUtf8 } from 'node:buffer';
import { QUOTED_CELL_PATTERN, csvCell, csvLine, plainCellPattern } from '../io/csv-text.js';
import { FORMULA_START, guardFormula } from './records.js';

export interface CsvColumn<T> {
  header: string;
  get: (row: T) => string;
  /** Text cells get the formula guard; numbers are ours and safe. */
  text: boolean;
}

export interface CsvOptions {
  delimiter?: string;
  bom?: boolean;
  eol?: string;
}

export function csvHeader<T>(columns: readonly CsvColumn<T>[], options: CsvOptions = {}): string {
  return (options.bom ? '\ufeff' : '') + csvLine(columns.map((c) => c.header), options.delimiter) + (options.eol ?? '\n');
}

export function csvRows<T>(rows: readonly T[], columns: readonly CsvColumn<T>[], options: CsvOptions = {}): string {
  const eol = options.eol ?? '\n';
  let text = '';
  const cells: string[] = new Array<string>(columns.length);
  for (const r of rows) {
    for (let i = 0; i < columns.length; i++) {
      const c = columns[i]!;
      cells[i] = c.text ? guardFormula(c.get(r)) : c.get(r);
    }
    text += csvLine(cells, options.delimiter) + eol;
  }
  return text;
}

/** `text` as a regular expression that matches exactly it. */
function literal(text: string): string {
  return text.replace(/[\\^$.*+?()[\]{}|/-]/g, '\\$&');
}

/** Columns as the line checks see them: whether a cell gets the formula guard, whether SQLite guards or quotes it. */
type CheckedColumn = { text: boolean; cell: { quote: boolean; guard: boolean } };

/** What SQLite does for a column's cells (storage/profile-csv.ts's CsvCell). */
export interface SqliteCare {
  guard: boolean;
  quote: boolean;
}

/**
 * The care a record's cell needs from SQLite for its line to pass the checks below: the formula
 * guard where it starts like a formula, quotes where it needs them (and then the guard too on a
 * text cell: the checks cannot see into quotes). `care` itself when it has all that.
 */
export function careFor<T, C extends SqliteCare>(column: CsvColumn<T>, care: C, record: T): C {
  const value = column.get(record);
  const cell = column.text ? guardFormula(value) : value;
  const quote = care.quote || csvCell(cell) !== cell;
  const guard = care.guard || cell !== value || (quote && column.text);
  return guard === care.guard && quote === care.quote ? care : { ...care, guard, quote };
}

/** A line's cells as a regular expression (see csvLineCheck), `whitespace` as for plainCellPattern. */
function linePattern(columns: readonly CheckedColumn[], delimiter: string, whitespace: string): string {
  if (delimiter.length !== 1) throw new Error('a checked CSV line has a one-character delimiter');
  const exclude = literal(delimiter);
  const cells = columns.map((c) => {
    // where SQLite does not guard, a text cell may not start with 's before a formula character
    // either (it needs a guard of its own: domain/formula-guard.ts needsGuard)
    const unguarded = c.text && !c.cell.guard ? `(?!'+[${FORMULA_START}])` : '';
    const plain = unguarded + plainCellPattern({ exclude, notFirst: c.text ? FORMULA_START : '', whitespace });
    return c.cell.quote ? `(?:${QUOTED_CELL_PATTERN}|${plain})` : plain;
  });
  return cells.join(literal(delimiter));
}

/**
 * A test that a line written elsewhere (by SQLite: storage/profile-csv.ts) is what csvRows writes
 * for its record, as far as the line can show it: each cell is unquoted and needs no quotes (a
 * text cell not starting like a formula either), or, in a column marked `quote`, quoted. A line
 * that fails has a cell the writer left for csvRows (a delimiter in a name, a tab at the end).
 * Cells hold no delimiter unquoted, so the line splits into its cells one way only.
 */
export function csvLineCheck(columns: readonly CheckedColumn[], delimiter: string): RegExp {
  return new RegExp(`^${linePattern(columns, delimiter, '\\s')}$`);
}

/** The characters beyond ASCII that `\s` matches (Unicode's space separators, LS, PS and BOM), in UTF-8. */
const WIDE_SPACES = [0xa0, 0x1680, ...Array.from({ length: 11 }, (_, i) => 0x2000 + i), 0x2028, 0x2029, 0x202f, 0x205f, 0x3000, 0xfeff].map((code) =>
  Buffer.from(String.fromCodePoint(code)),
);
const WIDE_SPACE_STARTS = [...new Set(WIDE_SPACES.map((space) => space.toString('latin1', 0, 2)))].map((start) => Buffer.from(start, 'latin1'));

/** Whether UTF-8 holds a WIDE_SPACES character (searched by its first two bytes: ~8× faster than a RegExp). */
function holdsWideSpace(bytes: Buffer): boolean {
  for (const start of WIDE_SPACE_STARTS) {
    for (let at = bytes.indexOf(start); at !== -1; at = bytes.indexOf(start, at + 1)) {
      const holds = (space: Buffer) => at + space.length <= bytes.length && bytes.compare(space, 0, space.length, at, at + space.length) === 0;
      if (WIDE_SPACES.some(holds)) return true;
    }
  }
  return false;
}

/**
 * csvLineCheck for a block of lines in UTF-8, each ending in `eol`, `lengths` bytes long: how many
 * of the first lines pass, and the byte where they end. The bytes are read as Latin-1, one
 * character per byte (a plain copy, and nothing to encode again for writing): every character the
 * check looks for is ASCII, and in UTF-8 the bytes of all other characters are above ASCII. Only
 * `\s` also matches characters beyond ASCII: a block that holds any of them (or is not UTF-8)
 * passes no line, and its lines are then looked at one by one.
 */
export function csvBlockCheck(columns: readonly CheckedColumn[], delimiter: string, eol: string): (bytes: Buffer, lengths: readonly number[]) => { lines: number; end: number } {
  if (/[^\x01-\x7f]/.test(delimiter + eol)) throw new Error('a checked CSV block has an ASCII delimiter and line break');
  const check = new RegExp(`^${linePattern(columns, delimiter, '\\t-\\r ')}$`);
  return (bytes, lengths) => {
    if (!isUtf8(bytes) || holdsWideSpace(bytes)) return { lines: 0, end: 0 };
    const text = bytes.toString('latin1');
    let lines = 0;
    let end = 0;
    for (const length of lengths) {
      const lineEnd = end + length - eol.length;
      if (!text.startsWith(eol, lineEnd) || !check.test(text.slice(end, lineEnd))) break;
      end += length;
      lines++;
    }
    return { lines, end };
  };
}
