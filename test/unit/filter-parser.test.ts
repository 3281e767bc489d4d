import { describe, expect, it } from 'vitest';
import { RejectedInputError } from '../../src/errors.js';
import type { Expr, Literal } from '../../src/domain/filter/ast.js';
import { parseWhere } from '../../src/domain/filter/parser.js';

const cmp = (field: string, op: '=' | '!=' | '<' | '<=' | '>' | '>=' | '~', value: Literal): Expr => ({
  type: 'compare',
  field,
  op,
  value,
});
const and = (left: Expr, right: Expr): Expr => ({ type: 'and', left, right });
const or = (left: Expr, right: Expr): Expr => ({ type: 'or', left, right });
const not = (expr: Expr): Expr => ({ type: 'not', expr });

function rejection(text: string): RejectedInputError {
  try {
    parseWhere(text);
  } catch (err) {
    expect(err).toBeInstanceOf(RejectedInputError);
    expect((err as RejectedInputError).exitCode).toBe(4);
    return err as RejectedInputError;
  }
  throw new Error(`expected ${JSON.stringify(text)} to be rejected`);
}

describe('parseWhere: precedence and grouping', () => {
  const a = cmp('city', '=', 'a');
  const b = cmp('city', '=', 'b');
  const c = cmp('city', '=', 'c');
  it.each<[string, Expr]>([
    ['city = a or city = b and city = c', or(a, and(b, c))], // and binds tighter than or
    ['city = a and city = b or city = c', or(and(a, b), c)],
    ['(city = a or city = b) and city = c', and(or(a, b), c)],
    ['not city = a and city = b', and(not(a), b)], // not binds tighter than and
    ['not (city = a and city = b)', not(and(a, b))],
    ['not not city = a', not(not(a))],
    ['city = a or city = b or city = c', or(or(a, b), c)], // left-associative
    ['city = a and city = b and city = c', and(and(a, b), c)],
    ['((city = a))', a],
    ['city = a OR city = b AND NOT city = c', or(a, and(b, not(c)))], // keywords in any case
    ['City = a Or CITY = b', or(a, b)], // field names in any case
    ['city=a and(city=b)', and(a, b)], // spaces are optional around operators and parentheses
  ])('%s', (text, expected) => {
    expect(parseWhere(text)).toEqual(expected);
  });
});

describe('parseWhere: operators', () => {
  it.each<[string, Expr]>([
    ['revenue = 3', cmp('revenue', '=', 3)],
    ['revenue != 3', cmp('revenue', '!=', 3)],
    ['revenue <> 3', cmp('revenue', '!=', 3)],
    ['revenue < 3', cmp('revenue', '<', 3)],
    ['revenue <= 3', cmp('revenue', '<=', 3)],
    ['revenue > 3', cmp('revenue', '>', 3)],
    ['revenue >= 3', cmp('revenue', '>=', 3)],
    ['name ~ müller', cmp('name', '~', 'müller')],
    ['name !~ müller', not(cmp('name', '~', 'müller'))],
    ["city in ('Dresden', Leipzig)", { type: 'in', field: 'city', values: ['Dresden', 'Leipzig'] }],
    ['city not in (Dresden)', not({ type: 'in', field: 'city', values: ['Dresden'] })],
    ['city is empty', { type: 'empty', field: 'city' }],
    ['city IS NOT EMPTY', not({ type: 'empty', field: 'city' })],
    ['tag = vip', cmp('tag', '=', 'vip')],
    ['tags = vip', cmp('tag', '=', 'vip')],
    ['tag in (vip, north)', { type: 'in', field: 'tag', values: ['vip', 'north'] }],
    ['tag is empty', { type: 'empty', field: 'tag' }],
    ["segment = 'north'", { type: 'segment', name: 'north' }],
    ['segment = north', { type: 'segment', name: 'north' }],
    ['segment != north', not({ type: 'segment', name: 'north' })],
    ['segment in (north, south)', or({ type: 'segment', name: 'north' }, { type: 'segment', name: 'south' })],
    ['birthday in next 30d', { type: 'birthdayWithin', within: '30d' }],
    ['birthday in NEXT 2w', { type: 'birthdayWithin', within: '2w' }],
    ['birthday not in next 7', not({ type: 'birthdayWithin', within: '7' })],
    [
      'last_sale in last 90d',
      and(cmp('last_sale', '>=', { relative: '-90d' }), cmp('last_sale', '<=', { relative: 'today' })),
    ],
    [
      'next_contact in next 7',
      and(cmp('next_contact', '>=', { relative: 'today' }), cmp('next_contact', '<=', { relative: '+7d' })),
    ],
  ])('%s', (text, expected) => {
    expect(parseWhere(text)).toEqual(expected);
  });
});

