/**
 * How each kind of record is shown: the columns of a table, the JSON shape, the CSV columns.
 */
import type { ProfileView } from '../app/show-profile.js';
import type { UpcomingBirthday } from '../app/birthdays.js';
import type { HistoryLine, TrendLine, TrendResult } from '../app/history.js';
import type { SegmentInfo } from '../app/segments.js';
import type { StatsLine, StatsResult } from '../app/stats.js';
import { localDateOf, pad2 } from '../domain/dates.js';
import { FIELDS } from '../domain/fields.js';
import type { Profile } from '../domain/profile.js';
import { formatCents } from '../domain/values.js';
import type { Communication } from '../storage/communication-repo.js';
import type { Sale } from '../storage/sale-repo.js';
import { type Format, type Output } from './output.js';
import { csvColumns, toPublicRecord } from './records.js';
import { type ListView, renderJson } from './render.js';

const dash = (v: string | null | undefined): string => (v === null || v === undefined || v === '' ? '' : v);

export function profileListView(customKeys: readonly string[] = []): ListView<Profile> {
  return {
    table: [
      { header: 'id', get: (p) => String(p.id) },
      { header: 'name', get: (p) => p.name },
      { header: 'kind', get: (p) => p.kind },
      { header: 'company', get: (p) => (p.kind === 'person' ? dash(p.company) : '') },
      { header: 'email', get: (p) => dash(p.email) },
      { header: 'phone', get: (p) => dash(p.phone) },
      { header: 'city', get: (p) => dash(p.city) },
      { header: 'lifecycle', get: (p) => dash(p.lifecycle) },
      { header: 'tags', get: (p) => p.tags.join(', ') },
    ],
    json: toPublicRecord,
    csv: csvColumns(customKeys),
  };
}

/**
 * `list --format json|ndjson`: profiles that storage has written as JSON text already
 * (ProfileRepo.iteratePublicJson), or, now and then, a profile it left to toPublicRecord.
 */
export function profileJsonListView(): ListView<string | Profile> {
  const record = (r: string | Profile): unknown => (typeof r === 'string' ? JSON.parse(r) : toPublicRecord(r));
  return {
    table: [],
    csv: [],
    json: record,
    jsonText: (r) => (typeof r === 'string' ? r : JSON.stringify(toPublicRecord(r))),
  };
}

/**
 * A stored time (ISO 8601, UTC) as a table shows it: the local date and minute, as the user
 * lives them ("today" is local too). JSON and CSV keep the stored time.
 */
export function localTime(iso: string): string {
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso.slice(0, 16).replace('T', ' ');
  return `${localDateOf(d)} ${pad2(d.getHours())}:${pad2(d.getMinutes())}`;
}

export function historyView(): ListView<HistoryLine> {
  return {
    table: [
      { header: 'when', get: (h) => localTime(h.at) },
      { header: 'profile_id', get: (h) => String(h.profile_id) },
      { header: 'name', get: (h) => dash(h.name) },
      { header: 'field', get: (h) => h.field },
      { header: 'old', get: (h) => dash(h.old) },
      { header: 'new', get: (h) => dash(h.new) },
      { header: 'source', get: (h) => h.source },
    ],
    json: (h) => h,
    csv: (['at', 'profile_id', 'name', 'action', 'field', 'old', 'new', 'source'] as const).map((k) => ({
      header: k,
      text: true,
      get: (h: HistoryLine) => {
        const v = k === 'name' ? h.name : (h as unknown as Record<string, unknown>)[k];
        return v === null || v === undefined ? '' : String(v);
      },
    })),
  };
}

export function noteJson(n: Communication): Record<string, unknown> {
  return { id: n.id, profile_id: n.profile_id, at: n.at, channel: n.channel, text: n.body, source: n.source, created_at: n.created_at };
}

export function saleJson(s: Sale): Record<string, unknown> {
  return { id: s.id, profile_id: s.profile_id, name: s.profile_name, date: s.date, amount: s.amount_cents / 100, item: s.item, source: s.source, created_at: s.created_at };
}

function valueText(p: Profile, name: string): string {
  const field = FIELDS.find((f) => f.name === name)!;
  const v = (p as unknown as Record<string, unknown>)[name];
  if (v === null || v === undefined) return '';
  if (field.type === 'money') return formatCents(v as number);
  if (field.type === 'bool') return v ? 'yes' : 'no';
  if (field.type === 'tags') return (v as string[]).join(', ');
  return String(v);
}

const SHOWN_ELSEWHERE = new Set(['id', 'kind', 'name', 'custom', 'tags', 'company', 'company_id', 'sales_total', 'sales_count', 'last_sale']);

