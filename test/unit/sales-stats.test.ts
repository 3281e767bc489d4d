/**
 * The pure pieces behind sales imports, stats and trends: amount cells, the decimal separator,
 * the column mapping, one row, the exact mean, and a profile's trend. Tables of cases.
 */
import { describe, expect, it } from 'vitest';
import { compareTrends, foldTrend, trendParser } from '../../src/app/history.js';
import { ClaimedIds } from '../../src/app/claimed-ids.js';
import { decideDecimal, mapSalesHeaders, parseSaleCell, saleRow } from '../../src/app/import-sales.js';
import { segmentsUsed } from '../../src/app/segments.js';
import { meanCents } from '../../src/app/stats.js';
import { parseWhere } from '../../src/domain/filter/parser.js';
import type { TrendEntry } from '../../src/storage/stats-repo.js';

describe('parseSaleCell', () => {
  const cases: [string, ',' | '.' | undefined, number | RegExp][] = [
    ['0,10', ',', 10],
    ['0.10', '.', 10],
    ['19.99', undefined, 1999],
    ['-2,50', ',', -250],
    ["'-2.50", '.', -250], // our CSV's formula guard comes off
    ['€ 1.234,56', ',', 123456],
    ['$1,234.56', '.', 123456],
    ['1.500', ',', 150000],
    ['1.500', '.', 150],
    ['1,500', '.', 150000],
    ['1,500', ',', 150],
    ['1.500.000', ',', 150000000],
    ['1,500,000', '.', 150000000],
    ['1.500.000', undefined, 150000000],
    // the sheet's decimal separator cannot also group thousands
    ['1.500.000', '.', /"\." is the decimal separator of this sheet's amounts/],
    ['1,500,000', ',', /"," is the decimal separator/],
    ['1.500', undefined, /thousands or three decimals/],
    ['1.234', '.', /more than two decimals/],
    ['119.00000000000001', '.', 11900],
    ['0.30000000000000004', undefined, 30],
    ['12.3456789012', '.', /more than two decimals/],
    ['', ',', /empty/],
    ['viel', ',', /not a number/],
  ];
  for (const [text, decimal, expected] of cases) {
    it(`${JSON.stringify(text)} with decimal ${decimal ?? 'unknown'}`, () => {
      const r = parseSaleCell(text, decimal);
      if (typeof expected === 'number') expect(r).toEqual({ cents: expected });
      else expect('reason' in r && r.reason).toMatch(expected);
    });
  }
});

describe('decideDecimal', () => {
  const cases: [string[], string | undefined, ',' | '.' | undefined][] = [
    [['12,50', '3'], ',', ','],
    [['12.50', '3'], ';', '.'], // the amounts outweigh the delimiter
    [['1.234,50'], '\t', ','],
    [['1,234.50'], '\t', '.'],
    [['1.500', '7'], ';', ','],
    [['1,500', '7'], ',', undefined], // a ',' sheet shows no decimal of its own: 1.500 there is ambiguous
    [['19.99', '1.500'], ',', '.'],
    [['1.500'], '\t', undefined],
    [['12,50', '12.50'], '\t', undefined],
  ];
  for (const [samples, delimiter, expected] of cases) {
    it(`${samples.join(' ')} in a ${JSON.stringify(delimiter)} sheet → ${expected ?? 'unknown'}`, () => {
      expect(decideDecimal(samples, delimiter)).toBe(expected);
    });
  }
});

describe('mapSalesHeaders', () => {
  it('reads German and English headers; the key is external_id when present, else email', () => {
    const m = mapSalesHeaders(['Kundennr', 'Datum', 'Betrag', 'Artikel', 'Bemerkung']);
    expect([m.key, m.keyColumn.index, m.date.index, m.amount.index, m.item?.index, m.ignored]).toEqual(['external_id', 0, 1, 2, 3, ['Bemerkung']]);
    const e = mapSalesHeaders(['E-Mail', 'Rechnungsdatum', 'Summe', 'Produkt']);
    expect([e.key, e.keyColumn.header, e.date.header, e.amount.header, e.item?.header]).toEqual(['email', 'E-Mail', 'Rechnungsdatum', 'Summe', 'Produkt']);
  });

  it('--key id reads profile_id, never a bare id column', () => {
    const m = mapSalesHeaders(['id', 'date', 'profile_id', 'name', 'amount', 'item', 'source'], { key: 'id' });
    expect(m.keyColumn).toEqual({ index: 2, header: 'profile_id' });
    expect(m.ignored).toEqual(['id', 'name', 'source']);
  });

  it('--map names columns and ignores others', () => {
    const m = mapSalesHeaders(['Kunde', 'Tag', 'Wert', 'Brutto'], { key: 'name', map: { Tag: 'date', Wert: 'amount', Brutto: '-' } });
    expect([m.keyColumn.index, m.date.index, m.amount.index, m.item]).toEqual([0, 1, 2, null]);
  });

  const refused: [string[], Record<string, unknown>, RegExp][] = [
    [['Kundennr', 'Datum'], {}, /amount column/],
    [['Betrag', 'Datum'], {}, /external_id or email column/],
    [['Kundennr', 'Datum', 'Brutto', 'Netto'], {}, /both look like the amount/],
    [['Kundennr', 'Datum', 'Betrag'], { key: 'email' }, /email column for --key email/],
    [['Kundennr', 'Datum', 'Betrag'], { key: 'nonsense' }, /--key/],
    [['Kundennr', 'Datum', 'Betrag'], { map: { Nope: 'date' } }, /does not have/],
    [['Kundennr', 'Datum', 'Betrag'], { map: { Betrag: 'price' } }, /map to date, amount, item/],
  ];
  for (const [headers, options, message] of refused) {
    it(`refuses ${headers.join(',')} ${JSON.stringify(options)}`, () => {
      expect(() => mapSalesHeaders(headers, options as never)).toThrow(message);
    });
  }
});

describe('saleRow', () => {
  const mapping = mapSalesHeaders(['Kundennr', 'Datum', 'Betrag', 'Artikel']);
  const ctx = { today: '2026-11-22', decimal: ',' as const };
  const cases: [string[], unknown][] = [
    [['K1', '01.03.2026', '0,10', ' Kaffee '], { ok: true, values: { key: 'K1', date: '2026-03-01', amount_cents: 10, item: 'Kaffee' } }],
    [['K1', '2026-11-22', '-5', ''], { ok: true, values: { key: 'K1', date: '2026-11-22', amount_cents: -500, item: null } }],
    [['', '2026-03-01', '1', ''], { ok: false, reason: 'its external_id cell is empty' }],
    [['K1', '', '1', ''], { ok: false, reason: 'date: the cell is empty' }],
    [['K1', '31.02.2026', '1', ''], { ok: false, reason: 'date: not a date' }],
    [['K1', '2026-11-23', '1', ''], { ok: false, reason: 'date: is after today' }],
    [['K1', '2026-03-01', '1'], { ok: false, reason: 'has 3 cells where the header has 4' }],
    [['K1', '2026-03-01', '1', 'a\u0000b'], { ok: false, reason: 'contains a NUL byte' }],
  ];
  for (const [cells, expected] of cases) {
    it(JSON.stringify(cells), () => expect(saleRow(mapping, cells, ctx)).toEqual(expected));
  }
});

describe('meanCents: exact, half away from zero', () => {
  const cases: [number, number, number | null][] = [
    [11, 2, 6],
    [10, 4, 3],
    [10, 3, 3],
    [-11, 2, -6],
    [31, 3, 10],
    [0, 0, null],
    [Number.MAX_SAFE_INTEGER, 2, 4503599627370496],
  ];
  for (const [sum, count, expected] of cases) {
    it(`${sum} / ${count} → ${expected}`, () => expect(meanCents(sum, count)).toBe(expected));
  }
});

describe('trends', () => {
  const entry = (id: number, action: TrendEntry['action'], old_value: string | null, new_value: string | null): TrendEntry => ({
    profile_id: 7, name: 'Elbwerk GmbH', id, at: `2026-0${id}-01T00:00:00Z`, action, old_value, new_value,
  });
  const money = trendParser('revenue')!.parse;

  it('the value before the window is the start; the last one the end', () => {
    const t = foldTrend([entry(1, 'update', '1000.00', '1100.00'), entry(2, 'update', '1100.00', '900.50')], 'revenue', money);
    expect(t).toMatchObject({ start: 100000, end: 90050, change: -9950, percent: -10, direction: 'down', changes: 2 });
  });

  it('created in the window: the value it was created with is the start', () => {
    expect(foldTrend([entry(1, 'create', null, '500.00'), entry(2, 'update', '500.00', '750.00')], 'revenue', money)).toMatchObject({ start: 50000, end: 75000, percent: 50, direction: 'up', changes: 1 });
  });

  it('empty at the window\'s start (created without it, or set later): start empty, the change unknown, never "same"', () => {
    expect(foldTrend([entry(1, 'update', null, '500.00'), entry(2, 'update', '500.00', '400.00')], 'revenue', money)).toMatchObject({ start: null, end: 40000, change: null, direction: null });
    expect(foldTrend([entry(1, 'create', null, null), entry(2, 'update', null, '500.00')], 'revenue', money)).toMatchObject({ start: null, end: 50000, change: null, direction: null, changes: 1 });
  });

  it('unset at the end: no change known; from 0: no percentage', () => {
    expect(foldTrend([entry(1, 'update', '5.00', null)], 'revenue', money)).toMatchObject({ start: 500, end: null, change: null, direction: null });
    expect(foldTrend([entry(1, 'update', '0.00', '5.00')], 'revenue', money)).toMatchObject({ change: 500, percent: null, direction: 'up' });
  });

  it('a deletion starts the course afresh (an id used again)', () => {
    const t = foldTrend([entry(1, 'update', '1.00', '2.00'), entry(2, 'delete', null, null), entry(3, 'create', null, '9.00')], 'revenue', money);
    expect(t).toMatchObject({ start: 900, end: 900, changes: 0 });
  });

  it('only numeric fields have a trend', () => {
    expect(trendParser('city')).toBeNull();
    expect(trendParser('headcount')!.parse('1.234')).toBe(1234);
    expect(trendParser('custom.machines')!.parse('16,5')).toBe(1650);
  });

  it('sorted by change: biggest rise first, unknown changes last', () => {
    const line = (name: string, change: number | null) => ({ ...foldTrend([entry(1, 'update', '1', '2')], 'revenue', money)!, name, change });
    const sorted = [line('a', -5), line('b', null), line('c', 10), line('d', 0)].sort(compareTrends);
    expect(sorted.map((l) => l.name)).toEqual(['c', 'd', 'a', 'b']);
  });
});

describe('segmentsUsed', () => {
  it('finds the segments an expression names, under and/or/not', () => {
    expect(segmentsUsed(parseWhere("segment = 'a' and (not segment = 'b' or city = 'x') or segment in ('c', 'a')"))).toEqual(['a', 'b', 'c']);
    expect(segmentsUsed(parseWhere("city = 'segment'"))).toEqual([]);
  });
});

describe('ClaimedIds', () => {
  for (const base of [0, 50_000, 100_000_000]) {
    it(`remembers claimed ids from ${base} (${base >= 64_000_000 ? 'a Set' : 'a bitmap, grown as ids come'})`, () => {
      const claimed = new ClaimedIds();
      for (const id of [1, 7, 8, 9, 20]) claimed.add(base + id);
      expect([0, 1, 2, 7, 8, 9, 10, 19, 20, 10_000_000].map((id) => claimed.has(base + id))).toEqual([false, true, false, true, true, true, false, false, true, false]);
    });
  }
});
