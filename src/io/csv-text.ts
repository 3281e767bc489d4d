/**
 * Writing CSV lines (RFC 4180). Hand-written on purpose: csv-stringify spent more time on its
 * options and casting than on the text (the issue measured an iterate + csv-stringify export at
 * 4.8× sqlite3's own); quoting a cell is one regular expression and one replace.
 */

/** Characters that put a cell in quotes (every delimiter custfile writes or reads, so either way). */
const SPECIAL = '",\\r\\n;\\t|';
const NEEDS_QUOTES = new RegExp(`[${SPECIAL}]|^\\s|\\s$`);

/** One cell: quoted when it holds a quote, a delimiter, a line break or edge spaces. */
export function csvCell(value: string): string {
  return NEEDS_QUOTES.test(value) ? `"${value.replace(/"/g, '""')}"` : value;
}

/** One record, without the line break. */
export function csvLine(cells: readonly string[], delimiter = ','): string {
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
