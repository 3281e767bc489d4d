/**
 * Profiles: applying a user's change request to a draft (and refusing what may not change),
 * the whole-profile rules, field-level diffs for history, snapshots and `--set` parsing.
 */
import { describe, expect, it } from 'vitest';
import { ValidationError } from '../../src/errors.js';
import {
  type ChangeRequest,
  type Profile,
  type ProfileDraft,
  applyChanges,
  applyTagEdits,
  diffDrafts,
  emptyChangeRequest,
  emptyDraft,
  parseAssignment,
  personName,
  snapshot,
  toDraft,
  validateDraft,
} from '../../src/domain/profile.js';

function company(extra: Partial<ProfileDraft> = {}): ProfileDraft {
  return { ...emptyDraft('company'), name: 'Elbwerk GmbH', ...extra };
}

function person(extra: Partial<ProfileDraft> = {}): ProfileDraft {
  return { ...emptyDraft('person'), name: 'Anna Müller', first_name: 'Anna', last_name: 'Müller', ...extra };
}

function request(parts: Partial<ChangeRequest>): ChangeRequest {
  return { ...emptyChangeRequest(), ...parts };
}

function set(...pairs: [string, string][]): ChangeRequest {
  return request({ set: pairs.map(([field, value]) => ({ field, value })) });
}

function validationError(work: () => unknown): ValidationError {
  try {
    work();
  } catch (err) {
    expect(err).toBeInstanceOf(ValidationError);
    return err as ValidationError;
  }
  throw new Error('expected a ValidationError, but nothing was thrown');
}

describe('applyChanges: setting and unsetting fields', () => {
  it('sets typed values on a company: money as cents, ints, enums, dates', () => {
    const after = applyChanges(company(), set(['revenue', '2.500.000,50'], ['headcount', '40'], ['lifecycle', 'Customer'], ['customer_since', '2020-01-15'], ['postcode', '01067']));
    expect(after).toMatchObject({ revenue: 250000050, headcount: 40, lifecycle: 'customer', customer_since: '2020-01-15', postcode: '01067' });
  });

  it('sets typed values on a person: birthday (also year-less), bool, ref', () => {
    const after = applyChanges(person(), set(['birthday', '--02-29'], ['decision_maker', 'ja'], ['company_id', '3'], ['role', 'CEO']));
    expect(after).toMatchObject({ birthday: '--02-29', decision_maker: true, company_id: 3, role: 'CEO' });
  });

  it('unsets fields to null, and tags to no tags', () => {
    const before = company({ city: 'Dresden', revenue: 100, tags: ['vip'] });
    const after = applyChanges(before, request({ unset: ['city', 'revenue', 'tags'] }));
    expect(after).toMatchObject({ city: null, revenue: null, tags: [] });
  });

  it('an empty value in --set clears the field', () => {
    expect(applyChanges(company({ city: 'Dresden' }), set(['city', ''])).city).toBeNull();
  });

  it('applies unset before set, so --unset F --set F=V ends with V', () => {
    const after = applyChanges(company({ city: 'Dresden' }), { set: [{ field: 'city', value: 'Görlitz' }], unset: ['city'], tagEdits: [] });
    expect(after.city).toBe('Görlitz');
  });

  it('the last of two --set of one field wins', () => {
    expect(applyChanges(company(), set(['city', 'Dresden'], ['city', 'Leipzig'])).city).toBe('Leipzig');
  });

  it('renames a company with name', () => {
    expect(applyChanges(company(), set(['name', '  Elbwerk AG '])).name).toBe('Elbwerk AG');
  });

  it.each<[string, ChangeRequest, string, RegExp]>([
    // kind-mismatched fields
    ['a birthday on a company', set(['birthday', '2000-01-01']), 'birthday', /belongs to a person, not a company/],
    ['a role on a company', set(['role', 'CEO']), 'role', /not a company/],
    ['a company link on a company', set(['company_id', '2']), 'company_id', /not a company/],
    ['unset of a person field on a company', request({ unset: ['first_name'] }), 'first_name', /not a company/],
    // read-only fields
    ['kind', set(['kind', 'person']), 'kind', /assigned or derived/],
    ['id', set(['id', '5']), 'id', /assigned or derived/],
    ['company', set(['company', 'Other GmbH']), 'company', /assigned or derived/],
    ['sales_total', set(['sales_total', '10']), 'sales_total', /assigned or derived/],
    ['created_at', set(['created_at', '2026-01-01']), 'created_at', /assigned or derived/],
    ['custom as a whole', set(['custom', '{}']), 'custom', /assigned or derived/],
    ['unset of a read-only field', request({ unset: ['last_sale'] }), 'last_sale', /assigned or derived/],
    ['unset of the name', request({ unset: ['name'] }), 'name', /cannot be removed/],
    // unknown fields
    ['an unknown field', set(['colour', 'blue']), 'colour', /not a field.*custom\.NAME/],
    ['an unknown unset', request({ unset: ['colour'] }), 'colour', /not a field/],
    ['a flag spelling instead of a field name', set(['legal-form', 'GmbH']), 'legal-form', /not a field/],
    // bad values
    ['a bad date', set(['customer_since', '2026-02-30']), 'customer_since', /valid date/],
    ['a bad number', set(['revenue', 'lots']), 'revenue', /not a number/],
    ['a bad enum', set(['lifecycle', 'sleeping']), 'lifecycle', /one of/],
    ['a cleared name', set(['name', '  ']), 'name', /needs a name/],
    ['a negative headcount', set(['headcount', '-1']), 'headcount', /negative/],
  ])('refuses %s on a company, naming the field', (_label, req, fieldName, problem) => {
    const err = validationError(() => applyChanges(company(), req));
    expect(err.field).toBe(fieldName);
    expect(err.message).toMatch(problem);
  });

  it.each<[string, ChangeRequest, string, RegExp]>([
    ['revenue on a person', set(['revenue', '100']), 'revenue', /belongs to a company, not a person/],
    ['legal_form on a person', set(['legal_form', 'GmbH']), 'legal_form', /not a person/],
    ['a bad birthday', set(['birthday', '--02-30']), 'birthday', /birthday/],
    ['a company_id of 0', set(['company_id', '0']), 'company_id', /positive id/],
    ['no name left', request({ unset: ['first_name', 'last_name'] }), 'last_name', /first or last name/],
  ])('refuses %s on a person, naming the field', (_label, req, fieldName, problem) => {
    const err = validationError(() => applyChanges(person(), req));
    expect(err.field).toBe(fieldName);
    expect(err.message).toMatch(problem);
  });
});

