/**
 * Import records in batches, as one string each, for the hand-over from the import worker to the
 * main thread. Structured cloning a batch of record objects cost the receiving thread more than
 * mapping them had cost the sender (≈20 µs a record); one string and `split` cost ≈2 µs. The
 * rare record with the separator in its text travels as an object beside the string.
 *
 * A record is a run of parts: line, raw text, then `!` and the reason for a rejected row, or the
 * fingerprint, the key cell and the values as domain/import-fingerprint.ts `plainValuesText`
 * writes them (kind, company name, tags, assignments, company's assignments).
 */
import { SEP, fieldOfCode, hashText, plainValuesText } from '../domain/import-fingerprint.js';
import type { ImportValues } from '../domain/import-mapping.js';
import { type ImportRecord, type RecordHead, headOf } from './import-profiles.js';

export interface RecordBatch {
  text: string;
  /** Records that hold the separator, with the position they take in the batch. */
  others: { at: number; record: ImportRecord }[];
  count: number;
}

/** One record's parts joined (built as one string, no arrays: this runs for every row); null when a part holds the separator. */
function recordText(record: ImportRecord, key: string): string | null {
  if (record.raw.includes(SEP)) return null;
  const head = `${record.line}${SEP}${record.raw}`;
  const result = record.result;
  if (!result.ok) return result.reason.includes(SEP) ? null : `${head}${SEP}!${SEP}${result.reason}`;
  const v = result.values;
  // the raw text has no SEP (above), so neither have the values taken from its cells
  const values = plainValuesText(v, true);
  if (values === null) return null;
  // the fingerprint is made here, from the text sent anyway (one pass over it)
  const fp = record.fp ?? hashText(values);
  return `${head}${SEP}${fp}${SEP}${headOf(v, key).keyCell}${SEP}${values}`;
}

/** Tabular rows (their values are taken from the row's text; see recordText) for the hand-over. */
export function encodeBatch(records: readonly ImportRecord[], key: string): RecordBatch {
  let text = '';
  const others: RecordBatch['others'] = [];
  records.forEach((record, at) => {
    const one = recordText(record, key);
    if (one === null) others.push({ at, record });
    else text = text === '' ? one : `${text}${SEP}${one}`;
  });
  return { text, others, count: records.length };
}

/**
 * A record as it arrives: what a re-import's short cut needs is read at once (`head`), the values
 * only when asked for (`result`), so that rows the short cut skips cost no objects.
 */
class ArrivedRecord implements ImportRecord {
  private decoded: ImportRecord['result'] | undefined;
  constructor(
    readonly line: number,
    readonly raw: string,
    readonly fp: number,
    readonly head: RecordHead,
    private readonly parts: string[],
    private readonly at: number,
  ) {}

  get result(): ImportRecord['result'] {
    this.decoded ??= { ok: true, values: valuesAt(this.parts, this.at) };
    return this.decoded;
  }
}

/** Where the values that start at `start` end: after the company's list, led by its count or `-`. */
function valuesEnd(parts: string[], start: number): number {
  let i = start + 2; // kind, company name
  i += 1 + Number(parts[i]); // tags
  i += 1 + 2 * Number(parts[i]); // assignments
  return parts[i] === '-' ? i + 1 : i + 1 + 2 * Number(parts[i]);
}

function valuesAt(parts: string[], start: number): ImportValues {
  let i = start;
  const pairs = (): { field: string; value: string }[] => {
    const n = Number(parts[i++]);
    const list: { field: string; value: string }[] = new Array(n);
    for (let k = 0; k < n; k++) {
      list[k] = { field: fieldOfCode(parts[i]!), value: parts[i + 1]! };
      i += 2;
    }
    return list;
  };
  const values: ImportValues = { kind: parts[i++] as ImportValues['kind'], set: [] };
  const companyName = parts[i++]!;
  if (companyName !== '') values.companyName = companyName;
  const tagCount = Number(parts[i++]);
  if (tagCount > 0) values.tagEdits = parts.slice(i, i + tagCount);
  i += tagCount;
  values.set = pairs();
  if (parts[i] !== '-') values.companySet = pairs();
  return values;
}

export function decodeBatch(batch: RecordBatch): ImportRecord[] {
  const parts = batch.text === '' ? [] : batch.text.split(SEP);
  const out: ImportRecord[] = [];
  let i = 0;
  let other = 0;
  while (out.length < batch.count) {
    if (other < batch.others.length && batch.others[other]!.at === out.length) {
      out.push(batch.others[other++]!.record);
      continue;
    }
    const line = Number(parts[i++]);
    const raw = parts[i++]!;
    const fp = parts[i++]!;
    if (fp === '!') {
      out.push({ line, raw, result: { ok: false, reason: parts[i++]! } });
      continue;
    }
    const keyCell = parts[i++]!;
    const end = valuesEnd(parts, i);
    const head: RecordHead = { kind: parts[i] as ImportValues['kind'], companyName: parts[i + 1]!, keyCell, companySet: parts[end - 1] !== '-' };
    out.push(new ArrivedRecord(line, raw, Number(fp), head, parts, i));
    i = end;
  }
  return out;
}

/** A batch as it crosses between threads: its text as bytes, handed over rather than cloned. */
export interface BatchBytes {
  bytes: Uint8Array;
  latin1: boolean;
  others: RecordBatch['others'];
  count: number;
}

const BEYOND_LATIN1 = /[^\u0000-\u00ff]/;

/**
 * One byte a character when every character fits (Latin-1 covers German text: a copy, no
 * encoding), else two (UTF-16); transfer `bytes.buffer`. UTF-8 cost the receiving thread 1.1 s
 * on 1M rows, and cloning the string cost the sender more than this.
 */
export function batchToBytes(batch: RecordBatch): BatchBytes {
  const latin1 = !BEYOND_LATIN1.test(batch.text);
  const bytes = Buffer.from(batch.text, latin1 ? 'latin1' : 'utf16le');
  // a buffer of its own (Buffer.from may hand out a slice of a shared pool), so it can be transferred
  const own = new Uint8Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength));
  return { bytes: own, latin1, others: batch.others, count: batch.count };
}

export function batchFromBytes(m: BatchBytes): RecordBatch {
  const bytes = Buffer.from(m.bytes.buffer, m.bytes.byteOffset, m.bytes.byteLength);
  return { text: bytes.toString(m.latin1 ? 'latin1' : 'utf16le'), others: m.others, count: m.count };
}
