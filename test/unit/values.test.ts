/**
 * Text ⇄ typed values: money as exact integer cents in European and English spellings, whole
 * numbers, and every field type's parsing and history text, with the field named on failure.
 */
import { describe, expect, it } from 'vitest';
import { ValidationError } from '../../src/errors.js';
import { type FieldDef, fieldByName } from '../../src/domain/fields.js';
import {
  type FieldValue,
  checkCustomName,
  formatCents,
  formatFieldValue,
  nfc,
  normalizeTags,
  parseFieldValue,
  parseInteger,
  parseMoneyCents,
  splitTags,
} from '../../src/domain/values.js';

function field(name: string): FieldDef {
  const f = fieldByName(name);
  if (!f) throw new Error(`no field ${name}`);
  return f;
}

/** The ValidationError `work` throws, or a failure when it throws none. */
function validationError(work: () => unknown): ValidationError {
  try {
    work();
  } catch (err) {
    expect(err).toBeInstanceOf(ValidationError);
    return err as ValidationError;
  }
  throw new Error('expected a ValidationError, but nothing was thrown');
}

describe('parseMoneyCents', () => {
  it.each<[string, number | null]>([
    // plain, with either decimal separator
    ['1234.56', 123456],
    ['1234,56', 123456],
    ['1234', 123400],
    ['0', 0],
    ['0.5', 50],
    ['0,05', 5],
    ['12.3', 1230],
    ['.5', 50],
    ['5.', 500],
    ['00012', 1200],
    // grouped: the later separator is the decimal one
    ['1.234,56', 123456],
    ['1,234.56', 123456],
    ['1.234.567,89', 123456789],
    ['1,234,567.89', 123456789],
    ['2.500.000,50', 250000050],
    // grouping only (two or more group separators)
    ['1.234.567', 123456700],
    ['1,234,567', 123456700],
    // spaces, no-break spaces and apostrophes group thousands
    ['1 234,56', 123456],
    ['1\u00a0234,56', 123456],
    ["1'234.56", 123456],
    // signs
    ['-12.5', -1250],
    ['+12.5', 1250],
    ['-1.234,56', -123456],
    // currency before or after
    ['€ 12', 1200],
    ['12 EUR', 1200],
    ['12€', 1200],
    ['EUR12', 1200],
    ['eur 12,50', 1250],
    ['$1,234.56', 123456],
    ['CHF 100', 10000],
    ['€-12', -1200],
    ['-12 EUR', -1200],
    // one separator and three digits after it is a thousands group or three decimals: refused
    ['12.500', null],
    ['1.000', null],
    ['1,000', null],
    ['0.500', 50],
    // more than two decimals only when the extra ones are zeros
    ['12.3400', 1234],
    // the largest amount that stays exact, and one past it
    ['90071992547409.91', 9007199254740991],
    ['90071992547409.92', null],
    ['99999999999999999', null],
    // not numbers
    ['12.345', null], // three decimals: 12.345 or 12345? refused, not guessed
    ['1.234,5678', null],
    ['1.2.3', null],
    ['1,23,456.00', null],
    ['12,34.56', null],
    ['1.2345,00', null],
    ['12.5.', null],
    ['--3', null],
    ['1e5', null],
    ['abc', null],
    ['12abc', null],
    ['', null],
    ['   ', null],
    ['€', null],
    ['-', null],
    ['+', null],
    ['.', null],
    [',', null],
    ['-.', null],
  ])('%j → %j', (text, expected) => {
    expect(parseMoneyCents(text)).toBe(expected);
  });

  it('always returns whole cents', () => {
    for (const text of ['0', '-0', '0,00', '-0.00', '0.1', '1.99', '-1.01', '1.234.567,89']) {
      const cents = parseMoneyCents(text);
      expect(cents, text).not.toBeNull();
      expect(Number.isSafeInteger(cents), text).toBe(true);
    }
    expect(parseMoneyCents('-0') === 0).toBe(true);
  });
});

describe('parseInteger', () => {
  it.each<[string, number | null]>([
    ['1234', 1234],
    ['0', 0],
    ['-5', -5],
    ['+5', 5],
    ['1.234', 1234],
    ['1,234', 1234],
    ['1 234', 1234],
    ['1.234.567', 1234567],
    ['1,234,567', 1234567],
    [' 42 ', 42],
    ['4.5', null],
    ['1.23', null],
    ['1.2345', null],
    ['1.234,5', null],
    ['1,234.567', null], // mixed separators are not a whole number
    ['12345678901234567890', null], // beyond exact integers
    ['9007199254740991', 9007199254740991],
    ['1e3', null],
    ['abc', null],
    ['', null],
  ])('%j → %j', (text, expected) => {
    expect(parseInteger(text)).toBe(expected);
  });
});