describe('applyChanges: names of persons', () => {
  it.each<[string, ChangeRequest, { name: string; first_name: string | null; last_name: string | null }]>([
    ['--name splits at the last space', set(['name', 'Jens Koch']), { name: 'Jens Koch', first_name: 'Jens', last_name: 'Koch' }],
    ['a double first name', set(['name', 'Anna Maria Schulz']), { name: 'Anna Maria Schulz', first_name: 'Anna Maria', last_name: 'Schulz' }],
    ['one word is the last name', set(['name', 'Cher']), { name: 'Cher', first_name: null, last_name: 'Cher' }],
    ['surrounding spaces do not count', set(['name', '  Jens Koch  ']), { name: 'Jens Koch', first_name: 'Jens', last_name: 'Koch' }],
    ['first_name rebuilds the name', set(['first_name', 'Anne']), { name: 'Anne Müller', first_name: 'Anne', last_name: 'Müller' }],
    ['last_name rebuilds the name', set(['last_name', 'Schmidt']), { name: 'Anna Schmidt', first_name: 'Anna', last_name: 'Schmidt' }],
    ['without a first name the last name alone', request({ unset: ['first_name'] }), { name: 'Müller', first_name: null, last_name: 'Müller' }],
    ['without a last name the first name alone', request({ unset: ['last_name'] }), { name: 'Anna', first_name: 'Anna', last_name: null }],
    // explicit first/last names win over --name
    ['first_name with name', set(['name', 'Jens Koch'], ['first_name', 'Jo']), { name: 'Jo Müller', first_name: 'Jo', last_name: 'Müller' }],
  ])('%s', (_label, req, expected) => {
    expect(applyChanges(person(), req)).toMatchObject(expected);
  });

  it('personName joins the parts that are there', () => {
    expect(personName('Anna', 'Müller')).toBe('Anna Müller');
    expect(personName(null, 'Müller')).toBe('Müller');
    expect(personName('Anna', '')).toBe('Anna');
    expect(personName(null, null)).toBe('');
  });
});