describe('parseWhere: literals', () => {
  it.each<[string, Literal]>([
    // quoting
    ["name = 'Acme GmbH'", 'Acme GmbH'],
    ["name = 'O''Brien'", "O'Brien"], // '' is a quote
    ["name = ''''", "'"],
    ["name = ''", ''],
    ["name = 'and'", 'and'], // a keyword in quotes is text
    ["name = 'x'' or 1=1 --'", "x' or 1=1 --"],
    ["name = 'a\\b'", 'a\\b'], // a backslash is just a character
    ["name = '%_;'", '%_;'],
    // unicode
    ["city = 'Görlitz'", 'Görlitz'],
    ['city = Görlitz', 'Görlitz'],
    ["name = 'Weiß 😀'", 'Weiß 😀'],
    ['city = Zürich', 'Zürich'],
    // bare words are text as typed
    ['city = Dresden', 'Dresden'],
    ['email = anna@acme.de', 'anna@acme.de'],
    ['website = https://acme.de/x', 'https://acme.de/x'],
    ['postcode = 01067', '01067'], // keeps its zero
    ['name = 3M', '3M'], // not a relative date for a text field
    ['phone = +49-351-1234', '+49-351-1234'],
    // numbers: ints, decimals, negative
    ['revenue > 3', 3],
    ['revenue > 3.5', 3.5],
    ['revenue > -3', -3],
    ['revenue > 1000000.00', 1000000],
    ["revenue > '1.000.000,50'", '1.000.000,50'], // quoted: read as money when compiled
    ['headcount >= 10', 10],
    // booleans
    ['decision_maker = true', true],
    ['decision_maker = FALSE', false],
    // enums are lower-cased and checked
    ['kind = Company', 'company'],
    ['lifecycle = customer', 'customer'],
    // dates
    ['next_contact < 2026-11-22', '2026-11-22'],
    ['last_sale < -90d', { relative: '-90d' }],
    ['next_contact <= +7d', { relative: '+7d' }],
    ['customer_since < 30d', { relative: '30d' }],
    ['customer_since < 2w', { relative: '2w' }],
    ['customer_since < 3m', { relative: '3m' }],
    ['customer_since < 1y', { relative: '1y' }],
    ["last_sale < '-90d'", { relative: '-90d' }], // a quoted relative date is still one for a date field
    ['next_contact = today', { relative: 'today' }],
    ['birthday = --03-15', '--03-15'],
    ['birthday < -30y', { relative: '-30y' }],
    // custom fields: text, signed relative dates, numbers
    ['custom.size = 3m', '3m'],
    ['custom.renewal < +30d', { relative: '+30d' }],
    ['custom.size > 10', 10],
    ['custom.size = 010', '010'],
    ['custom.active = true', true],
  ])('%s', (text, value) => {
    const expr = parseWhere(text);
    if (expr.type !== 'compare') throw new Error(`not a comparison: ${JSON.stringify(expr)}`);
    expect(expr.value).toEqual(value);
  });

  it.each<[string, string]>([
    ['custom.size = 1', 'custom.size'],
    ['CUSTOM.Size = 1', 'custom.Size'], // the prefix in any case, the name as typed
    ['custom.Kunden-Nr = 1', 'custom.Kunden-Nr'],
    ["custom.'my field' = 1", 'custom.my field'],
    ["custom.'it''s' = 1", "custom.it's"],
    ["custom.'a.b' = 1", 'custom.a.b'],
    ["custom.'Größe' = 1", 'custom.Größe'],
  ])('custom field %s', (text, field) => {
    const expr = parseWhere(text);
    expect(expr.type === 'compare' && expr.field).toBe(field);
  });
});

