/**
 * The columns of a CSV of profiles (ui/records.ts, csvColumns): what each cell holds.
 */
import { describe, expect, it } from 'vitest';
import { emptyDraft } from '../../src/domain/profile.js';
import type { Profile } from '../../src/domain/profile.js';
import { csvHeader, csvRows } from '../../src/ui/csv.js';
import { csvColumns } from '../../src/ui/records.js';

function profile(fields: Partial<Profile>): Profile {
  return {
    ...emptyDraft('person'),
    id: 7,
    name: 'Anna Müller',
    company: null,
    sales_total: 0,
    sales_count: 0,
    last_sale: null,
    created_at: '2026-11-22T10:00:00.000Z',
    updated_at: '2026-11-22T10:00:00.000Z',
    ...fields,
  } as Profile;
}

describe('csvColumns', () => {
  it('a custom field named like a member of Object is empty where a profile lacks it', () => {
    const columns = csvColumns(['constructor', 'toString']);
    const text = csvRows([profile({ custom: { constructor: 'c' } }), profile({ custom: {} })], columns);
    expect(csvHeader(columns).trimEnd().split(',').slice(-2)).toEqual(['constructor', 'toString']);
    const [first, second] = text.trimEnd().split('\n').map((line) => line.split(',').slice(-2));
    expect(first).toEqual(['c', '']);
    expect(second).toEqual(['', '']);
  });
});