describe('applyChanges: tags', () => {
  it.each<[string[], string[], string[]]>([
    [[], ['+vip'], ['vip']],
    [[], ['vip'], ['vip']], // a bare tag adds
    [['vip', 'old'], ['+north,-old'], ['vip', 'north']],
    [['vip', 'old'], ['+north', '-old'], ['vip', 'north']], // repeated --tag
    [['vip'], ['+vip'], ['vip']], // no duplicates
    [['vip'], ['-missing'], ['vip']], // removing a tag that is not there is fine
    [['vip'], [' + a , - vip '], ['a']], // spaces around signs and names
    [['vip'], ['+a,-a'], ['vip']], // in order: added, then removed
    [['vip'], ['-vip,+vip'], ['vip']],
    [['vip'], ['+,-,,'], ['vip']], // empty items are ignored
    [['a', 'b'], [], ['a', 'b']],
  ])('%j with %j → %j', (tags, edits, expected) => {
    const after = applyChanges(company({ tags }), request({ tagEdits: edits }));
    expect(after.tags).toEqual(expected);
    expect(applyTagEdits(tags, edits)).toEqual(expected);
  });

  it('--set tags replaces them, then edits apply on top', () => {
    const after = applyChanges(company({ tags: ['old'] }), { set: [{ field: 'tags', value: 'a, b' }], unset: [], tagEdits: ['+c,-a'] });
    expect(after.tags).toEqual(['b', 'c']);
  });

  it('refuses a tag longer than 100 characters', () => {
    const err = validationError(() => applyChanges(company(), request({ tagEdits: [`+${'x'.repeat(101)}`] })));
    expect(err.field).toBe('tags');
    expect(applyChanges(company(), request({ tagEdits: [`+${'x'.repeat(100)}`] })).tags).toEqual(['x'.repeat(100)]);
  });
});

describe('applyChanges: custom fields', () => {
  it('sets, trims, overwrites and clears custom fields', () => {
    const before = company({ custom: { size: '10', colour: 'red' } });
    const after = applyChanges(before, set(['custom.size', ' 12 '], ['custom.my field', 'blau'], ['custom.colour', '']));
    expect(after.custom).toEqual({ size: '12', 'my field': 'blau' });
  });

  it('unsets a custom field, and unsetting a missing one is no error', () => {
    const after = applyChanges(company({ custom: { size: '10' } }), request({ unset: ['custom.size', 'custom.other'] }));
    expect(after.custom).toEqual({});
  });

  it.each(['custom.', 'custom.__proto__', 'custom.constructor', `custom.${'n'.repeat(65)}`, 'custom.a\tb'])('refuses %j as a custom field name', (name) => {
    for (const req of [set([name, 'x']), request({ unset: [name] })]) {
      const err = validationError(() => applyChanges(company(), req));
      expect(err.field).toBe(name);
      expect(err.message).toMatch(/not a usable custom field name/);
    }
  });

  it('a __proto__ custom field does not reach the prototype', () => {
    const after = (() => {
      try {
        return applyChanges(company(), set(['custom.__proto__', 'polluted']));
      } catch {
        return null;
      }
    })();
    expect(after).toBeNull();
    expect(({} as Record<string, unknown>)['polluted']).toBeUndefined();
  });
});

describe("a person's name in one piece", () => {
  const named = (name: string) => applyChanges(emptyDraft('person'), { set: [{ field: 'name', value: name }], unset: [], tagEdits: [] });
  it.each<[string, string | null, string]>([
    ['Anna Müller', 'Anna', 'Müller'],
    ['Anna Lena Müller', 'Anna Lena', 'Müller'],
    ['Müller, Anna', 'Anna', 'Müller'], // as sheets and address books sort names
    ['von der Heide, Anna Lena', 'Anna Lena', 'von der Heide'],
    ['Müller', null, 'Müller'],
  ])('%j is first name %j, last name %j', (name, first, last) => {
    expect(named(name)).toMatchObject({ first_name: first, last_name: last });
  });
});

