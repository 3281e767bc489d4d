/**
 * Formula injection: a spreadsheet runs a cell that starts with `=`, `+`, `-`, `@`, tab or CR as
 * a formula. Our exports put a `'` before such a text cell (which makes it text) and our imports
 * take it off again, so `+49 …` survives the round trip; a text that starts with `'` before such
 * a character gets one too, so that it survives as well. The characters are named here once; the
 * CSV writers in ui/ and storage/ build their patterns from them.
 */
export const FORMULA_STARTERS = '=+-@\t\r';

const CODES = new Set([...FORMULA_STARTERS].map((c) => c.charCodeAt(0)));

export function startsFormula(cell: string): boolean {
  return cell.length > 0 && CODES.has(cell.charCodeAt(0));
}

/**
 * Whether a text cell gets the guard: it starts like a formula, or with `'`s before such a
 * character, which an import would take for our guard and remove one of (so `'=1+1` is written
 * `''=1+1` and comes back as it was).
 */
export function needsGuard(cell: string): boolean {
  let i = 0;
  while (cell.charCodeAt(i) === 39 /* ' */) i++;
  return i < cell.length && CODES.has(cell.charCodeAt(i));
}

/** The cell as a spreadsheet reads it as text. (Characters compared, not a regular expression: this runs for every text cell.) */
export function guardFormula(cell: string): string {
  return needsGuard(cell) ? `'${cell}` : cell;
}

/**
 * A text cell of an xlsx file: typed text, so no guard is needed against formulas, but a `'`
 * before a formula character gets one, since an import removes what looks like our guard.
 */
export function guardQuote(cell: string): string {
  return !startsFormula(cell) && needsGuard(cell) ? `'${cell}` : cell;
}

/** What guardFormula (or guardQuote) added, taken off again. */
export function removeFormulaGuard(cell: string): string {
  return cell.length > 1 && cell.charCodeAt(0) === 39 /* ' */ && needsGuard(cell.slice(1)) ? cell.slice(1) : cell;
}
