/**
 * The checks of lines that SQLite wrote (ui/csv.ts, csvLineCheck and csvBlockCheck): a line passes
 * only when csvRows would write exactly it, for any character in any place of a cell.
 */
import { describe, expect, it } from 'vitest';
import { csvCell } from '../../src/io/csv-text.js';
import { csvBlockCheck, csvLineCheck } from '../../src/ui/csv.js';
import { guardFormula } from '../../src/ui/records.js';

const TEXT = { text: true, cell: { quote: false, guard: false } };
const NUMBER = { text: false, cell: { quote: false, guard: false } };
const FREE_TEXT = { text: true, cell: { quote: true, guard: true } };

/** Every character of the Basic Multilingual Plane but the surrogates, and one beyond it. */
const CHARACTERS = [...Array.from({ length: 0xd800 }, (_, i) => String.fromCharCode(i)), ...Array.from({ length: 0x10000 - 0xe000 }, (_, i) => String.fromCharCode(0xe000 + i)), '😀'];

/** The cells a character makes: alone, first, last and inside, and after one or two quotes. */
function cellsOf(c: string): string[] {
  return [c, `${c}a`, `a${c}`, `a${c}a`, `'${c}`, `''${c}a`];
}

describe('csvLineCheck', () => {
  it('passes a text cell exactly when csvRows writes it as it is: no formula start, nothing to quote', () => {
    const check = csvLineCheck([TEXT], ',');
    const wrong = CHARACTERS.flatMap(cellsOf).filter((cell) => check.test(cell) !== (csvCell(guardFormula(cell)) === cell));
    expect(wrong).toEqual([]);
    expect(check.test('')).toBe(true);
  });

  it('passes a number cell exactly when csvCell leaves it as it is (a minus is no formula there)', () => {
    const check = csvLineCheck([NUMBER], ';');
    const wrong = CHARACTERS.flatMap(cellsOf).filter((cell) => check.test(cell) !== (csvCell(cell) === cell));
    expect(wrong).toEqual([]);
    expect(check.test('-1234.50')).toBe(true);
  });

  it('takes quotes only in a column that SQLite quotes, and splits a line one way only', () => {
    const check = csvLineCheck([NUMBER, FREE_TEXT, TEXT], ',');
    expect(check.test('1,"a, ""b""\nc",x')).toBe(true);
    expect(check.test('1,plain,x')).toBe(true);
    expect(check.test('1,x,"a,b"')).toBe(false);
    expect(check.test('1,a,b,x')).toBe(false);
    expect(check.test('1,"a"b",x')).toBe(false);
    expect(check.test('1,x')).toBe(false);
    expect(check.test('1,x,=1')).toBe(false);
  });
});

describe('csvBlockCheck', () => {
  it('passes the UTF-8 of a line as one line only when csvLineCheck passes it', () => {
    const line = csvLineCheck([TEXT], ',');
    const block = csvBlockCheck([TEXT], ',', '\n');
    const wrong = CHARACTERS.flatMap((c) =>
      cellsOf(c).filter((cell) => {
        const bytes = Buffer.from(`${cell}\n`);
        const passed = block(bytes, [bytes.length]);
        // a block with a space beyond ASCII in it is read line by line, wherever the space is
        const wide = /[^\x00-\x7f]/.test(c) && /\s/.test(c);
        const one = passed.lines === 1 && passed.end === bytes.length;
        return one !== (line.test(cell) && !wide);
      }),
    );
    expect(wrong).toEqual([]);
  });

  it('counts the lines that pass and says where they end', () => {
    const block = csvBlockCheck([NUMBER, FREE_TEXT], ';', '\r\n');
    const lines = ['1;"a\r\nb"\r\n', '2;Grüße\r\n', '3;=x\r\n', '4;ok\r\n'];
    const bytes = Buffer.from(lines.join(''));
    const lengths = lines.map((line) => Buffer.byteLength(line));
    expect(block(bytes, lengths)).toEqual({ lines: 2, end: lengths[0]! + lengths[1]! });
    expect(csvBlockCheck([NUMBER, TEXT], ';', '\r\n')(bytes, lengths).lines).toBe(0);
  });

  it('knows where a line ends from its length: a line break in a cell ends nothing', () => {
    const block = csvBlockCheck([NUMBER, TEXT], ',', '\n');
    // one line whose last cell holds a line break and then what looks like a line
    const bytes = Buffer.from('1,x\n2,y\n');
    expect(block(bytes, [bytes.length])).toEqual({ lines: 0, end: 0 });
    expect(block(bytes, [4, 4])).toEqual({ lines: 2, end: 8 });
  });

  it('reads a block with a wide space anywhere line by line, even at its very end', () => {
    const block = csvBlockCheck([FREE_TEXT], ',', '\n');
    const check = (...lines: (string | Buffer)[]) => {
      const bytes = lines.map((line) => Buffer.from(line as string));
      return block(Buffer.concat(bytes), bytes.map((b) => b.length));
    };
    expect(check('"a\u3000b"\n')).toEqual({ lines: 0, end: 0 });
    expect(check('a\n', 'b\u00a0\n')).toEqual({ lines: 0, end: 0 });
    // the first two bytes of U+2000… without the third (not UTF-8 either)
    expect(check('a\n', Buffer.from([0x62, 0xe2, 0x80, 0x0a]))).toEqual({ lines: 0, end: 0 });
    expect(check('a – b\n')).toEqual({ lines: 1, end: Buffer.byteLength('a – b\n') });
    // an en dash starts with the same two bytes as U+2002, which comes after it
    expect(check('a – b\n', 'c\u2002\n')).toEqual({ lines: 0, end: 0 });
  });

  it('passes no line of bytes that are not UTF-8', () => {
    const block = csvBlockCheck([TEXT], ',', '\n');
    expect(block(Buffer.from([0x41, 0x0a, 0xff, 0x0a]), [2, 2])).toEqual({ lines: 0, end: 0 });
    expect(block(Buffer.from('A\nB\n'), [2, 2])).toEqual({ lines: 2, end: 4 });
  });
});
