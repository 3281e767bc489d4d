/**
 * REF resolution (SPEC.md: an id, an external id, an exact e-mail or an unambiguous name) with a
 * real in-memory store. It sits with the unit tests because the store is in memory and private
 * to each test; no file is written.
 */
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { AmbiguousRefError, NotFoundError } from '../../src/errors.js';
import type { Kind } from '../../src/domain/fields.js';
import { type ProfileDraft, emptyDraft } from '../../src/domain/profile.js';
import { describe as describeProfile, resolveRef } from '../../src/app/resolve-ref.js';
import { type Store, openStore } from '../../src/storage/store.js';

const NOW = '2026-11-22T10:00:00.000Z';

let store: Store;
const id: Record<string, number> = {};

function add(key: string, kind: Kind, fields: Partial<ProfileDraft>): void {
  id[key] = store.profiles.insert({ ...emptyDraft(kind), ...fields }, NOW);
}

beforeEach(() => {
  // a path that does not exist, opened for reading: an ephemeral in-memory file with the schema
  store = openStore(path.join(os.tmpdir(), `custfile-resolve-ref-${process.pid}-never`, 'customers.db'), { write: false });
  expect(store.db.ephemeral).toBe(true);
  add('elbwerk', 'company', { name: 'Elbwerk GmbH', external_id: 'K-100', city: 'Dresden' }); // 1
  add('jens', 'person', { name: 'Jens Koch', first_name: 'Jens', last_name: 'Koch', company_id: 1, email: 'Jens.Koch@Elbwerk.example', city: 'Dresden' }); // 2
  add('anna1', 'person', { name: 'Anna Müller', first_name: 'Anna', last_name: 'Müller', city: 'Görlitz', email: 'anna@example.org' }); // 3
  add('anna2', 'person', { name: 'Anna Müller', first_name: 'Anna', last_name: 'Müller', city: 'Leipzig' }); // 4
  add('numeric', 'person', { name: 'Paul Zahl', last_name: 'Zahl', external_id: '4711' }); // 5: an external id that looks like an id
  add('shadow', 'company', { name: 'Schatten AG', external_id: '2' }); // 6: an external id equal to another profile's id
  add('zeros', 'company', { name: 'Nullen KG', external_id: '0003' }); // 7: a customer number with leading zeros
  add('acmeC', 'company', { name: 'Acme' }); // 8
  add('acmeP', 'person', { name: 'Acme', last_name: 'Acme' }); // 9: a person of the same name
  add('shared1', 'person', { name: 'Eva Eins', last_name: 'Eins', email: 'info@example.org' }); // 10
  add('shared2', 'person', { name: 'Eva Zwei', last_name: 'Zwei', email: 'INFO@example.org' }); // 11
});
afterEach(() => store.close());

function notFound(work: () => unknown): NotFoundError {
  try {
    work();
  } catch (err) {
    expect(err).toBeInstanceOf(NotFoundError);
    return err as NotFoundError;
  }
  throw new Error('expected a NotFoundError, but nothing was thrown');
}

function ambiguous(work: () => unknown): AmbiguousRefError {
  try {
    work();
  } catch (err) {
    expect(err).toBeInstanceOf(AmbiguousRefError);
    return err as AmbiguousRefError;
  }
  throw new Error('expected an AmbiguousRefError, but nothing was thrown');
}