export function showJson(view: ProfileView): Record<string, unknown> {
  return {
    ...toPublicRecord(view.profile),
    company_profile: view.company ? { id: view.company.id, name: view.company.name } : null,
    contacts: view.contacts.map((c) => ({ id: c.id, name: c.name, role: c.role, decision_maker: c.decision_maker, email: c.email, phone: c.phone, birthday: c.birthday })),
    last_notes: view.notes.map(noteJson),
    notes_total: view.notes_total,
    last_changes: view.changes.map((h) => ({ at: h.at, action: h.action, field: h.field, old: h.field === '*' ? null : h.old_value, new: h.field === '*' ? null : h.new_value, source: h.source })),
    last_sales: view.sales.map(saleJson),
  };
}

export async function renderShow(view: ProfileView, format: Format, out: Output, color: boolean): Promise<void> {
  if (format !== 'table') {
    // one document: json (ndjson and csv print it on one line / as one row)
    if (format === 'ndjson') {
      await out.write(`${JSON.stringify(showJson(view))}\n`);
      return out.flush();
    }
    if (format === 'csv') {
      const { csvHeader, csvRows } = await import('./csv.js');
      const cols = csvColumns(Object.keys(view.profile.custom));
      await out.write(csvHeader(cols) + csvRows([view.profile], cols));
      return out.flush();
    }
    return renderJson(showJson(view), out);
  }
  const { renderPairs, renderTable, heading } = await (await import('./table.js')).loadTables();
  const p = view.profile;
  let subtitle = `#${p.id} ${p.kind}`;
  if (p.kind === 'person' && view.company) {
    subtitle += ` · ${p.role ? `${p.role} at ` : 'key contact of '}${view.company.name} (#${view.company.id})${p.decision_maker ? ', decision-maker' : ''}`;
  }
  const pairs: [string, string][] = [];
  for (const f of FIELDS) {
    if (SHOWN_ELSEWHERE.has(f.name) || !f.kinds.includes(p.kind)) continue;
    // stored times read as the local time they were (as "Last changes" shows them)
    const text = f.type === 'timestamp' ? localTime(String(p[f.name as keyof typeof p] ?? '')) : valueText(p, f.name);
    if (text !== '') pairs.push([f.name, text]);
  }
  if (p.tags.length > 0) pairs.push(['tags', p.tags.join(', ')]);
  for (const [k, v] of Object.entries(p.custom)) pairs.push([`custom.${k}`, v]);
  if (p.sales_count > 0) pairs.push(['sales', `${p.sales_count} totalling ${formatCents(p.sales_total)}, last ${p.last_sale}`]);
  let text = renderPairs(`${p.name}  ${subtitle}`, pairs, color, out.stream.columns);
  if (view.contacts.length > 0) {
    text += `\n${heading(`Key contacts (${view.contacts.length})`, color)}\n`;
    text += renderTable(['id', 'name', 'role', 'decides', 'email', 'phone', 'birthday'],
      view.contacts.map((c) => [String(c.id), c.name, dash(c.role), c.decision_maker ? 'yes' : '', dash(c.email), dash(c.phone), dash(c.birthday)]), color, out.stream.columns);
  }
  if (view.notes.length > 0) {
    text += `\n${heading(`Last notes (${view.notes.length} of ${view.notes_total})`, color)}\n`;
    text += renderTable(['date', 'channel', 'note'], view.notes.map((n) => [n.at, n.channel, n.body]), color, out.stream.columns);
  }
  if (view.sales.length > 0) {
    text += `\n${heading('Last sales', color)}\n`;
    text += renderTable(['date', 'amount', 'item'], view.sales.map((s) => [s.date, formatCents(s.amount_cents), dash(s.item)]), color, out.stream.columns);
  }
  if (view.changes.length > 0) {
    text += `\n${heading('Last changes', color)}\n`;
    text += renderTable(['when', 'field', 'old', 'new', 'source'],
      view.changes.map((h) => [localTime(h.at), h.field === '*' ? (h.action === 'create' ? '(created)' : '(removed)') : h.field, h.field === '*' ? '' : dash(h.old_value), h.field === '*' ? '' : dash(h.new_value), h.source]), color, out.stream.columns);
  }
  await out.write(text);
  await out.flush();
}