describe('applyChanges does not modify its input', () => {
  it('leaves the draft, its tags and its custom object as they were', () => {
    const before = person({ city: 'Dresden', tags: ['vip', 'old'], custom: { size: '10' } });
    const copy = structuredClone(before);
    const after = applyChanges(before, {
      set: [{ field: 'city', value: 'Leipzig' }, { field: 'custom.size', value: '11' }, { field: 'name', value: 'Jens Koch' }],
      unset: ['custom.size'],
      tagEdits: ['+north,-old'],
    });
    expect(before).toEqual(copy);
    expect(after.tags).not.toBe(before.tags);
    expect(after.custom).not.toBe(before.custom);
    expect(after).toMatchObject({ city: 'Leipzig', name: 'Jens Koch', tags: ['vip', 'north'], custom: { size: '11' } });
  });

  it('leaves the draft as it was when it refuses the change', () => {
    const before = company({ tags: ['vip'], custom: { a: '1' } });
    const copy = structuredClone(before);
    expect(() => applyChanges(before, { set: [{ field: 'custom.a', value: '2' }, { field: 'revenue', value: 'lots' }], unset: [], tagEdits: ['+x'] })).toThrow(ValidationError);
    expect(before).toEqual(copy);
  });
});

describe('validateDraft', () => {
  it('accepts a minimal company and a minimal person', () => {
    expect(() => validateDraft(company())).not.toThrow();
    expect(() => validateDraft(person())).not.toThrow();
    expect(() => validateDraft(person({ company_id: 3 }))).not.toThrow();
    expect(() => validateDraft(company({ headcount: 0 }))).not.toThrow();
  });

  it('counts characters as code points: 500 emoji are 500 characters, 501 are too many', () => {
    expect(() => validateDraft(company({ name: '👍'.repeat(500) }))).not.toThrow();
    expect(() => validateDraft(company({ name: '👍'.repeat(501) }))).toThrow(/longer than 500/);
    expect(() => validateDraft(company({ name: 'a', tags: ['😀'.repeat(100)] }))).not.toThrow();
  });

  it.each<[string, ProfileDraft, string]>([
    ['a company without a name', company({ name: '' }), 'name'],
    ['a company with a blank name', company({ name: '   ' }), 'name'],
    ['a person without a name', person({ name: '', first_name: null, last_name: null }), 'last_name'],
    ['a name of 501 characters', company({ name: 'x'.repeat(501) }), 'name'],
    ['a tag of 101 characters', company({ tags: ['x'.repeat(101)] }), 'tags'],
    ['a company linked to a company', company({ company_id: 2 }), 'company_id'],
    ['a negative headcount', company({ headcount: -1 }), 'headcount'],
  ])('refuses %s', (_label, draft, fieldName) => {
    expect(validationError(() => validateDraft(draft)).field).toBe(fieldName);
  });

  it('accepts a name of exactly 500 characters', () => {
    expect(() => validateDraft(company({ name: 'x'.repeat(500) }))).not.toThrow();
  });
});

