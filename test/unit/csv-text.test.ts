/**
 * CSV lines: csvLine asks one regular expression per record whether any cell needs quotes, and
 * guardFormula compares the first character; both are held here to the per-cell rules they
 * replace, on hand-picked and on random cells.
 */
import { describe, expect, it } from 'vitest';
import { csvCell, csvLine } from '../../src/io/csv-text.js';
import { guardFormula } from '../../src/ui/records.js';
import { random } from '../seeded-random.js';

/** The rule, one cell at a time. */
function reference(cells: readonly string[], delimiter = ','): string {
  return cells.map((c) => (/[",\r\n;\t|]|^\s|\s$/.test(c) ? `"${c.replace(/"/g, '""')}"` : c)).join(delimiter);
}

const PIECES = ['a', 'Müller', ' ', '\t', '\n', '\r', '"', ',', ';', '|', '\u0000', '\u00a0', '\u2003', '\ufeff', '=', '+', '-', '@', 'x y', '', '1,5'];


describe('csvLine', () => {
  it.each<[string[]]>([
    [[]],
    [['']],
    [['a', 'b', 'c']],
    [['Anna', 'Müller GmbH', '1976-02-29']],
    [['a,b', 'c']],
    [['say "hi"']],
    [[' lead', 'trail ', 'mid dle']],
    [['a', '\u0000', ' b']], // a NUL cell before a cell that starts with a space
    [['a\u0000 b']], // a NUL inside a cell: quoting only if the cell itself needs it
    [['\u00a0nbsp', 'x\u2003']],
    [['line\nbreak', 'cr\r']],
    [['', '', '']],
  ])('%j is quoted cell by cell', (cells) => {
    expect(csvLine(cells)).toBe(reference(cells));
    expect(csvLine(cells, ';')).toBe(reference(cells, ';'));
  });

  it('matches the per-cell rule on 20,000 random records', () => {
    const next = random(20240229);
    for (let n = 0; n < 20_000; n++) {
      const cells = Array.from({ length: 1 + Math.floor(next() * 6) }, () =>
        Array.from({ length: Math.floor(next() * 4) }, () => PIECES[Math.floor(next() * PIECES.length)]).join(''),
      );
      expect(csvLine(cells)).toBe(reference(cells));
    }
  });

  it('csvCell still quotes one cell by the same rule', () => {
    for (const p of PIECES) expect(csvCell(p)).toBe(reference([p]));
  });
});

describe('guardFormula', () => {
  it('prefixes exactly the cells /^[=+\\-@\\t\\r]/ matches', () => {
    for (let c = 0; c < 0x3000; c++) {
      for (const cell of [String.fromCharCode(c), `${String.fromCharCode(c)}x`]) {
        expect(guardFormula(cell)).toBe(/^[=+\-@\t\r]/.test(cell) ? `'${cell}` : cell);
      }
    }
    expect(guardFormula('')).toBe('');
  });
});
