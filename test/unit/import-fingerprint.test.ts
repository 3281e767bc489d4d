import { describe, expect, it } from 'vitest';
import { importFingerprint } from '../../src/domain/import-fingerprint.js';
import type { ImportValues } from '../../src/domain/import-mapping.js';

const base: ImportValues = {
  kind: 'person',
  set: [{ field: 'external_id', value: 'K-1' }, { field: 'city', value: 'Görlitz' }, { field: 'postcode', value: '02826' }],
  tagEdits: ['+vip'],
  companyName: 'Elbwerk GmbH',
};

describe('importFingerprint', () => {
  it('is a safe integer of at most 52 bits, the same for the same values', () => {
    const fp = importFingerprint(base);
    expect(Number.isSafeInteger(fp)).toBe(true);
    expect(fp).toBeGreaterThanOrEqual(0);
    expect(fp).toBeLessThan(2 ** 52);
    expect(importFingerprint(structuredClone(base))).toBe(fp);
  });

  it('differs for every difference a row can make', () => {
    const variants: ImportValues[] = [
      { ...base, kind: 'company' },
      { ...base, companyName: 'Elbwerk AG' },
      { ...base, companyName: undefined },
      { ...base, tagEdits: [] },
      { ...base, tagEdits: ['+vip', '+neu'] },
      { ...base, set: [...base.set.slice(0, 2), { field: 'postcode', value: '2826' }] },
      { ...base, set: [...base.set.slice(0, 2), { field: 'region', value: '02826' }] },
      { ...base, set: base.set.slice(0, 2) },
      { ...base, companySet: [] },
      { ...base, companySet: [{ field: 'industry', value: 'Bau' }] },
      // parts are led by their length: moving text from one part to the next is a difference
      { ...base, set: [{ field: 'external_id', value: 'K-1c' }, { field: 'ity', value: 'Görlitz' }, base.set[2]!] },
      // the separator inside a value: written out by length instead
      { ...base, set: [...base.set.slice(0, 2), { field: 'postcode', value: '02826\u0001' }] },
      { ...base, set: [...base.set.slice(0, 2), { field: 'postcode', value: '\u000102826' }] },
    ];
    const fps = new Set([importFingerprint(base), ...variants.map(importFingerprint)]);
    expect(fps.size).toBe(variants.length + 1);
  });

  it('an empty company name is no company, as the import treats it', () => {
    expect(importFingerprint({ ...base, companyName: '' })).toBe(importFingerprint({ ...base, companyName: undefined }));
  });
});