describe('diffDrafts', () => {
  it('is empty for equal drafts', () => {
    expect(diffDrafts(company({ tags: ['a'], custom: { x: '1' } }), company({ tags: ['a'], custom: { x: '1' } }))).toEqual([]);
  });

  it('lists changed fields in catalogue order with text values: money as decimals, tags joined', () => {
    const before = company({ city: 'Dresden', revenue: 100000, tags: ['vip'], headcount: 40 });
    const after = company({ city: 'Leipzig', revenue: 123456, tags: ['vip', 'north'], headcount: 40, lifecycle: 'customer' });
    expect(diffDrafts(before, after)).toEqual([
      { field: 'revenue', old: '1000.00', new: '1234.56' },
      { field: 'city', old: 'Dresden', new: 'Leipzig' },
      { field: 'lifecycle', old: null, new: 'customer' },
      { field: 'tags', old: 'vip', new: 'vip,north' },
    ]);
  });

  it('reports removed values as null, and all tags removed as null', () => {
    expect(diffDrafts(company({ city: 'Dresden', tags: ['a'] }), company())).toEqual([
      { field: 'city', old: 'Dresden', new: null },
      { field: 'tags', old: 'a', new: null },
    ]);
  });

  it('reports custom fields as custom.NAME, sorted, after the catalogue fields', () => {
    const before = company({ custom: { size: '10', gone: 'x', same: 's' } });
    const after = company({ city: 'Dresden', custom: { size: '12', added: 'y', same: 's' } });
    expect(diffDrafts(before, after)).toEqual([
      { field: 'city', old: null, new: 'Dresden' },
      { field: 'custom.added', old: null, new: 'y' },
      { field: 'custom.gone', old: 'x', new: null },
      { field: 'custom.size', old: '10', new: '12' },
    ]);
  });

  it('reports names, bools and links of persons', () => {
    const before = person({ decision_maker: null, company_id: null });
    const after = person({ name: 'Anna Schulz', last_name: 'Schulz', decision_maker: false, company_id: 4 });
    expect(diffDrafts(before, after)).toEqual([
      { field: 'name', old: 'Anna Müller', new: 'Anna Schulz' },
      { field: 'company_id', old: null, new: '4' },
      { field: 'decision_maker', old: null, new: 'false' },
      { field: 'last_name', old: 'Müller', new: 'Schulz' },
    ]);
  });

  it('a tag order change is a change (the order is kept)', () => {
    expect(diffDrafts(company({ tags: ['a', 'b'] }), company({ tags: ['b', 'a'] }))).toEqual([{ field: 'tags', old: 'a,b', new: 'b,a' }]);
  });
});

describe('snapshot', () => {
  it('holds the non-empty writable fields as text, and custom fields as custom.NAME', () => {
    const draft = company({ city: 'Dresden', revenue: 250000050, headcount: 0, tags: ['vip', 'north'], custom: { size: '10', 'my field': 'blau' } });
    expect(snapshot(draft)).toEqual({
      kind: 'company',
      name: 'Elbwerk GmbH',
      revenue: '2500000.50',
      headcount: '0',
      city: 'Dresden',
      tags: 'vip,north',
      'custom.size': '10',
      'custom.my field': 'blau',
    });
  });

  it('leaves out empty values and empty tags', () => {
    expect(snapshot(person())).toEqual({ kind: 'person', name: 'Anna Müller', first_name: 'Anna', last_name: 'Müller' });
  });

  it('keeps false, which is a value', () => {
    expect(snapshot(person({ decision_maker: false }))).toMatchObject({ decision_maker: 'false' });
  });
});

describe('toDraft', () => {
  it('drops assigned and derived fields and copies tags and custom', () => {
    const profile: Profile = {
      ...person({ tags: ['vip'], custom: { a: '1' } }),
      id: 5,
      company: 'Elbwerk GmbH',
      sales_total: 100,
      sales_count: 1,
      last_sale: '2026-01-01',
      created_at: '2026-01-01T00:00:00.000Z',
      updated_at: '2026-01-01T00:00:00.000Z',
    };
    const draft = toDraft(profile);
    expect(draft).toEqual(person({ tags: ['vip'], custom: { a: '1' } }));
    expect(draft.tags).not.toBe(profile.tags);
    expect(draft.custom).not.toBe(profile.custom);
  });
});

describe('parseAssignment', () => {
  it.each<[string, { field: string; value: string }]>([
    ['city=Dresden', { field: 'city', value: 'Dresden' }],
    ['city=', { field: 'city', value: '' }],
    ['notes=a=b', { field: 'notes', value: 'a=b' }], // only the first = splits
    [' city =Dresden', { field: 'city', value: 'Dresden' }],
    ['city= Dresden ', { field: 'city', value: ' Dresden ' }], // values are trimmed by parsing, not here
    ['custom.my field=blau', { field: 'custom.my field', value: 'blau' }],
  ])('%j → %j', (text, expected) => {
    expect(parseAssignment(text)).toEqual(expected);
  });

  it.each(['city', '=Dresden', ''])('refuses %j with the FIELD=VALUE form', (text) => {
    const err = validationError(() => parseAssignment(text));
    expect(err.message).toMatch(/--set FIELD=VALUE/);
  });
});