describe('formatCents', () => {
  it.each<[number, string]>([
    [0, '0.00'],
    [7, '0.07'],
    [50, '0.50'],
    [100, '1.00'],
    [123456, '1234.56'],
    [250000050, '2500000.50'],
    [-5, '-0.05'],
    [-123456, '-1234.56'],
    [9007199254740991, '90071992547409.91'],
  ])('%i → %s', (cents, expected) => {
    expect(formatCents(cents)).toBe(expected);
  });

  it('round-trips through parseMoneyCents', () => {
    for (const cents of [0, 1, 99, 100, 123456, -1, -123456, 9007199254740991]) {
      expect(parseMoneyCents(formatCents(cents))).toBe(cents);
    }
  });
});

describe('splitTags and normalizeTags', () => {
  it.each<[string, string[]]>([
    ['vip,north', ['vip', 'north']],
    [' vip , north ', ['vip', 'north']],
    ['vip,,vip', ['vip']],
    ['', []],
    [',', []],
    ['Vip,vip', ['Vip']], // one tag in any case, as the store's tag index has it
  ])('%j → %j', (text, expected) => {
    expect(splitTags(text)).toEqual(expected);
  });

  it('normalizeTags trims, drops empties and keeps the first of duplicates in order', () => {
    expect(normalizeTags([' b', 'a', '', 'b', 'c '])).toEqual(['b', 'a', 'c']);
  });
});

describe('parseFieldValue', () => {
  it.each<[string, string, FieldValue]>([
    // text-like: trimmed, empty is null
    ['city', '  Dresden ', 'Dresden'],
    ['postcode', '01067', '01067'], // stays text: the zero stays
    ['phone', '+49 351 123', '+49 351 123'],
    ['website', 'https://elbwerk.example', 'https://elbwerk.example'],
    ['city', '', null],
    ['city', '   ', null],
    // email
    ['email', 'anna@example.org', 'anna@example.org'],
    ['email', ' Anna.Mueller+crm@mail.example.de ', 'Anna.Mueller+crm@mail.example.de'],
    ['email', '', null],
    // dates
    ['customer_since', '2020-01-15', '2020-01-15'],
    ['next_contact', '2028-02-29', '2028-02-29'],
    ['birthday', '1976-02-29', '1976-02-29'],
    ['birthday', '--02-29', '--02-29'],
    ['birthday', '--03-12', '--03-12'],
    // money: integer cents
    ['revenue', '1.234,56', 123456],
    ['revenue', '2500000.50', 250000050],
    ['revenue', '-12', -1200],
    ['revenue', '0', 0],
    // int
    ['headcount', '40', 40],
    ['headcount', '1.200', 1200],
    ['headcount', '-3', -3], // validateDraft refuses it as a headcount; the value itself parses
    // ref: a positive id
    ['company_id', '7', 7],
    // bool, in English and German
    ['decision_maker', 'true', true],
    ['decision_maker', 'YES', true],
    ['decision_maker', 'y', true],
    ['decision_maker', '1', true],
    ['decision_maker', 'ja', true],
    ['decision_maker', 'Ja', true],
    ['decision_maker', 'x', true],
    ['decision_maker', 'false', false],
    ['decision_maker', 'no', false],
    ['decision_maker', 'n', false],
    ['decision_maker', '0', false],
    ['decision_maker', 'nein', false],
    ['decision_maker', 'NEIN', false],
    ['decision_maker', '', null],
    // enum: any case in, lower case out
    ['lifecycle', 'customer', 'customer'],
    ['lifecycle', 'Customer', 'customer'],
    ['lifecycle', ' LEAD ', 'lead'],
    ['kind', 'person', 'person'],
    // tags: empty text is no tags, not null
    ['tags', 'vip, north,vip', ['vip', 'north']],
    ['tags', '', []],
  ])('%s %j → %j', (name, text, expected) => {
    expect(parseFieldValue(field(name), text)).toEqual(expected);
  });

  it.each<[string, string, RegExp]>([
    ['email', 'no-at-sign', /e-mail/],
    ['email', 'anna@localhost', /e-mail/],
    ['email', 'anna @example.org', /e-mail/],
    ['email', '@example.org', /e-mail/],
    ['email', 'a@@b.de', /e-mail/],
    ['customer_since', '2026-02-30', /YYYY-MM-DD/],
    ['customer_since', '31.12.2020', /YYYY-MM-DD/],
    ['customer_since', '--12-31', /YYYY-MM-DD/], // a year-less date is only a birthday
    ['next_contact', '2027-02-29', /YYYY-MM-DD/],
    ['reviewed_at', 'today', /YYYY-MM-DD/],
    ['birthday', '2027-02-29', /--MM-DD/],
    ['birthday', '--02-30', /--MM-DD/],
    ['birthday', '1980', /--MM-DD/],
    ['birthday', '9999-12-01', /year is after 9899/],
    ['revenue', 'lots', /not a number/],
    ['revenue', '12.345', /not a number/],
    ['headcount', '4.5', /whole number/],
    ['headcount', 'forty', /whole number/],
    ['company_id', '0', /positive id/],
    ['company_id', '-3', /positive id/],
    ['company_id', 'Elbwerk', /whole number/],
    ['decision_maker', 'maybe', /true or false/],
    ['decision_maker', 'vielleicht', /true or false/],
    ['lifecycle', 'sleeping', /one of lead, prospect, customer, partner, inactive, former/],
    ['kind', 'robot', /one of company, person/],
    ['created_at', '2026-01-01T00:00:00Z', /cannot be set directly/],
    ['custom', '{"a":"b"}', /cannot be set directly/],
  ])('%s %j is refused, naming the field', (name, text, problem) => {
    const err = validationError(() => parseFieldValue(field(name), text));
    expect(err.field).toBe(name);
    expect(err.exitCode).toBe(2);
    expect(err.message.startsWith(`${name}: `)).toBe(true);
    expect(err.message).toMatch(problem);
    // the message names the field and the problem, never the value typed
    if (text.length > 3) expect(err.message).not.toContain(text);
  });
});

