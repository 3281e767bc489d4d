/**
 * Writing CSV lines (RFC 4180). Hand-written on purpose: csv-stringify spent more time on its
 * options and casting than on the text (the issue measured an iterate + csv-stringify export at
 * 4.8× sqlite3's own); quoting a cell is one regular expression and one replace.
 */

const NEEDS_QUOTES = /[",\r\n;\t|]|^\s|\s$/;

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
