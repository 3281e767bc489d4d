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

function pushPairs(parts: string[], pairs: readonly { field: string; value: string }[]): void {
  parts.push(String(pairs.length));
  for (const p of pairs) parts.push(p.field, p.value);
}

function partsOf(record: ImportRecord): string[] {
  const parts = [String(record.line), record.raw];
  const result = record.result;
  if (!result.ok) {
    parts.push('!', result.reason);
    return parts;
  }
  const v = result.values;
  parts.push(v.kind, record.fp === undefined ? '' : String(record.fp), v.companyName ?? '');
  const tags = v.tagEdits ?? [];
  parts.push(String(tags.length), ...tags);
  pushPairs(parts, v.set);
  if (v.companySet === undefined) parts.push('-');
  else pushPairs(parts, v.companySet);
  return parts;
}

export function encodeBatch(records: readonly ImportRecord[]): RecordBatch {
  const all: string[] = [];
  const others: RecordBatch['others'] = [];
  records.forEach((record, at) => {
    const parts = partsOf(record);
    if (parts.some((p) => p.includes(SEP))) others.push({ at, record });
    else for (const p of parts) all.push(p);
  });
  return { text: all.join(SEP), others, count: records.length };
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