describe('checkCustomName', () => {
  it.each(['size', 'my field', 'Größe', 'a-b', 'x_1', 'a.b', 'a'.repeat(64)])('accepts %j', (name) => {
    expect(() => checkCustomName(name)).not.toThrow();
  });

  it.each(['', '__proto__', 'constructor', 'prototype', 'a'.repeat(65), 'tab\there', 'new\nline'])('refuses %j as custom.NAME', (name) => {
    const err = validationError(() => checkCustomName(name));
    expect(err.field).toBe(`custom.${name}`);
  });
});

describe('formatFieldValue', () => {
  it.each<[string, unknown, string | null]>([
    ['revenue', 123456, '1234.56'],
    ['revenue', 0, '0.00'],
    ['revenue', -5, '-0.05'],
    ['sales_total', 250000050, '2500000.50'],
    ['tags', ['vip', 'north'], 'vip,north'],
    ['tags', [], null], // no tags is no value
    ['decision_maker', true, 'true'],
    ['decision_maker', false, 'false'], // false is a value, not an absence
    ['headcount', 0, '0'],
    ['headcount', 40, '40'],
    ['company_id', 7, '7'],
    ['city', 'Dresden', 'Dresden'],
    ['birthday', '--02-29', '--02-29'],
    ['custom', { size: '10' }, '{"size":"10"}'],
    ['city', null, null],
    ['revenue', null, null],
    ['decision_maker', undefined, null],
  ])('%s %j → %j', (name, value, expected) => {
    expect(formatFieldValue(field(name), value)).toBe(expected);
  });

  it('is the inverse of parseFieldValue for every writable type', () => {
    const cases: [string, string][] = [
      ['revenue', '1234.56'],
      ['headcount', '40'],
      ['decision_maker', 'true'],
      ['decision_maker', 'false'],
      ['birthday', '--02-29'],
      ['customer_since', '2020-01-15'],
      ['lifecycle', 'customer'],
      ['tags', 'vip,north'],
      ['email', 'anna@example.org'],
    ];
    for (const [name, text] of cases) {
      expect(formatFieldValue(field(name), parseFieldValue(field(name), text)), name).toBe(text);
    }
  });
});

describe('nfc', () => {
  it('composes decomposed text, and leaves text that needs nothing as it is', () => {
    expect(nfc('Mu\u0308ller')).toBe('Müller');
    expect(nfc('Mu\u0308ller')).toHaveLength(6);
    const plain = 'Müller, Straße 5';
    expect(nfc(plain)).toBe(plain);
    expect(nfc('한국')).toBe('한국'.normalize('NFC'));
    expect(nfc('\u1112\u1161\u11ab')).toBe('한');
  });

  it('tags in either form are one tag', () => {
    expect(normalizeTags(['Bu\u0308cher', 'Bücher'])).toEqual(['Bücher']);
  });
});