/** Columns of an xlsx sheet of profiles: real dates, numbers for money and counts, text else. */
export function xlsxColumns(customKeys: readonly string[]): import('../io/xlsx-writer.js').XlsxColumn<Profile>[] {
  const fieldNames = new Set(FIELDS.map((f) => f.name));
  const cols: import('../io/xlsx-writer.js').XlsxColumn<Profile>[] = [];
  for (const f of FIELDS) {
    if (f.type === 'custom') continue;
    const name = f.name;
    const kind = f.type === 'money' || f.type === 'int' || f.type === 'id' || f.type === 'ref' ? 'number' : f.type === 'date' ? 'date' : 'text';
    cols.push({
      header: name,
      kind,
      width: ['name', 'company', 'email', 'street', 'notes'].includes(name) ? 28 : undefined,
      get: (p) => {
        const v = (p as unknown as Record<string, unknown>)[name];
        if (v === null || v === undefined) return null;
        if (f.type === 'money') return (v as number) / 100;
        if (f.type === 'tags') return (v as string[]).join(',');
        if (f.type === 'bool') return v ? 'true' : 'false';
        return typeof v === 'number' ? v : String(v);
      },
    });
  }
  for (const key of customKeys) {
    // own properties only: a field named "constructor" is not Object's
    cols.push({ header: fieldNames.has(key) ? `custom.${key}` : key, kind: 'text', get: (p) => (Object.hasOwn(p.custom, key) ? (p.custom[key] ?? null) : null) });
  }
  return cols;
}

/** A data subject's export (GDPR Art. 15/20): the profile and everything attached to it. */
export function subjectJson(s: import('../app/export-profiles.js').SubjectExport): Record<string, unknown> {
  return {
    profile: toPublicRecord(s.profile),
    company: s.company,
    contacts: s.contacts,
    notes: s.notes.map(noteJson),
    sales: s.sales.map(saleJson),
    history: s.history.map((h) => ({ at: h.at, action: h.action, field: h.field, old: h.old_value, new: h.new_value, source: h.source })),
    exported_by: 'custfile',
  };
}

/** "today", "tomorrow", "in 5 days". */
export function whenText(inDays: number): string {
  if (inDays === 0) return 'today';
  if (inDays === 1) return 'tomorrow';
  return `in ${inDays} days`;
}

const BIRTHDAY_KEYS = ['id', 'name', 'company', 'birthday', 'next', 'in_days', 'turns'] as const;

/** JSON and CSV carry SPEC.md's keys in SPEC.md's order; the table reads as a calendar. */
export function birthdayListView(): ListView<UpcomingBirthday> {
  const text = (v: string | number | null): string => (v === null ? '' : String(v));
  return {
    table: [
      { header: 'next', get: (b) => b.next },
      { header: 'when', get: (b) => whenText(b.in_days) },
      { header: 'name', get: (b) => b.name },
      { header: 'company', get: (b) => text(b.company) },
      { header: 'turns', get: (b) => text(b.turns) },
      { header: 'id', get: (b) => String(b.id) },
    ],
    json: (b) => ({ id: b.id, name: b.name, company: b.company, birthday: b.birthday, next: b.next, in_days: b.in_days, turns: b.turns }),
    // Text cells get the formula guard (a year-less `--05-10` is written `'--05-10`, as in
    // every custfile CSV; import takes the quote off again); numbers are ours.
    csv: BIRTHDAY_KEYS.map((key) => ({
      header: key,
      text: key === 'name' || key === 'company' || key === 'birthday',
      get: (b: UpcomingBirthday) => text(b[key]),
    })),
  };
}

const money = (cents: number | null): number | null => (cents === null ? null : cents / 100);

/** A line as scripts read it: money as numbers in the file's currency (exact to the cent). */
export function statsJson(l: StatsLine): Record<string, unknown> {
  return {
    group: l.group,
    total: l.total,
    count: l.count,
    revenue_count: l.revenue_count,
    revenue_sum: money(l.revenue_cents),
    revenue_mean: money(l.revenue_mean_cents),
    sales_count: l.sales_count,
    sales_total: money(l.sales_total_cents),
  };
}

export function statsView(result: StatsResult): ListView<StatsLine> {
  const none = result.by === 'tag' ? '(no tag)' : '(none)';
  const label = (l: StatsLine) => (l.total ? (result.by === null ? 'all' : 'total') : (l.group ?? none));
  const cents = (v: number | null) => (v === null ? '' : formatCents(v));
  return {
    table: [
      { header: result.by ?? 'profiles', get: label },
      { header: 'count', get: (l) => String(l.count) },
      { header: 'with revenue', get: (l) => String(l.revenue_count) },
      { header: 'revenue', get: (l) => cents(l.revenue_cents) },
      { header: 'mean revenue', get: (l) => cents(l.revenue_mean_cents) },
      { header: 'sales', get: (l) => String(l.sales_count) },
      { header: 'sales total', get: (l) => cents(l.sales_total_cents) },
    ],
    json: statsJson,
    csv: [
      { header: 'group', text: true, get: (l) => l.group ?? '' },
      { header: 'total', text: false, get: (l) => (l.total ? 'true' : 'false') },
      { header: 'count', text: false, get: (l) => String(l.count) },
      { header: 'revenue_count', text: false, get: (l) => String(l.revenue_count) },
      { header: 'revenue_sum', text: false, get: (l) => cents(l.revenue_cents) },
      { header: 'revenue_mean', text: false, get: (l) => cents(l.revenue_mean_cents) },
      { header: 'sales_count', text: false, get: (l) => String(l.sales_count) },
      { header: 'sales_total', text: false, get: (l) => cents(l.sales_total_cents) },
    ],
  };
}

