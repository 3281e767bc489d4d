/**
 * Formula injection: a spreadsheet runs a cell that starts with `=`, `+`, `-`, `@`, tab or CR as
 * a formula. Our exports put a `'` before such a text cell (which makes it text) and our imports
 * take it off again, so `+49 …` survives the round trip. The characters are named here once; the
 * CSV writers in ui/ and storage/ build their patterns from them.
 */
export const FORMULA_STARTERS = '=+-@\t\r';

const CODES = new Set([...FORMULA_STARTERS].map((c) => c.charCodeAt(0)));

export function startsFormula(cell: string): boolean {
  return cell.length > 0 && CODES.has(cell.charCodeAt(0));
}

/** The cell as a spreadsheet reads it as text. (A character compared, not a regular expression: this runs for every text cell.) */
export function guardFormula(cell: string): string {
  return startsFormula(cell) ? `'${cell}` : cell;
}

/** What guardFormula added, taken off again. */
export function removeFormulaGuard(cell: string): string {
  return cell.length > 1 && cell.charCodeAt(0) === 39 /* ' */ && CODES.has(cell.charCodeAt(1)) ? cell.slice(1) : cell;
}
