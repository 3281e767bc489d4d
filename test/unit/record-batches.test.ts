import { describe, expect, it } from 'vitest';
import type { ImportRecord } from '../../src/app/import-profiles.js';
import { decodeBatch, encodeBatch } from '../../src/app/record-batches.js';

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
  },
  { line: 6, raw: 'company row', result: { ok: true, values: { kind: 'company', set: [{ field: 'name', value: 'ACME' }], companySet: [] } }, fp: 0 },
  // the separator itself inside a cell travels beside the string
  { line: 7, raw: 'sep\u0001inside', result: { ok: true, values: { kind: 'person', set: [{ field: 'name', value: 'a\u0001b' }] } } },
  { line: 8, raw: '', result: { ok: false, reason: '' } },
];

describe('record batches', () => {
  it('decode gives back what was encoded, in order, with the separator inside a cell', () => {
    const batch = encodeBatch(records);
    expect(batch.count).toBe(records.length);
    expect(batch.others.map((o) => o.at)).toEqual([4]);
    expect(decodeBatch(batch)).toEqual(records);
  });

  it('an empty batch and a batch of only odd records', () => {
    expect(decodeBatch(encodeBatch([]))).toEqual([]);
    const odd = [records[4]!, records[4]!];
    expect(decodeBatch(encodeBatch(odd))).toEqual(odd);
  });

  it('survives a structured clone, as between threads', () => {
    const batch = structuredClone(encodeBatch(records));
    expect(decodeBatch(batch)).toEqual(records);
  });
});
