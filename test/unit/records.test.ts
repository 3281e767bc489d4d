/**
 * Profiles as users and scripts see them: toPublicRecord is written out field by field for speed,
 * so it is held here to the field catalogue (every field, in its order, money in currency units).
 */
import { describe, expect, it } from 'vitest';
import { FIELDS, FIELD_NAMES } from '../../src/domain/fields.js';
import type { Profile } from '../../src/domain/profile.js';
import { toPublicRecord } from '../../src/ui/records.js';

/** What toPublicRecord must give: each field of FIELDS in order, money divided by 100. */
function fromCatalogue(p: Profile): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const f of FIELDS) {
    const value = (p as unknown as Record<string, unknown>)[f.name];
    out[f.name] = f.type === 'money' && typeof value === 'number' ? value / 100 : value;
  }
  return out;
}

/** Every field with a distinct value, so a field read from the wrong property shows. */
function profile(extra: Partial<Profile> = {}): Profile {
  const p: Record<string, unknown> = {};
  FIELD_NAMES.forEach((name, i) => (p[name] = `${name}-${i}`));
  return { ...(p as unknown as Profile), id: 7, company_id: 3, decision_maker: true, revenue: 250000050, headcount: 40, tags: ['vip', 'key-account'], custom: { farbe: 'grün' }, sales_total: 1999, sales_count: 2, ...extra };
}

describe('toPublicRecord', () => {
  it('has every field of the catalogue, in its order', () => {
    expect(Object.keys(toPublicRecord(profile()))).toEqual(FIELD_NAMES);
  });

  it.each([
    ['all fields set', profile()],
    ['money empty', profile({ revenue: null })],
    ['a person', profile({ kind: 'person', revenue: null, headcount: null, decision_maker: false, tags: [], custom: {}, sales_total: 0, sales_count: 0 })],
  ])('matches the catalogue field by field: %s', (_, p) => {
    expect(toPublicRecord(p)).toStrictEqual(fromCatalogue(p));
    expect(JSON.stringify(toPublicRecord(p))).toBe(JSON.stringify(fromCatalogue(p)));
  });

  it('gives money in currency units', () => {
    expect(toPublicRecord(profile()).revenue).toBe(2500000.5);
    expect(toPublicRecord(profile()).sales_total).toBe(19.99);
  });
});