describe('resolveRef finds one profile', () => {
  it.each<[string, string, Kind | undefined, string]>([
    ['an id', '1', undefined, 'elbwerk'],
    ['an id with spaces around', ' 2 ', undefined, 'jens'],
    ['an external id', 'K-100', undefined, 'elbwerk'],
    ['a numeric-looking external id that is no id', '4711', undefined, 'numeric'],
    ['an external id with leading zeros, not id 3', '0003', undefined, 'zeros'],
    ['an e-mail as stored', 'Jens.Koch@Elbwerk.example', undefined, 'jens'],
    ['an e-mail in lower case', 'jens.koch@elbwerk.example', undefined, 'jens'],
    ['an e-mail in upper case', 'ANNA@EXAMPLE.ORG', undefined, 'anna1'],
    ['an exact name', 'Jens Koch', undefined, 'jens'],
    ['a name in another case', 'jens koch', undefined, 'jens'],
    ['a name in upper case', 'ELBWERK GMBH', undefined, 'elbwerk'],
    ['a name shared across kinds, narrowed by kind', 'Acme', 'company', 'acmeC'],
    ['the same, the other kind', 'acme', 'person', 'acmeP'],
    ['an id of the asked kind', '1', 'company', 'elbwerk'],
  ])('by %s (%j)', (_label, ref, kind, expected) => {
    expect(resolveRef(store, ref, kind).id).toBe(id[expected]);
  });

  it('an id comes before an equal external id, as SPEC.md orders them', () => {
    expect(resolveRef(store, '2').id).toBe(id['jens']);
    expect(resolveRef(store, 'Schatten AG').external_id).toBe('2');
  });

  it('returns the whole profile, with its company', () => {
    expect(resolveRef(store, 'jens.koch@elbwerk.example')).toMatchObject({ kind: 'person', company: 'Elbwerk GmbH', company_id: id['elbwerk'] });
  });
});

describe('resolveRef refuses', () => {
  it('an ambiguous name, listing every candidate with its id (exit 3)', () => {
    const err = ambiguous(() => resolveRef(store, 'anna müller'));
    expect(err.exitCode).toBe(3);
    expect(err.candidates.map((c) => c.id)).toEqual([id['anna1'], id['anna2']]);
    expect(err.candidates.map((c) => c.label)).toEqual(['Anna Müller (person, Görlitz)', 'Anna Müller (person, Leipzig)']);
    expect(err.message).toMatch(/"anna müller" matches 2 profiles \(#3 Anna Müller \(person, Görlitz\); #4 Anna Müller \(person, Leipzig\)\); use the id instead\./);
  });

  it('a name shared by a company and a person when no kind is asked', () => {
    expect(ambiguous(() => resolveRef(store, 'Acme')).candidates.map((c) => c.id)).toEqual([id['acmeC'], id['acmeP']]);
  });

  it('an e-mail two profiles share (in any case)', () => {
    expect(ambiguous(() => resolveRef(store, 'info@example.org')).candidates.map((c) => c.id)).toEqual([id['shared1'], id['shared2']]);
  });

  it.each<[string, string]>([
    ['an unknown id', '999'],
    ['an unknown name', 'Nobody'],
    ['a part of a name', 'Jens'],
    ['a name with extra letters', 'Jens Koch2'],
    ['an unknown e-mail', 'nobody@example.org'],
    ['an external id in another case', 'k-100'],
    ['id 0', '0'],
    ['a negative id', '-1'],
    ['an id written with a leading zero', '01'], // 01 is not how id 1 is written
  ])('%s (%j) with a NotFoundError (exit 3)', (_label, ref) => {
    const err = notFound(() => resolveRef(store, ref));
    expect(err.exitCode).toBe(3);
    expect(err.message).toMatch(/no profile matches .*custfile list/);
  });

  it('an empty REF', () => {
    expect(notFound(() => resolveRef(store, '  ')).message).toMatch(/empty REF/);
  });

  it.each<[string, Kind, string]>([
    ['Elbwerk GmbH', 'person', 'is a company, not a person'],
    ['1', 'person', 'is a company, not a person'],
    ['Jens Koch', 'company', 'is a person, not a company'],
    ['jens.koch@elbwerk.example', 'company', 'is a person, not a company'],
    ['anna müller', 'company', 'is a person, not a company'],
  ])('%j asked as a %s', (ref, kind, problem) => {
    const err = notFound(() => resolveRef(store, ref, kind));
    expect(err.message).toContain(problem);
  });
});

describe('describe', () => {
  it('labels a profile with its kind, its company for a person, and its city', () => {
    expect(describeProfile(store.profiles.byId(id['jens']!)!)).toBe('Jens Koch (person, Elbwerk GmbH, Dresden)');
    expect(describeProfile(store.profiles.byId(id['elbwerk']!)!)).toBe('Elbwerk GmbH (company, Dresden)');
    expect(describeProfile(store.profiles.byId(id['numeric']!)!)).toBe('Paul Zahl (person)');
  });
});
