/**
 * Import records in batches, as one string each, for the hand-over from the import worker to the
 * main thread. Structured cloning a batch of record objects cost the receiving thread more than
 * mapping them had cost the sender (≈20 µs a record); one string and `split` cost ≈2 µs. The
 * rare record with the separator in its text travels as an object beside the string.
 *
 * A record is a run of parts: line, raw text, then `!` and the reason for a rejected row, or the
 * kind, the fingerprint (empty: none), the company name (empty: none), the tags, the assignments
 * and the company's assignments, each list led by its length (`-` for an absent company list).
 */
import type { ImportValues } from '../domain/import-mapping.js';
import type { ImportRecord } from './import-profiles.js';

const SEP = '\u0001';

export interface RecordBatch {
  text: string;
  /** Records that hold the separator, with the position they take in the batch. */
  others: { at: number; record: ImportRecord }[];
  count: number;
}

/** Appends pairs, led by their count; false when a part holds the separator. */
function pairsText(pairs: readonly { field: string; value: string }[], out: { text: string }): boolean {
  let text = `${SEP}${pairs.length}`;
  for (const p of pairs) {
    if (p.field.includes(SEP) || p.value.includes(SEP)) return false;
    text += `${SEP}${p.field}${SEP}${p.value}`;
  }
  out.text += text;
  return true;
}

/** One record's parts joined (built as one string, no arrays: this runs for every row); null when a part holds the separator. */
function recordText(record: ImportRecord): string | null {
  if (record.raw.includes(SEP)) return null;
  const head = `${record.line}${SEP}${record.raw}`;
  const result = record.result;
  if (!result.ok) return result.reason.includes(SEP) ? null : `${head}${SEP}!${SEP}${result.reason}`;
  const v = result.values;
  const company = v.companyName ?? '';
  if (company.includes(SEP)) return null;
  const out = { text: `${head}${SEP}${v.kind}${SEP}${record.fp === undefined ? '' : record.fp}${SEP}${company}` };
  const tags = v.tagEdits ?? [];
  out.text += `${SEP}${tags.length}`;
  for (const t of tags) {
    if (t.includes(SEP)) return null;
    out.text += `${SEP}${t}`;
  }
  if (!pairsText(v.set, out)) return null;
  if (v.companySet === undefined) out.text += `${SEP}-`;
  else if (!pairsText(v.companySet, out)) return null;
  return out.text;
}

export function encodeBatch(records: readonly ImportRecord[]): RecordBatch {
  let text = '';
  const others: RecordBatch['others'] = [];
  records.forEach((record, at) => {
    const one = recordText(record);
    if (one === null) others.push({ at, record });
    else text = text === '' ? one : `${text}${SEP}${one}`;
  });
  return { text, others, count: records.length };
}

export function decodeBatch(batch: RecordBatch): ImportRecord[] {
  const parts = batch.text === '' ? [] : batch.text.split(SEP);
  const out: ImportRecord[] = [];
  let i = 0;
  let other = 0;
  const pairs = (): { field: string; value: string }[] => {
    const n = Number(parts[i++]);
    const list: { field: string; value: string }[] = new Array(n);
    for (let k = 0; k < n; k++) {
      list[k] = { field: parts[i]!, value: parts[i + 1]! };
      i += 2;
    }
    return list;
  };
  while (out.length < batch.count) {
    if (other < batch.others.length && batch.others[other]!.at === out.length) {
      out.push(batch.others[other++]!.record);
      continue;
    }
    const line = Number(parts[i++]);
    const raw = parts[i++]!;
    const kind = parts[i++]!;
    if (kind === '!') {
      out.push({ line, raw, result: { ok: false, reason: parts[i++]! } });
      continue;
    }
    const values: ImportValues = { kind: kind as ImportValues['kind'], set: [] };
    const fp = parts[i++]!;
    const companyName = parts[i++]!;
    if (companyName !== '') values.companyName = companyName;
    const tagCount = Number(parts[i++]);
    if (tagCount > 0) values.tagEdits = parts.slice(i, i + tagCount);
    i += tagCount;
    values.set = pairs();
    if (parts[i] === '-') i++;
    else values.companySet = pairs();
    out.push(fp === '' ? { line, raw, result: { ok: true, values } } : { line, raw, result: { ok: true, values }, fp: Number(fp) });
  }
  return out;
}
