import { describe, expect, it } from 'vitest';
import { hashFrom, importFingerprint, linkedByRow, rowSeed, sameRow, storedFingerprint } from '../../src/domain/import-fingerprint.js';
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
    expect(fp % 2).toBe(0); // the lowest bit is storedFingerprint's
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

describe('a row fingerprint: raw text under a seed', () => {
  const raw = 'K-1,person,Elbwerk GmbH,Anna,Lang,anna@elbwerk.de,02826';

  it('the same text under the same seed is the same; any other seed or text differs', () => {
    const seed = rowSeed('["0.1.0","csv,",7]');
    const fp = hashFrom(seed, raw);
    expect(Number.isSafeInteger(fp) && fp >= 0 && fp < 2 ** 52 && fp % 2 === 0).toBe(true);
    expect(hashFrom(rowSeed('["0.1.0","csv,",7]'), raw)).toBe(fp);
    const others = [
      hashFrom(rowSeed('["0.1.1","csv,",7]'), raw), // another version of the program
      hashFrom(rowSeed('["0.1.0","csv;",7]'), raw), // another dialect
      hashFrom(seed, raw.replace('02826', '2826')),
      hashFrom(seed, `${raw} `),
      hashFrom(seed, raw.slice(1)),
      // the seed ends where the text begins
      hashFrom(rowSeed('["0.1.0","csv,",7]K'), raw.slice(1)),
    ];
    expect(new Set([fp, ...others]).size).toBe(others.length + 1);
  });

  it('what a profile keeps: the lowest bit for a person linked by name, nothing for a row that sets its company', () => {
    const fp = hashFrom(rowSeed('s'), raw);
    const linked = storedFingerprint(fp, base)!;
    expect(linked).toBe(fp + 1);
    expect(linkedByRow(linked)).toBe(true);
    expect(sameRow(linked, fp)).toBe(true);
    const alone = storedFingerprint(fp, { ...base, companyName: ' ' })!;
    expect(alone).toBe(fp);
    expect(linkedByRow(alone)).toBe(false);
    expect(storedFingerprint(fp, { ...base, kind: 'company' })).toBe(fp); // a company's own row
    expect(storedFingerprint(fp, { ...base, companySet: [{ field: 'industry', value: 'Bau' }] })).toBeNull();
    expect(sameRow(null, fp)).toBe(false);
    expect(sameRow(fp + 2, fp)).toBe(false);
    expect(sameRow(linked, fp + 1)).toBe(true);
  });
});
