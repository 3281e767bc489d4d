/**
 * Import records in batches, as one text each, for the hand-over from the import worker to the
 * main thread (as bytes: batchToBytes). Structured cloning a batch of record objects cost the
 * receiving thread more than mapping them had cost the sender (≈20 µs a record); one text and
 * `split` cost ≈2 µs. The rare record with the separator in its text travels as an object beside it.
 *
 * A record is a run of parts: line, raw text, then
 * - `!` and the reason, for a rejected row;
 * - the fingerprint, the key cell and the values as domain/import-fingerprint.ts `plainValuesText`
 *   writes them (kind, company name, tags, assignments, company's assignments), for a mapped row;
 * - `~` and the fingerprint, then the key cell, for a row the worker did not map (an `UnmappedRow`,
 *   sent while a re-import's rows are mostly unchanged): the main thread maps it from its raw text
 *   only if the short cut cannot skip it.
 */
import { SEP, fieldOfCode, plainValuesText } from '../domain/import-fingerprint.js';
import type { ImportValues } from '../domain/import-mapping.js';
import { type ImportRecord, type RecordHead, headOf } from './import-profiles.js';

/** A row sent unmapped: what the re-import short cut reads, and the raw text to map it from. */
export interface UnmappedRow {
  line: number;
  raw: string;
  fp: number;
  keyCell: string;
  unmapped: true;
}

export interface RecordBatch {
  text: string;
  /** Records that hold the separator, with the position they take in the batch. */
  others: { at: number; record: ImportRecord }[];
  count: number;
}

/** One record's parts joined (built as one string, no arrays: this runs for every row); null when a part holds the separator. */
function recordText(record: ImportRecord | UnmappedRow, key: string): string | null {
  if (record.raw.includes(SEP)) return null;
  const head = `${record.line}${SEP}${record.raw}`;
  // the key cell is the raw text's (less quotes and space): no SEP either
  if ('unmapped' in record) return `${head}${SEP}~${record.fp}${SEP}${record.keyCell}`;
  const result = record.result;
  if (!result.ok) return result.reason.includes(SEP) ? null : `${head}${SEP}!${SEP}${result.reason}`;
  const v = result.values;
  // the raw text has no SEP (above), so neither have the values taken from its cells
  const values = plainValuesText(v, true);
  if (values === null) return null;
  return `${head}${SEP}${record.fp!}${SEP}${headOf(v, key).keyCell}${SEP}${values}`;
}

/** Tabular rows (their values are taken from the row's text; see recordText) for the hand-over; each mapped one has its `fp`. */
export function encodeBatch(records: readonly (ImportRecord | UnmappedRow)[], key: string): RecordBatch {
  let text = '';
  const others: RecordBatch['others'] = [];
  records.forEach((record, at) => {
    const one = recordText(record, key);
    if (one === null) {
      if ('unmapped' in record) throw new Error('encodeBatch: a row whose text holds the separator must be sent mapped');
      others.push({ at, record });
    }
    else text = text === '' ? one : `${text}${SEP}${one}`;
  });
  return { text, others, count: records.length };
}

/** Counts the records whose values the main thread asked for (import-in-worker.ts chooses what the worker sends by it). */
export interface Tally {
  mapped: number;
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
    private readonly tally: Tally,
  ) {}

  get result(): ImportRecord['result'] {
    if (this.decoded === undefined) {
      this.tally.mapped++;
      this.decoded = { ok: true, values: valuesAt(this.parts, this.at) };
    }
    return this.decoded;
  }
}

/** Maps a row sent unmapped, from its line and raw text (import-in-worker.ts). */
export type Remap = (line: number, raw: string) => ImportRecord['result'];

/** A row the worker sent unmapped (UnmappedRow): mapped here when its values are asked for. */
class UnmappedRecord implements ImportRecord {
  private mapped: ImportRecord['result'] | undefined;
  constructor(
    readonly line: number,
    readonly raw: string,
    readonly fp: number,
    readonly head: RecordHead,
    private readonly remap: Remap,
    private readonly tally: Tally,
  ) {}

  get result(): ImportRecord['result'] {
    if (this.mapped === undefined) {
      this.tally.mapped++;
      this.mapped = this.remap(this.line, this.raw);
    }
    return this.mapped;
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

/** A batch's records; `remap` maps the rows sent unmapped, `tally` counts the records whose values are read. */
export function decodeBatch(batch: RecordBatch, remap: Remap | null = null, tally: Tally = { mapped: 0 }): ImportRecord[] {
  const parts = batch.text === '' ? [] : batch.text.split(SEP);
  const out: ImportRecord[] = [];
  let i = 0;
  let other = 0;
  while (out.length < batch.count) {
    if (other < batch.others.length && batch.others[other]!.at === out.length) {
      tally.mapped++;
      out.push(batch.others[other++]!.record);
      continue;
    }
    const line = Number(parts[i++]);
    const raw = parts[i++]!;
    const fp = parts[i++]!;
    if (fp === '!') {
      tally.mapped++;
      out.push({ line, raw, result: { ok: false, reason: parts[i++]! } });
      continue;
    }
    const keyCell = parts[i++]!;
    if (fp.charCodeAt(0) === 126 /* ~ */) {
      if (remap === null) throw new Error('decodeBatch: a row came unmapped, and there is no mapping to map it with');
      out.push(new UnmappedRecord(line, raw, Number(fp.slice(1)), { keyCell }, remap, tally));
      continue;
    }
    const end = valuesEnd(parts, i);
    out.push(new ArrivedRecord(line, raw, Number(fp), { keyCell }, parts, i, tally));
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
