import { describe, expect, it } from 'vitest';
import type { ImportRecord } from '../../src/app/import-profiles.js';
import { decodeBatch, encodeBatch } from '../../src/app/record-batches.js';
import { importFingerprint } from '../../src/domain/import-fingerprint.js';

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

/** What arrives: each record that travelled in the text carries its fingerprint (made on the way when it had none). */
const arrived = (list: ImportRecord[]) =>
  list.map((r) => (r.result.ok && !r.raw.includes('\u0001') ? { ...r, fp: r.fp ?? importFingerprint(r.result.values) } : r));
/** A decoded record as plain data (its values are decoded when first asked for). */
const plain = (list: ImportRecord[]) => list.map((r) => (r.fp === undefined ? { line: r.line, raw: r.raw, result: r.result } : { line: r.line, raw: r.raw, result: r.result, fp: r.fp }));
const KEY = 'external_id';

describe('record batches', () => {
  it('decode gives back what was encoded, in order, with the separator inside a cell', () => {
    const batch = encodeBatch(records, KEY);
    expect(batch.count).toBe(records.length);
    expect(batch.others.map((o) => o.at)).toEqual([4]);
    expect(plain(decodeBatch(batch))).toEqual(arrived(records));
    expect(decodeBatch(batch)[0]!.fp).toBe(4503599627370495); // one made before is kept
  });

  it('a record tells the short cut its key cell, kind, company and whether it sets company fields, ahead of its values', () => {
    const got = decodeBatch(encodeBatch(records, KEY));
    expect(got[0]!.head).toEqual({ kind: 'person', companyName: '', keyCell: 'K-1', companySet: false });
    expect(got[1]!.head).toBeUndefined(); // rejected
    expect(got[2]!.head).toEqual({ kind: 'person', companyName: 'Bäckerei GmbH', keyCell: '', companySet: true });
    expect(got[3]!.head).toEqual({ kind: 'company', companyName: '', keyCell: '', companySet: true });
    expect(decodeBatch(encodeBatch(records, 'postcode'))[0]!.head!.keyCell).toBe('01067');
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
