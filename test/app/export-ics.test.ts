/**
 * The birthday calendar at the app level: a real (temporary) customer file, a fixed clock, the
 * FILTERS, and the .ics text that `custfile export --format ics` writes.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AppContext } from '../../src/app/context.js';
import { birthdayIcsEntries, birthdaysIcs } from '../../src/app/export-ics.js';
import { addProfile } from '../../src/app/profiles.js';
import { emptyChangeRequest } from '../../src/domain/profile.js';
import { RejectedInputError, UsageError } from '../../src/errors.js';
import { type Store, openStore } from '../../src/storage/store.js';

let dir: string;
let store: Store;
let ctx: AppContext;
const ids: Record<string, number> = {};

function add(kind: 'company' | 'person', fields: Record<string, string>, options: { tags?: string[]; companyRef?: string } = {}): void {
  const request = emptyChangeRequest();
  for (const [field, value] of Object.entries(fields)) request.set.push({ field, value });
  for (const tag of options.tags ?? []) request.tagEdits.push(`+${tag}`);
  const profile = addProfile(ctx, { kind, request, companyRef: options.companyRef });
  ids[profile.name] = profile.id;
}

/** The VEVENTs' UID, DTSTART, RRULE and SUMMARY lines, unfolded. */
function events(ics: string): string[][] {
  const unfolded = ics.replace(/\r\n /g, '');
  return unfolded
    .split('BEGIN:VEVENT\r\n')
    .slice(1)
    .map((block) => block.split('\r\n').filter((l) => /^(UID|DTSTART|RRULE|SUMMARY)[:;]/.test(l)));
}

beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'custfile-export-ics-'));
  store = openStore(path.join(dir, 'customers.db'), { write: true });
  ctx = {
    store,
    clock: { today: () => '2026-11-22', now: () => '2026-11-22T07:30:00.000Z' },
    source: 'cli',
  };
  add('company', { name: 'Elbwerk GmbH', city: 'Dresden' }, { tags: ['vip'] });
  add('person', { name: 'Jens Koch', birthday: '1975-01-03', decision_maker: 'true' }, { tags: ['vip'], companyRef: 'Elbwerk GmbH' });
  add('person', { name: 'Anna Müller', birthday: '--12-30' });
  add('person', { name: 'Leap Li', birthday: '2000-02-29' });
  add('person', { name: 'No Birthday' });
});

afterAll(() => {
  store.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

describe('birthdaysIcs', () => {
  it('writes one yearly event per person with a birthday, by id, with stable UIDs', () => {
    const ics = birthdaysIcs(ctx, {});
    expect(ics.startsWith('BEGIN:VCALENDAR\r\nVERSION:2.0\r\n')).toBe(true);
    expect(ics.endsWith('END:VCALENDAR\r\n')).toBe(true);
    expect(ics.replace(/\r\n/g, '')).not.toContain('\n'); // CRLF only
    expect(events(ics)).toEqual([
      [`UID:custfile-birthday-${ids['Jens Koch']}@custfile`, 'DTSTART;VALUE=DATE:19750103', 'RRULE:FREQ=YEARLY', 'SUMMARY:Birthday: Jens Koch (Elbwerk GmbH)'],
      [`UID:custfile-birthday-${ids['Anna Müller']}@custfile`, 'DTSTART;VALUE=DATE:19001230', 'RRULE:FREQ=YEARLY', 'SUMMARY:Birthday: Anna Müller'],
      [`UID:custfile-birthday-${ids['Leap Li']}@custfile`, 'DTSTART;VALUE=DATE:20000229', 'RRULE:FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=-1', 'SUMMARY:Birthday: Leap Li'],
    ]);
    expect(ics).toContain('DTSTAMP:20261122T073000Z');
    // the same file twice gives the same calendar: a re-import updates instead of duplicating
    expect(birthdaysIcs(ctx, {})).toBe(ics);
  });

  it('keeps 29 February on 1 March in common years with mar1', () => {
    const leap = events(birthdaysIcs(ctx, {}, 'mar1')).find((e) => e.includes('SUMMARY:Birthday: Leap Li'));
    expect(leap).toContain('RRULE:FREQ=YEARLY;BYYEARDAY=60');
  });

  it.each<[string, Parameters<typeof birthdayIcsEntries>[1], string[]]>([
    ['--tag vip', { tag: 'vip' }, ['Jens Koch']],
    ['--where on the key contact', { where: 'decision_maker = true' }, ['Jens Koch']],
    ['--kind company: companies have no birthday', { kind: 'company' }, []],
    ['--city with no one there', { city: 'Leipzig' }, []],
  ])('applies the filters: %s', (_label, filters, names) => {
    expect(birthdayIcsEntries(ctx, filters).map((e) => e.name)).toEqual(names);
  });

  it('writes a valid, empty calendar when no one matches', () => {
    const ics = birthdaysIcs(ctx, { city: 'Leipzig' });
    expect(ics).toContain('BEGIN:VCALENDAR\r\n');
    expect(ics).not.toContain('BEGIN:VEVENT');
  });

  it('rejects bad filters with the usual errors', () => {
    expect(() => birthdaysIcs(ctx, { kind: 'robot' })).toThrow(UsageError);
    expect(() => birthdaysIcs(ctx, { where: 'city = = 1' })).toThrow(RejectedInputError);
  });
});
