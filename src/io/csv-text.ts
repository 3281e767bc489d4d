/**
 * Writing CSV lines (RFC 4180). Hand-written on purpose: csv-stringify spent more time on its
 * options and casting than on the text (the issue measured an iterate + csv-stringify export at
 * 4.8× sqlite3's own); quoting a cell is one regular expression and one replace.
 */

const NEEDS_QUOTES = /[",\r\n;\t|]|^\s|\s$/;

/**
 * Whether any cell of a record needs quotes (NEEDS_QUOTES), asked once of the cells joined by
 * NUL, which the test never matches: one regular expression a record instead of one a cell (most
 * records need none, and a busy `birthdays` prints thousands at start-up). A NUL inside a cell
 * only adds a boundary, so it can make this say yes where the cells say no, never the reverse.
 */
const ANY_NEEDS_QUOTES = /[",\r\n;\t|]|(?:^|\u0000)\s|\s(?:\u0000|$)/;

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
