import { beforeAll, describe, expect, it } from 'vitest';
import { displayWidth, terminalSafe, truncateToWidth, wrapToWidth } from '../../src/ui/terminal-text.js';
import { LAYOUT_ROWS, fitWidths, loadTables } from '../../src/ui/table.js';

const FAMILY = '👨‍👩‍👧‍👦';

describe('terminalSafe', () => {
  it('shows what a terminal would obey: ESC, BEL, DEL, C1 controls and direction overrides', () => {
    expect(terminalSafe('X\u001b[2J\u001b]0;pwned\u0007Y')).toBe('X^[[2J^[]0;pwned^GY');
    expect(terminalSafe('a\u007fb\u009bc')).toBe('a^?b<U+009B>c');
    expect(terminalSafe('\u202eevil\u2066')).toBe('<U+202E>evil<U+2066>');
  });

  it('keeps line breaks, emoji joiners and ordinary text; a tab is a space, a zero-width space nothing', () => {
    expect(terminalSafe(`Zeile 1\nZeile 2 ${FAMILY} Müller 東京`)).toBe(`Zeile 1\nZeile 2 ${FAMILY} Müller 東京`);
    expect(terminalSafe('a\tb\u200bc')).toBe('a bc');
  });
});

describe('displayWidth', () => {
  it.each([
    ['Müller', 6],
    ['Mu\u0308ller', 6],
    ['東京都', 6],
    [FAMILY, 2],
    ['🇩🇪', 2],
    ['👍🏽', 2],
    ['ｱ', 1],
    ['line one\nlonger line two', 15],
    ['I ♥ NY ✔ ™ ☺', 12], // symbols without emoji presentation are one column
    ['❤️', 2], // … unless U+FE0F asks for the emoji
  ])('%j takes %i columns', (text, width) => {
    expect(displayWidth(text)).toBe(width);
  });
});

describe('truncateToWidth', () => {
  it('cuts whole graphemes to at most the width, ending in …', () => {
    const cut = truncateToWidth(`a${FAMILY.repeat(10)}`, 8);
    expect(cut).toBe(`a${FAMILY.repeat(3)}…`);
    expect(displayWidth(cut)).toBeLessThanOrEqual(8);
    expect(truncateToWidth('東京都東京都', 5)).toBe('東京…');
    expect(truncateToWidth('short', 8)).toBe('short');
    expect(truncateToWidth('exactly8', 8)).toBe('exactly8');
    expect(truncateToWidth('nine char', 8)).toBe('nine ch…');
  });
});

describe('wrapToWidth', () => {
  it('wraps at spaces, and inside words that have none (CJK), never past the width', () => {
    expect(wrapToWidth('the quick brown fox jumps', 10)).toBe('the quick\nbrown fox\njumps');
    const cjk = wrapToWidth('東京都'.repeat(20), 10);
    expect(cjk.split('\n').every((l) => displayWidth(l) <= 10)).toBe(true);
    expect(cjk.replace(/\n/g, '')).toBe('東京都'.repeat(20));
  });

  it('never passes the width nor makes an empty line when a line starts with a space before wide characters', () => {
    const note = `Agenda:\n a${'中'.repeat(40)}`;
    const lines = wrapToWidth(note, 60).split('\n');
    expect(lines.every((l) => displayWidth(l) <= 60)).toBe(true);
    expect(lines.slice(1).some((l) => l === '')).toBe(false);
    expect(lines.join('')).toBe(note.replace('\n', ''));
  });

  it('keeps the text whole and its line breaks, also for a long mixed note', () => {
    const note = ('Müller 👍 東京 '.repeat(2000) + '\n' + 'x'.repeat(130)).slice(0);
    const wrapped = wrapToWidth(note, 60);
    const lines = wrapped.split('\n');
    expect(lines.every((l) => displayWidth(l) <= 60)).toBe(true);
    expect(wrapped.replace(/\s+/g, '')).toBe(note.replace(/\s+/g, ''));
    expect(lines.at(-1)).toBe('x'.repeat(10));
  });
});