describe('parseWhere: errors name the column', () => {
  it.each<[string, string]>([
    ['revenue >>= 3', "unexpected '>' at column 10"],
    ['city == Dresden', "unexpected '=' at column 7"],
    ['city =< 3', "unexpected '<' at column 7"],
    ['city ! Dresden', "unexpected '!' at column 6"],
    ["city = 'Dresden", 'unterminated string starting at column 8'],
    ["city = 'it''s", 'unterminated string starting at column 8'],
    ['city = a b', "unexpected 'b' at column 10"],
    ['city = Bad Homburg', "put text with spaces in single quotes"],
    ['(city = a', "missing ')' at column 10 of the filter to close the '(' at column 1"],
    ['((city = a)', "missing ')' at column 12 of the filter to close the '(' at column 1"],
    ['(city = a or', 'unexpected end of the filter at column 13'],
    ['city = a)', "unexpected ')' at column 9"],
    ['()', "unexpected ')' at column 2"],
    ['city =', 'unexpected end of the filter at column 7; expected a value'],
    ['city', 'unexpected end of the filter at column 5; expected an operator'],
    ['city Dresden', "unexpected 'Dresden' at column 6"],
    ['= a', "unexpected '=' at column 1"],
    ['city = and', "unexpected 'and' at column 8"],
    ['city = a and', 'unexpected end of the filter at column 13'],
    ['not', 'unexpected end of the filter at column 4'],
    ["'city' = a", 'unexpected text '],
    ['city = "Dresden"', "unexpected '\"' at column 8"],
    ['; drop table profiles', "unexpected ';' at column 1"],
    ['city = x; drop table profiles', "unexpected ';' at column 9"],
    ['city = %', "unexpected '%' at column 8"],
    ['city = a\\b', "unexpected '\\' at column 9"],
    ["city = 'Görlitz' and ;", "unexpected ';' at column 22"],
    ["name = '😀' and ;", "unexpected ';' at column 16"], // columns count characters, not UTF-16 units
    ['city in ()', "unexpected ')' at column 10"],
    ['city in (a,', 'unexpected end of the filter at column 12'],
    ['city in (a', "missing ')' at column 11"],
    ['city in (a b)', "unexpected 'b' at column 12"],
    ['city in a', "unexpected 'a' at column 9 of the filter; expected '(' after 'in'"],
    ['city not = a', "unexpected '=' at column 10"],
    ['city is nothing', "unexpected 'nothing' at column 9"],
    ['revenue > abc', "'abc' at column 11 of the filter is not a number"],
    ["revenue > 'lots'", 'is not a number'],
    ['revenue > true', "'true' at column 11 of the filter is not a number"],
    ['revenue ~ 3', "'~' at column 9 of the filter (contains) compares text"],
    ['headcount > 1.5.2', 'is not a number'],
    ['next_contact < 2026-02-30', "'2026-02-30' at column 16 of the filter is not a real date"],
    ['next_contact < 2026', 'is not a date'],
    ['birthday = --02-30', 'is not a real month and day'],
    ['lifecycle = custmer', 'is not one of lead, prospect, customer, partner, inactive, former'],
    ['lifecycle > lead', "'>' at column 11 of the filter does not work with lifecycle"],
    ['decision_maker = yes', 'is not true or false'],
    ['decision_maker < true', 'does not work with decision_maker'],
    ['tag > a', "'>' at column 5 of the filter does not work with tag"],
    ['segment > north', 'segment at column 1 of the filter takes = or !='],
    ['segment is empty', 'segment at column 1 of the filter cannot be empty'],
    ['segment in (', 'unexpected end of the filter at column 13; expected a segment name'],
    ['segment in (north,)', "unexpected ')' at column 19 of the filter; expected a segment name"],
    ['birthday in next soon', "unexpected 'soon' at column 18"],
    ['birthday in last 7d', "'in last' at column 13 of the filter does not work with birthday"],
    ['city in next 7d', "'in next' at column 9 of the filter needs a date field"],
    ['custom. = 1', 'needs a custom field name'],
    ['citty = Dresden', "unknown field 'citty' at column 1 of the filter (did you mean city?)"],
    ['city = a and revenu > 3', "unknown field 'revenu' at column 14"],
  ])('%s', (text, message) => {
    expect(rejection(text).message).toContain(message);
  });

  it('rejects an empty expression', () => {
    expect(rejection('').message).toBe("the filter is empty; write a condition such as city = 'Dresden'.");
    expect(rejection('   \t').message).toContain('the filter is empty');
  });

  it('lists the known fields for an unknown one', () => {
    const message = rejection('colour = red').message;
    for (const field of ['name', 'city', 'revenue', 'sales_total', 'last_sale', 'tag', 'custom.NAME', 'segment']) {
      expect(message).toContain(field);
    }
  });

  it('gives up on nesting that is too deep, rather than overflowing the stack', () => {
    expect(rejection(`${'('.repeat(200)}city = a${')'.repeat(200)}`).message).toContain('nests too deeply');
    expect(rejection(`${'not '.repeat(200)}city = a`).message).toContain('nests too deeply');
    expect(rejection(Array.from({ length: 300 }, () => 'city = a').join(' or ')).message).toContain('more than 256 conditions');
  });

  it('shortens a long token in the message', () => {
    const message = rejection(`city = ${'x'.repeat(100)} y`).message;
    expect(message).toContain("unexpected 'y' at column 109");
    expect(rejection(`${'q'.repeat(100)} = 1`).message).toContain(`'${'q'.repeat(24)}…'`);
  });
});
