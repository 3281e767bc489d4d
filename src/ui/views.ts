/**
 * How each kind of record is shown: the columns of a table, the JSON shape, the CSV columns.
 */
import type { ProfileView } from '../app/show-profile.js';
import type { HistoryLine } from '../app/history.js';
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

export function historyView(): ListView<HistoryLine> {
  return {
    table: [
      { header: 'when', get: (h) => h.at.slice(0, 16).replace('T', ' ') },
      { header: 'id', get: (h) => String(h.profile_id) },
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
    const text = valueText(p, f.name);
    if (text !== '') pairs.push([f.name, text]);
  }
  if (p.tags.length > 0) pairs.push(['tags', p.tags.join(', ')]);
  for (const [k, v] of Object.entries(p.custom)) pairs.push([`custom.${k}`, v]);
  if (p.sales_count > 0) pairs.push(['sales', `${p.sales_count} totalling ${formatCents(p.sales_total)}, last ${p.last_sale}`]);
  let text = renderPairs(`${p.name}  ${subtitle}`, pairs, color);
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
      view.changes.map((h) => [h.at.slice(0, 16).replace('T', ' '), h.field === '*' ? (h.action === 'create' ? '(created)' : '(removed)') : h.field, h.field === '*' ? '' : dash(h.old_value), h.field === '*' ? '' : dash(h.new_value), h.source]), color, out.stream.columns);
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
  for (const key of customKeys) cols.push({ header: fieldNames.has(key) ? `custom.${key}` : key, kind: 'text', get: (p) => p.custom[key] ?? null });
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