/** Risers and fallers: values as numbers in JSON (money in the file's currency), as decimals in tables and CSV. */
export function trendView(result: TrendResult): ListView<TrendLine> {
  const text = (v: number | null) => (v === null ? '' : result.cents ? formatCents(v) : String(v));
  const signed = (v: number | null) => (v === null ? '' : `${v > 0 ? '+' : ''}${text(v)}`);
  const number = (v: number | null) => (v === null ? null : result.cents ? v / 100 : v);
  const percent = (v: number | null) => (v === null ? '' : `${v > 0 ? '+' : ''}${v.toFixed(1)}%`);
  return {
    table: [
      { header: 'id', get: (t) => String(t.profile_id) },
      { header: 'name', get: (t) => t.name },
      { header: 'start', get: (t) => text(t.start) },
      { header: 'end', get: (t) => text(t.end) },
      { header: 'change', get: (t) => signed(t.change) },
      { header: '%', get: (t) => percent(t.percent) },
      { header: 'trend', get: (t) => (t.direction === 'up' ? '↑ up' : t.direction === 'down' ? '↓ down' : (t.direction ?? '')) },
      { header: 'changes', get: (t) => String(t.changes) },
    ],
    json: (t) => ({
      id: t.profile_id,
      name: t.name,
      field: t.field,
      since: result.since,
      start: number(t.start),
      end: number(t.end),
      change: number(t.change),
      percent: t.percent,
      direction: t.direction,
      changes: t.changes,
      first_at: t.first_at,
      last_at: t.last_at,
    }),
    csv: [
      { header: 'id', text: false, get: (t) => String(t.profile_id) },
      { header: 'name', text: true, get: (t) => t.name },
      { header: 'field', text: true, get: (t) => t.field },
      { header: 'start', text: false, get: (t) => text(t.start) },
      { header: 'end', text: false, get: (t) => text(t.end) },
      { header: 'change', text: false, get: (t) => text(t.change) },
      { header: 'percent', text: false, get: (t) => (t.percent === null ? '' : String(t.percent)) },
      { header: 'direction', text: true, get: (t) => t.direction ?? '' },
      { header: 'changes', text: false, get: (t) => String(t.changes) },
    ],
  };
}

export function segmentJson(s: SegmentInfo): Record<string, unknown> {
  return { name: s.name, where: s.where, count: s.count, ...(s.error !== undefined ? { error: s.error } : {}), created_at: s.created_at, updated_at: s.updated_at };
}

export function segmentListView(): ListView<SegmentInfo> {
  const count = (s: SegmentInfo) => (s.count === null ? '' : String(s.count));
  return {
    table: [
      { header: 'name', get: (s) => s.name },
      { header: 'count', get: (s) => (s.count === null ? `(broken: ${s.error ?? 'does not compile'})` : String(s.count)) },
      { header: 'where', get: (s) => s.where },
    ],
    json: segmentJson,
    csv: [
      { header: 'name', text: true, get: (s) => s.name },
      { header: 'where', text: true, get: (s) => s.where },
      { header: 'count', text: false, get: count },
      { header: 'updated_at', text: true, get: (s) => s.updated_at },
    ],
  };
}

/** Table, JSON (as `show` and `export --subject` print a sale) and CSV (re-importable with --key id). */
export function saleListView(): ListView<Sale> {
  const text = (v: string | null) => v ?? '';
  return {
    table: [
      { header: 'date', get: (s) => s.date },
      { header: 'amount', get: (s) => formatCents(s.amount_cents) },
      // the profile's id (a sale's own id is `id` in CSV and JSON)
      { header: 'profile_id', get: (s) => String(s.profile_id) },
      { header: 'name', get: (s) => text(s.profile_name) },
      { header: 'item', get: (s) => text(s.item) },
      { header: 'source', get: (s) => s.source },
    ],
    json: saleJson,
    csv: [
      { header: 'id', text: false, get: (s) => String(s.id) },
      { header: 'date', text: true, get: (s) => s.date },
      { header: 'profile_id', text: false, get: (s) => String(s.profile_id) },
      { header: 'name', text: true, get: (s) => text(s.profile_name) },
      { header: 'amount', text: false, get: (s) => formatCents(s.amount_cents) },
      { header: 'item', text: true, get: (s) => text(s.item) },
      { header: 'source', text: true, get: (s) => s.source },
    ],
  };
}
