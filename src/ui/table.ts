/** Tables for people at a terminal (cli-table3, chalk); loaded only when a table is printed. */
import { Chalk } from 'chalk';
import Table from 'cli-table3';

/** No rule between rows: tables stay as long as their data. */
const COMPACT = { mid: '', 'left-mid': '', 'mid-mid': '', 'right-mid': '' };

export function renderTable(head: string[], rows: string[][], color: boolean, width?: number): string {
  const chalk = new Chalk({ level: color ? 1 : 0 });
  const maxCell = Math.max(12, Math.floor(((width ?? 160) - head.length * 3) / Math.max(1, head.length)) + 8);
  const table = new Table({
    head: head.map((h) => chalk.bold(h)),
    style: { head: [], border: color ? ['grey'] : [] },
    chars: COMPACT,
    wordWrap: false,
  });
  for (const row of rows) table.push(row.map((cell) => (cell.length > maxCell ? `${cell.slice(0, maxCell - 1)}…` : cell)));
  return `${table.toString()}\n`;
}

/** Two columns, label and value, for one record. */
export function renderPairs(title: string, pairs: [string, string][], color: boolean): string {
  const chalk = new Chalk({ level: color ? 1 : 0 });
  const table = new Table({ style: { head: [], border: color ? ['grey'] : [] }, chars: COMPACT, wordWrap: true, colWidths: [18, 62] });
  for (const [k, v] of pairs) table.push([chalk.dim(k), v]);
  return `${chalk.bold(title)}\n${table.toString()}\n`;
}

export function heading(text: string, color: boolean): string {
  return new Chalk({ level: color ? 1 : 0 }).bold(text);
}