describe('tables', () => {
  let tables: Awaited<ReturnType<typeof loadTables>>;
  beforeAll(async () => {
    tables = await loadTables();
  });

  it('fitWidths cuts the widest columns to a common cap, never below their floors', () => {
    expect(fitWidths([2, 40, 30, 10], [2, 6, 6, 6], 200)).toEqual([2, 40, 30, 10]);
    const fitted = fitWidths([2, 40, 30, 10], [2, 6, 6, 6], 50);
    expect(fitted.reduce((a, b) => a + b, 0) + 4 * 3 + 1).toBeLessThanOrEqual(50);
    expect(fitted[0]).toBe(2);
    expect(fitted[1]).toBe(fitted[2]);
  });

  it('on a terminal too narrow for whole headers, the headers are cut as well', () => {
    const fitted = fitWidths([4, 20, 20, 20, 20], [2, 6, 6, 6, 6], 40);
    expect(fitted.reduce((a, b) => a + b, 0) + 5 * 3 + 1).toBeLessThanOrEqual(40);
    const text = tables.renderTable(['id', 'name', 'email', 'city', 'lifecycle'], [['1', 'Anna Berg', 'anna@berg.de', 'Dresden', 'customer']], false, 40);
    expect(text.trimEnd().split('\n').every((l) => displayWidth(l) <= 40)).toBe(true);
  });

  it('a table fits the terminal it is given, each line at most its width', () => {
    const rows = Array.from({ length: 50 }, (_v, i) => [String(i), `Name ${'x'.repeat(i)}`, `mail${i}@example.de`, '東京都'.repeat(i % 7)]);
    const text = tables.renderTable(['id', 'name', 'email', 'city'], rows, false, 60);
    expect(text.trimEnd().split('\n').every((l) => displayWidth(l) <= 60)).toBe(true);
    expect(text).toContain('│ 49 │');
  });

  it('streams a short list exactly as it draws it', async () => {
    const rows = [['1', 'Anna', 'Dresden'], ['2', 'Bernd 東京', 'Görlitz\nzweite Zeile']];
    let text = '';
    const n = await tables.streamTable(['id', 'name', 'city'], rows, false, 80, (t) => {
      text += t;
    });
    expect(n).toBe(2);
    expect(text).toBe(tables.renderTable(['id', 'name', 'city'], rows, false, 80));
  });

  it('a long list takes its widths from the first rows: later cells are cut to them, later ids are not', async () => {
    const rows = function* () {
      for (let i = 1; i <= LAYOUT_ROWS + 500; i++) yield [String(i * 10), i > LAYOUT_ROWS ? 'a much longer name than before' : 'Anna'];
    };
    let text = '';
    await tables.streamTable(['id', 'name'], rows(), false, 80, (t) => {
      text += t;
    });
    const lines = text.trimEnd().split('\n');
    expect(new Set(lines.map(displayWidth)).size).toBe(1);
    expect(lines).toHaveLength(LAYOUT_ROWS + 500 + 3);
    expect(lines.at(-2)).toBe("│ 15000   │ a m… │"); // "name" and "Anna" made the column 4 wide
  });

  it('draws 300,000 rows (a spread of them overflowed the stack)', () => {
    const rows = Array.from({ length: 300_000 }, (_v, i) => [String(i), 'Anna']);
    const text = tables.renderTable(['id', 'name'], rows, false, 80);
    expect(text.split('\n').length).toBe(300_000 + 3 + 1);
  });

  it("a record's values wrap inside a narrow terminal", () => {
    const text = tables.renderPairs('Anna', [['notes', 'word '.repeat(40)]], false, 50);
    expect(text.trimEnd().split('\n').every((l) => displayWidth(l) <= 50)).toBe(true);
  });
});
