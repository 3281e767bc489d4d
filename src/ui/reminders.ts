/**
 * What `custfile remind` prints: plain text under up to three headings, readable in a cron mail
 * (columns padded with spaces, colour only when asked), or one JSON object.
 */
import type { DueFollowup, Reminders } from '../app/remind.js';
import { terminalSafe } from './terminal-text.js';

export function remindersJson(r: Reminders): Record<string, unknown> {
  return {
    today: r.today,
    until: r.until,
    birthdays: r.birthdays.map((b) => ({ id: b.id, name: b.name, company: b.company, birthday: b.birthday, next: b.next, in_days: b.in_days, turns: b.turns })),
    followups: r.followups.map((f) => ({
      id: f.id, kind: f.kind, name: f.name, company: f.company, next_contact: f.next_contact,
      in_days: f.in_days, overdue: f.overdue, email: f.email, phone: f.phone,
    })),
    stale: { count: r.stale.count, before: r.stale.before, profiles: r.stale.profiles },
  };
}

interface Styler {
  bold(text: string): string;
  red(text: string): string;
}

const plural = (n: number, one: string, many = `${one}s`) => `${n} ${n === 1 ? one : many}`;

function dayText(inDays: number): string {
  if (inDays === 0) return 'today';
  if (inDays === 1) return 'tomorrow';
  if (inDays < 0) return `OVERDUE ${plural(-inDays, 'day')}`;
  return `in ${inDays} days`;
}

/** "Jens Koch (Elbwerk GmbH)" for a key contact; a company or a private customer by name. */
function who(p: { kind?: string; name: string; company: string | null }): string {
  // names are the user's data: shown, never obeyed by the terminal (ui/terminal-text.ts)
  return terminalSafe(p.company && p.kind !== 'company' ? `${p.name} (${p.company})` : p.name);
}

/** Rows of cells, the columns padded to their widest cell but the last (plain text for cron mails). */
function columns(rows: string[][], style: (row: number, cell: number, text: string) => string = (_r, _c, t) => t): string {
  const widths: number[] = [];
  for (const row of rows) row.forEach((cell, i) => (widths[i] = Math.max(widths[i] ?? 0, [...cell].length)));
  return rows
    .map((row, r) => `  ${row.map((cell, i) => style(r, i, i === row.length - 1 ? cell : cell + ' '.repeat((widths[i] ?? 0) - [...cell].length))).join('  ')}`.trimEnd())
    .join('\n');
}

/** The plain-text report; empty sections are left out. `chalk` at level 0 writes no escapes. */
export function renderReminders(r: Reminders, chalk: Styler): string {
  const sections: string[] = [];
  if (r.birthdays.length > 0) {
    const rows = r.birthdays.map((b) => [dayText(b.in_days), b.next, `${who(b)}${b.turns === null ? '' : `, turns ${b.turns}`}`, `#${b.id}`]);
    sections.push(`${chalk.bold(`Birthdays (${r.birthdays.length})`)}\n${columns(rows)}`);
  }
  if (r.followups.length > 0) {
    const overdue = r.followups.filter((f) => f.overdue).length;
    const title = `Follow-ups due (${r.followups.length}${overdue > 0 ? `, ${overdue} overdue` : ''})`;
    const rows = r.followups.map((f: DueFollowup) => [dayText(f.in_days), f.next_contact, who(f), `#${f.id}`]);
    const overdueRow = (row: number) => r.followups[row]?.overdue === true;
    sections.push(`${chalk.bold(title)}\n${columns(rows, (row, cell, text) => (cell === 0 && overdueRow(row) ? chalk.red(text) : text))}`);
  }
  if (r.stale.count > 0) {
    const title = `Stale profiles (${r.stale.count} not reviewed or changed since ${r.stale.before})`;
    const rows = r.stale.profiles.map((s) => [s.untouched_since, who(s), `#${s.id}`]);
    let text = `${chalk.bold(title)}\n${columns(rows)}`;
    const more = r.stale.count - r.stale.profiles.length;
    if (more > 0) text += `\n  and ${more} more`;
    text += '\n  (custfile update REF --reviewed marks one reviewed)';
    sections.push(text);
  }
  return sections.length === 0 ? '' : `${sections.join('\n\n')}\n`;
}
