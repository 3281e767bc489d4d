/**
 * Writing CSV lines (RFC 4180). Hand-written on purpose: csv-stringify spent more time on its
 * options and casting than on the text (the issue measured an iterate + csv-stringify export at
 * 4.8× sqlite3's own); quoting a cell is one regular expression and one replace.
 */

/** Characters that put a cell in quotes (every delimiter custfile writes or reads, so either way). */
const SPECIAL = '",\\r\\n;\\t|';
const NEEDS_QUOTES = new RegExp(`[${SPECIAL}]|^\\s|\\s$`);

/**
 * Whether any cell of a record needs quotes (NEEDS_QUOTES), asked once of the cells joined by
 * NUL, which the test never matches: one regular expression a record instead of one a cell (most
 * records need none, and a busy `birthdays` prints thousands at start-up). A NUL inside a cell
 * only adds a boundary, so it can make this say yes where the cells say no, never the reverse.
 */
const ANY_NEEDS_QUOTES = new RegExp(`[${SPECIAL}]|(?:^|\\u0000)\\s|\\s(?:\\u0000|$)`);

/** One cell: quoted when it holds a quote, a delimiter, a line break or edge spaces. */
export function csvCell(value: string): string {
  return NEEDS_QUOTES.test(value) ? `"${value.replace(/"/g, '""')}"` : value;
}

/** One record, without the line break. */
export function csvLine(cells: readonly string[], delimiter = ','): string {
  if (!ANY_NEEDS_QUOTES.test(cells.join('\u0000'))) return cells.join(delimiter);
  let line = '';
  for (let i = 0; i < cells.length; i++) {
    if (i > 0) line += delimiter;
    line += csvCell(cells[i]!);
  }
  return line;
}

/** Bodies of character classes for plainCellPattern. */
export interface CellClasses {
  /** Never anywhere in the cell (e.g. the delimiter). */
  exclude?: string;
  /** Never first (e.g. what starts a formula). */
  notFirst?: string;
  /** What NEEDS_QUOTES's `\s` is in the text at hand (see ui/csv.ts for UTF-8 read as Latin-1). */
  whitespace?: string;
}

/**
 * Regular-expression source of a cell as csvCell writes it unquoted: nothing that NEEDS_QUOTES
 * finds. For checking lines written elsewhere (ui/csv.ts).
 */
export function plainCellPattern({ exclude = '', notFirst = '', whitespace = '\\s' }: CellClasses = {}): string {
  const inner = `[^${SPECIAL}${exclude}]`;
  const last = `[^${SPECIAL}${whitespace}${exclude}]`;
  const first = `[^${SPECIAL}${whitespace}${exclude}${notFirst}]`;
  return `(?:${first}(?:${inner}*${last})?)?`;
}

/** Regular-expression source of a quoted cell (inner quotes doubled). */
export const QUOTED_CELL_PATTERN = '"(?:[^"]|"")*"';
