/**
 * Tables for people at a terminal (chalk for colour; loaded only when a table is printed).
 *
 * Drawn here rather than by cli-table3: its layout measured every cell with string-width, which
 * compiles a large emoji pattern per call, and wrapped long words one character at a time, so
 * `list` of 20,000 rows took 200 s, 300,000 rows overflowed the stack, and `show` of a
 * 3,000-character CJK note took a minute. This is one pass to measure and one to draw, in the
 * same look (rounded to its box characters, no rules between rows).
 */
import { displayWidth, terminalSafe, truncateToWidth, wrapToWidth } from './terminal-text.js';

type ChalkClass = typeof import('chalk').Chalk;
let Chalk: ChalkClass | null = null;

/**
 * The table renderers, once chalk is loaded. chalk is an ES module only: it is imported here,
 * never required, so the CommonJS bundle of the CLI runs on every Node 20.
 */
export async function loadTables(): Promise<{ renderTable: typeof renderTable; streamTable: typeof streamTable; renderPairs: typeof renderPairs; heading: typeof heading }> {
  Chalk ??= (await import('chalk')).Chalk;
  return { renderTable, streamTable, renderPairs, heading };
}

function chalkFor(color: boolean) {
  if (!Chalk) throw new Error('loadTables() first');
  return new Chalk({ level: color ? 1 : 0 });
}

/** Without a terminal (`--format table` into a pipe) tables are laid out for this many columns. */
const DEFAULT_WIDTH = 160;
/** A column is not narrowed below this (or its header, or its widest cell if that is less). */
const MIN_COLUMN = 6;

/**
 * Column widths that fit `total` columns of terminal: the natural widths if they fit, else the
 * widest columns cut to one common cap (the narrow ones, ids and dates, stay whole).
 */
export function fitWidths(natural: readonly number[], floors: readonly number[], total: number): number[] {
  const overhead = natural.length * 3 + 1;
  // a terminal too narrow even for the floors (headers whole): the headers are cut too, to 3 columns
  if (floors.reduce((a, b) => a + b, 0) + overhead > total) floors = natural.map((w) => Math.min(w, 3));
  const sum = (cap: number) => natural.reduce((s, w, i) => s + Math.max(Math.min(w, cap), floors[i]!), 0);
  if (sum(Infinity) + overhead <= total) return [...natural];
  let lo = 0;
  let hi = Math.max(0, ...natural);
  while (lo < hi) {
    const mid = Math.ceil((lo + hi) / 2);
    if (sum(mid) + overhead <= total) lo = mid;
    else hi = mid - 1;
  }
  return natural.map((w, i) => Math.max(Math.min(w, lo), floors[i]!));
}

interface Drawn {
  widths: number[];
  rows: string[][][];
}

interface Style {
  widths: number[];
  color: boolean;
  boldFirstRow: boolean;
  dimFirstColumn: boolean;
}

function painter(style: Style) {
  const chalk = chalkFor(style.color);
  const border = (s: string) => (style.color ? chalk.grey(s) : s);
  const bar = border('│');
  return {
    rule: (left: string, mid: string, right: string) => border(left + style.widths.map((w) => '─'.repeat(w + 2)).join(mid) + right),
    /** One row's lines; `first` marks the header row (bold). */
    row(cells: string[][], first: boolean): string[] {
      const lines: string[] = [];
      const height = Math.max(1, ...cells.map((l) => l.length));
      for (let l = 0; l < height; l++) {
        let line = bar;
        cells.forEach((cellLines, c) => {
          const text = cellLines[l] ?? '';
          const pad = ' '.repeat(Math.max(0, style.widths[c]! - displayWidth(text)));
          const styled = first && style.boldFirstRow ? chalk.bold(text) : c === 0 && style.dimFirstColumn ? chalk.dim(text) : text;
          line += ` ${styled}${pad} ${bar}`;
        });
        lines.push(line);
      }
      return lines;
    },
  };
}

function draw(table: Drawn, color: boolean, boldFirstRow: boolean, dimFirstColumn: boolean): string {
  const p = painter({ widths: table.widths, color, boldFirstRow, dimFirstColumn });
  const out: string[] = [p.rule('┌', '┬', '┐')];
  table.rows.forEach((cells, r) => out.push(...p.row(cells, r === 0)));
  out.push(p.rule('└', '┴', '┘'));
  return out.join('\n');
}

