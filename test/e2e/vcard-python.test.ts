/**
 * Our vCards read by a real vCard library: python3-vobject (Debian's package; install it with
 * `apt-get install -y python3-vobject`). Skipped where no python3 on this machine can import it.
 * Checks that folding, escaping and the structured properties (N, ADR, ORG, CATEGORIES) come out
 * the other side as the values we put in, umlauts and emoji included.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { Kind } from '../../src/domain/fields.js';
import { type Profile, emptyDraft } from '../../src/domain/profile.js';
import { profileToVcard } from '../../src/io/vcard.js';

// The python3 on PATH may be a pyenv one without Debian's packages; /usr/bin/python3 has them.
const python = ['python3', '/usr/bin/python3'].find(
  (candidate) => spawnSync(candidate, ['-c', 'import vobject'], { stdio: 'ignore' }).status === 0,
);

const READ_CARDS = `
import json, sys
import vobject

def value(card, name):
    return card.contents[name][0].value if name in card.contents else None

with open(sys.argv[1], encoding='utf-8', newline='') as f:
    text = f.read()
out = []
for card in vobject.readComponents(text):
    adr = value(card, 'adr')
    n = value(card, 'n')
    out.append({
        'version': value(card, 'version'),
        'kind': value(card, 'kind'),
        'fn': value(card, 'fn'),
        'n': [n.family, n.given] if n else None,
        'org': value(card, 'org'),
        'title': value(card, 'title'),
        'email': value(card, 'email'),
        'tel': value(card, 'tel'),
        'adr': [adr.street, adr.city, adr.region, adr.code, adr.country] if adr else None,
        'bday': value(card, 'bday'),
        'note': value(card, 'note'),
        'categories': value(card, 'categories'),
        'url': value(card, 'url'),
        'uid': value(card, 'uid'),
    })
print(json.dumps(out))
`;

function makeProfile(kind: Kind, overrides: Partial<Profile>): Profile {
  return {
    ...emptyDraft(kind),
    id: 1,
    company: null,
    sales_total: 0,
    sales_count: 0,
    last_sale: null,
    created_at: '2026-01-01T00:00:00.000Z',
    updated_at: '2026-01-01T00:00:00.000Z',
    ...overrides,
  };
}

describe.skipIf(!python)('our vCards in python3-vobject', () => {
  const dir = mkdtempSync(join(tmpdir(), 'custfile-vcf-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  function parse(vcf: string): Record<string, unknown>[] {
    const file = join(dir, `cards-${Math.random().toString(36).slice(2)}.vcf`);
    writeFileSync(file, vcf, 'utf8');
    const result = spawnSync(python!, ['-c', READ_CARDS, file], { encoding: 'utf8' });
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
    return JSON.parse(result.stdout) as Record<string, unknown>[];
  }

  it('reads persons and companies with escapes, folding, umlauts and emoji intact', () => {
    const longNote = 'Äußerst wichtige Notiz über Größen, Maße; Gewichte – ' + 'äöüß€😀'.repeat(15) + '\nzweite Zeile \\ Ende';
    const vcf = [
      profileToVcard(
        makeProfile('person', {
          id: 42,
          name: 'Jürgen Müller',
          first_name: 'Jürgen',
          last_name: 'Müller',
          role: 'Einkauf; Leitung, Nord',
          email: 'juergen@example.de',
          phone: '+49 351 1234567',
          street: 'Königstraße 5, Hinterhaus',
          postcode: '01067',
          city: 'Dresden',
          region: 'Sachsen',
          country: 'Deutschland',
          birthday: '1985-05-17',
          notes: longNote,
          tags: ['VIP', 'Stammkunde'],
        }),
        'Bäckerei Müller & Söhne GmbH',
      ),
      profileToVcard(makeProfile('person', { id: 43, name: 'Zoë Krüger', first_name: 'Zoë', last_name: 'Krüger', birthday: '--02-29' }), null),
      profileToVcard(
        makeProfile('company', { id: 3, name: 'Ökobau Süd GmbH', website: 'https://oekobau.example', external_id: 'K-1002', city: 'Chemnitz', postcode: '09111' }),
        null,
      ),
    ].join('');
    expect(parse(vcf)).toEqual([
      {
        version: '4.0',
        kind: 'individual',
        fn: 'Jürgen Müller',
        n: ['Müller', 'Jürgen'],
        org: ['Bäckerei Müller & Söhne GmbH'],
        title: 'Einkauf; Leitung, Nord',
        email: 'juergen@example.de',
        tel: '+49 351 1234567',
        adr: ['Königstraße 5, Hinterhaus', 'Dresden', 'Sachsen', '01067', 'Deutschland'],
        bday: '19850517',
        note: longNote,
        categories: ['VIP', 'Stammkunde'],
        url: null,
        uid: 'urn:custfile:42',
      },
      {
        version: '4.0',
        kind: 'individual',
        fn: 'Zoë Krüger',
        n: ['Krüger', 'Zoë'],
        org: null,
        title: null,
        email: null,
        tel: null,
        adr: null,
        bday: '--0229',
        note: null,
        categories: null,
        url: null,
        uid: 'urn:custfile:43',
      },
      {
        version: '4.0',
        kind: 'org',
        fn: 'Ökobau Süd GmbH',
        n: null,
        org: ['Ökobau Süd GmbH'],
        title: null,
        email: null,
        tel: null,
        adr: ['', 'Chemnitz', '', '09111', ''],
        bday: null,
        note: null,
        categories: null,
        url: 'https://oekobau.example',
        uid: 'K-1002',
      },
    ]);
  });
});
