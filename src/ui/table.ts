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
export async function loadTables(): Promise<{ renderTable: typeof renderTable; renderPairs: typeof renderPairs; heading: typeof heading }> {
  Chalk ??= (await import('chalk')).Chalk;
  return { renderTable, renderPairs, heading };
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

function draw(table: Drawn, color: boolean, boldFirstRow: boolean, dimFirstColumn: boolean): string {
  const chalk = chalkFor(color);
  const border = (s: string) => (color ? chalk.grey(s) : s);
  const rule = (left: string, mid: string, right: string) => border(left + table.widths.map((w) => '─'.repeat(w + 2)).join(mid) + right);
  const out: string[] = [rule('┌', '┬', '┐')];
  const bar = border('│');
  table.rows.forEach((cells, r) => {
    const height = Math.max(1, ...cells.map((lines) => lines.length));
    for (let l = 0; l < height; l++) {
      let line = bar;
      cells.forEach((lines, c) => {
        const text = lines[l] ?? '';
        const pad = ' '.repeat(Math.max(0, table.widths[c]! - displayWidth(text)));
        const styled = r === 0 && boldFirstRow ? chalk.bold(text) : c === 0 && dimFirstColumn ? chalk.dim(text) : text;
        line += ` ${styled}${pad} ${bar}`;
      });
      out.push(line);
    }
  });
  out.push(rule('└', '┴', '┘'));
  return out.join('\n');
}

/** Rows under a header, each cell cut to its column; the table fits `width` columns (the terminal's). */
function renderTable(head: string[], rows: string[][], color: boolean, width?: number): string {
  const all = [head, ...rows].map((row) => row.map((cell) => terminalSafe(cell).split(/\r?\n/)));
  // loops, not Math.max(...rows): a spread of 300,000 rows overflows the stack
  const natural = head.map(() => 0);
  for (const row of all) {
    row.forEach((lines, c) => {
      for (const line of lines) natural[c] = Math.max(natural[c] ?? 0, displayWidth(line));
    });
  }
  const floors = head.map((h, c) => Math.min(natural[c]!, Math.max(displayWidth(h), MIN_COLUMN)));
  const widths = fitWidths(natural, floors, width ?? DEFAULT_WIDTH);
  const cut = all.map((row) => row.map((lines, c) => lines.map((line) => truncateToWidth(line, widths[c]!))));
  return `${draw({ widths, rows: cut }, color, true, false)}\n`;
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