/** A cell as the lines it shows: control characters made visible, split at its line breaks. */
function cellLines(cell: string): string[] {
  return terminalSafe(cell).split(/\r?\n/);
}

/** A row's cells, each line cut to its column's width. */
function cutRow(cells: string[][], widths: readonly number[]): string[][] {
  return cells.map((lines, c) => lines.map((line) => truncateToWidth(line, widths[c]!)));
}

/** Column widths that fit `width`, from the header and `rows` (all of them, or the first ones of a long list). */
function layout(head: string[], rows: readonly string[][][], width: number | undefined): number[] {
  // loops, not Math.max(...rows): a spread of 300,000 rows overflows the stack
  const natural = head.map((h) => displayWidth(terminalSafe(h)));
  for (const row of rows) {
    row.forEach((lines, c) => {
      for (const line of lines) natural[c] = Math.max(natural[c] ?? 0, displayWidth(line));
    });
  }
  const floors = head.map((h, c) => Math.min(natural[c]!, Math.max(displayWidth(h), MIN_COLUMN)));
  return fitWidths(natural, floors, width ?? DEFAULT_WIDTH);
}

/** Rows under a header, each cell cut to its column; the table fits `width` columns (the terminal's). */
function renderTable(head: string[], rows: string[][], color: boolean, width?: number): string {
  const cells = rows.map((row) => row.map(cellLines));
  const widths = layout(head, cells, width);
  const cut = [head.map(cellLines), ...cells].map((row) => cutRow(row, widths));
  return `${draw({ widths, rows: cut }, color, true, false)}\n`;
}

/** Rows measured for a long list's widths; later rows are cut to them. */
export const LAYOUT_ROWS = 1000;

/**
 * A long list as a table, a row at a time: the widths come from the header and the first
 * LAYOUT_ROWS rows, later cells are cut to them. Memory stays that of those rows however long the
 * list (`list` of 300,000 profiles as one table took 1.5 GB).
 */
async function streamTable(head: string[], rows: Iterable<string[]>, color: boolean, width: number | undefined, write: (text: string) => void | Promise<void>): Promise<number> {
  const it = rows[Symbol.iterator]();
  const first: string[][][] = [];
  let more = true;
  while (first.length < LAYOUT_ROWS) {
    const r = it.next();
    if (r.done) {
      more = false;
      break;
    }
    first.push(r.value.map(cellLines));
  }
  // a column of whole numbers (ids, counts) grows down a list sorted by them: room for 7 digits,
  // or ids past the first rows' would be cut
  const numeric = head.map((_h, c) => first.length > 0 && first.every((row) => /^\d*$/.test(row[c]?.[0] ?? '')));
  const widths = layout(head, more ? [...first, head.map((_h, c) => [numeric[c] ? '9999999' : ''])] : first, width);
  const p = painter({ widths, color, boldFirstRow: true, dimFirstColumn: false });
  const cut = (cells: string[][]) => cutRow(cells, widths);
  let chunk = `${p.rule('┌', '┬', '┐')}\n${p.row(cut(head.map(cellLines)), true).join('\n')}\n`;
  let count = 0;
  const emit = async (cells: string[][]) => {
    chunk += `${p.row(cut(cells), false).join('\n')}\n`;
    count++;
    if (chunk.length > 1 << 16) {
      const pending = write(chunk);
      chunk = '';
      if (pending) await pending;
    }
  };
  for (const cells of first) await emit(cells);
  if (more) for (let r = it.next(); !r.done; r = it.next()) await emit(r.value.map(cellLines));
  await write(`${chunk}${p.rule('└', '┴', '┘')}\n`);
  return count;
}

/** Two columns, label and value, for one record; long values wrap to the terminal's width. */
function renderPairs(title: string, pairs: [string, string][], color: boolean, width?: number): string {
  const chalk = chalkFor(color);
  const valueWidth = Math.max(20, Math.min(60, (width ?? DEFAULT_WIDTH) - 16 - 7));
  const rows = pairs.map(([k, v]) => [wrapToWidth(terminalSafe(k), 16).split('\n'), wrapToWidth(terminalSafe(v), valueWidth).split('\n')]);
  // as wide as before (cli-table3's colWidths 18 and 62, padding included), narrower on a narrow terminal
  const widths = [16, valueWidth];
  return `${chalk.bold(terminalSafe(title))}\n${draw({ widths, rows }, color, false, true)}\n`;
}

function heading(text: string, color: boolean): string {
  return chalkFor(color).bold(terminalSafe(text));
}
