/** Tables for people at a terminal (cli-table3, chalk); loaded only when a table is printed. */
import Table from 'cli-table3';

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

/** No rule between rows: tables stay as long as their data. */
const COMPACT = { mid: '', 'left-mid': '', 'mid-mid': '', 'right-mid': '' };

function renderTable(head: string[], rows: string[][], color: boolean, width?: number): string {
  const chalk = chalkFor(color);
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
function renderPairs(title: string, pairs: [string, string][], color: boolean): string {
  const chalk = chalkFor(color);
  const table = new Table({ style: { head: [], border: color ? ['grey'] : [] }, chars: COMPACT, wordWrap: true, colWidths: [18, 62] });
  for (const [k, v] of pairs) table.push([chalk.dim(k), v]);
  return `${chalk.bold(title)}\n${table.toString()}\n`;
}

function heading(text: string, color: boolean): string {
  return chalkFor(color).bold(text);
}
