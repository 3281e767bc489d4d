import { describe, expect, it } from 'vitest';
import type { ImportRecord } from '../../src/app/import-profiles.js';
import { nextMode } from '../../src/app/import-in-worker.js';
import { type Remap, type Tally, type UnmappedRow, batchFromBytes, batchToBytes, decodeBatch, encodeBatch } from '../../src/app/record-batches.js';

const records: ImportRecord[] = [
  { line: 2, raw: 'K-1,person,Jörg,Müller,01067', result: { ok: true, values: { kind: 'person', set: [{ field: 'external_id', value: 'K-1' }, { field: 'postcode', value: '01067' }, { field: 'custom.Farbe', value: '' }] } }, fp: 4503599627370495 },
  { line: 3, raw: 'bad row', result: { ok: false, reason: 'birthday: 2026-02-30 is not a date' } },
  {
    line: 5,
    raw: '"multi\nline",x',
    result: {
      ok: true,
      values: { kind: 'person', set: [{ field: 'notes', value: 'multi\nline' }], tagEdits: ['+vip', '+newsletter'], companyName: 'Bäckerei GmbH', companySet: [{ field: 'industry', value: 'Bau' }] },
    },
    fp: 1234,
  },
  { line: 6, raw: 'company row', result: { ok: true, values: { kind: 'company', set: [{ field: 'name', value: 'ACME' }], companySet: [] } }, fp: 0 },
  // the separator itself inside a cell travels beside the string
  { line: 7, raw: 'sep\u0001inside', result: { ok: true, values: { kind: 'person', set: [{ field: 'name', value: 'a\u0001b' }] } } },
  { line: 8, raw: '', result: { ok: false, reason: '' } },
];

/** What arrives: a rejected row without its fingerprint. */
const arrived = (list: ImportRecord[]) => list.map((r) => (r.result.ok ? r : { line: r.line, raw: r.raw, result: r.result }));
/** A decoded record as plain data (its values are decoded when first asked for). */
const plain = (list: ImportRecord[]) => list.map((r) => (r.fp === undefined ? { line: r.line, raw: r.raw, result: r.result } : { line: r.line, raw: r.raw, result: r.result, fp: r.fp }));
const KEY = 'external_id';

describe('record batches', () => {
  it('decode gives back what was encoded, in order, with the separator inside a cell', () => {
    const batch = encodeBatch(records, KEY);
    expect(batch.count).toBe(records.length);
    expect(batch.others.map((o) => o.at)).toEqual([4]);
    expect(plain(decodeBatch(batch))).toEqual(arrived(records));
    expect(decodeBatch(batch)[0]!.fp).toBe(4503599627370495);
  });

  it('a record tells the short cut its key cell ahead of its values', () => {
    const got = decodeBatch(encodeBatch(records, KEY));
    expect(got[0]!.head).toEqual({ keyCell: 'K-1' });
    expect(got[1]!.head).toBeUndefined(); // rejected
    expect(got[2]!.head).toEqual({ keyCell: '' });
    expect(decodeBatch(encodeBatch(records, 'postcode'))[0]!.head!.keyCell).toBe('01067');
  });

  it('rows sent unmapped are mapped on arrival only when their values are asked for, and counted', () => {
    const unmapped: UnmappedRow = { line: 9, raw: 'K-9,Ann', fp: 4503599627370494, keyCell: 'K-9', unmapped: true };
    const asked: [number, string][] = [];
    const remap: Remap = (line, raw) => {
      asked.push([line, raw]);
      return { ok: true, values: { kind: 'person', set: [{ field: 'name', value: raw.slice(4) }] } };
    };
    const tally: Tally = { mapped: 0 };
    const got = decodeBatch(encodeBatch([records[0]!, unmapped, records[1]!, { ...unmapped, line: 10 }], KEY), remap, tally);
    expect(got.map((r) => [r.line, r.raw, r.fp, r.head])).toEqual([
      [2, records[0]!.raw, 4503599627370495, { keyCell: 'K-1' }],
      [9, 'K-9,Ann', 4503599627370494, { keyCell: 'K-9' }],
      [3, 'bad row', undefined, undefined],
      [10, 'K-9,Ann', 4503599627370494, { keyCell: 'K-9' }],
    ]);
    expect(asked).toEqual([]);
    expect(tally.mapped).toBe(1); // the rejected row came with its result
    expect(got[1]!.result).toEqual({ ok: true, values: { kind: 'person', set: [{ field: 'name', value: 'Ann' }] } });
    expect(got[1]!.result.ok).toBe(true); // asked twice, mapped once
    expect(got[0]!.result).toEqual(records[0]!.result);
    expect(asked).toEqual([[9, 'K-9,Ann']]);
    expect(tally.mapped).toBe(3);
    // without a way to map them, unmapped rows are a mistake of the sender
    expect(() => decodeBatch(encodeBatch([unmapped], KEY))).toThrow(/unmapped/);
    expect(() => encodeBatch([{ ...unmapped, raw: 'a\u0001b' }], KEY)).toThrow(/mapped/);
  });

  it('an empty batch and a batch of only odd records', () => {
    expect(plain(decodeBatch(encodeBatch([], KEY)))).toEqual([]);
    const odd = [records[4]!, records[4]!];
    expect(plain(decodeBatch(encodeBatch(odd, KEY)))).toEqual(odd);
  });

  it('survives a structured clone, as between threads', () => {
    const batch = structuredClone(encodeBatch(records, KEY));
    expect(plain(decodeBatch(batch))).toEqual(arrived(records));
  });
});

describe('batches as bytes between threads', () => {
  it('Latin-1 text one byte a character, anything else two; both come back as they were', () => {
    const latin = encodeBatch([records[0]!], KEY);
    const asBytes = batchToBytes(latin);
    expect(asBytes.latin1).toBe(true);
    expect(asBytes.bytes.byteLength).toBe(latin.text.length);
    expect(batchFromBytes(structuredClone(asBytes))).toEqual(latin);
    const wide: ImportRecord = { line: 9, raw: 'Łukasz,€,😀', result: { ok: true, values: { kind: 'person', set: [{ field: 'name', value: 'Łukasz 😀' }, { field: 'city', value: 'Kraków' }] } }, fp: 42 };
    const mixed = encodeBatch([records[0]!, wide], KEY);
    const wideBytes = batchToBytes(mixed);
    expect(wideBytes.latin1).toBe(false);
    expect(wideBytes.bytes.byteLength).toBe(2 * mixed.text.length);
    expect(plain(decodeBatch(batchFromBytes(structuredClone(wideBytes))))).toEqual(arrived([records[0]!, wide]));
  });
});

describe('nextMode: what the worker sends after a batch', () => {
  it('unmapped while at most half the rows had to be mapped; mapped again below one in ten', () => {
    expect(nextMode(true, 0, 500)).toBe(true);
    expect(nextMode(true, 250, 500)).toBe(true);
    expect(nextMode(true, 251, 500)).toBe(false);
    expect(nextMode(false, 500, 500)).toBe(false);
    expect(nextMode(false, 50, 500)).toBe(false);
    expect(nextMode(false, 49, 500)).toBe(true);
  });
});
