import { describe, expect, it } from 'vitest';
import {
  type BirthdayIcsEntry,
  DEFAULT_PRODID,
  birthdayUid,
  birthdaysToIcs,
  escapeText,
  foldLine,
} from '../../src/io/ics.js';
import { ValidationError } from '../../src/errors.js';

const NOW = '2026-11-22T07:30:05.123Z';
const octets = (s: string) => Buffer.byteLength(s, 'utf8');

/** Undo RFC 5545 folding: a CRLF followed by one space or tab joins the lines. */
const unfold = (ics: string) => ics.replace(/\r\n[ \t]/g, '');

/** The events of a calendar as maps of property name (with parameters) → value. */
function events(ics: string): Map<string, string>[] {
  const out: Map<string, string>[] = [];
  let current: Map<string, string> | null = null;
  for (const line of unfold(ics).split('\r\n')) {
    if (line === 'BEGIN:VEVENT') current = new Map();
    else if (line === 'END:VEVENT') {
      out.push(current!);
      current = null;
    } else if (current) {
      const colon = line.indexOf(':');
      current.set(line.slice(0, colon), line.slice(colon + 1));
    }
  }
  return out;
}

const anna: BirthdayIcsEntry = { id: 7, name: 'Anna Müller', company: 'Acme GmbH', birthday: '1985-03-14' };

describe('escapeText', () => {
  it.each([
    ['plain', 'plain'],
    ['a,b', 'a\\,b'],
    ['a;b', 'a\\;b'],
    ['back\\slash', 'back\\\\slash'],
    ['two\nlines', 'two\\nlines'],
    ['crlf\r\nline', 'crlf\\nline'],
    ['cr\rline', 'cr\\nline'],
    ['bell\u0007 and tab\t', 'bell and tab\t'],
    ['Müller, Anna; "CEO"', 'Müller\\, Anna\\; "CEO"'],
  ])('%j → %j', (input, expected) => {
    expect(escapeText(input)).toBe(expected);
  });
});

describe('foldLine', () => {
  it('leaves a line of 75 octets alone', () => {
    const line = 'X'.repeat(75);
    expect(foldLine(line)).toBe(line);
  });

  it('folds at 75 octets, continuation lines counting their leading space', () => {
    const line = 'Y'.repeat(75 + 74 + 10);
    const folded = foldLine(line);
    expect(folded.split('\r\n').map(octets)).toEqual([75, 75, 11]);
    expect(unfold(folded)).toBe(line);
  });

  it.each([
    ['umlauts (2 octets)', 'ä'],
    ['euro sign (3 octets)', '€'],
    ['emoji (4 octets, a surrogate pair)', '🎂'],
  ])('never splits %s', (_label, ch) => {
    for (let prefix = 0; prefix < 8; prefix++) {
      const line = `SUMMARY:${'a'.repeat(prefix)}${ch.repeat(60)}`;
      const folded = foldLine(line);
      const parts = folded.split('\r\n');
      for (const part of parts) {
        expect(octets(part)).toBeLessThanOrEqual(75);
        // A split character would turn into U+FFFD when the part is decoded alone.
        expect(Buffer.from(part, 'utf8').toString('utf8')).not.toContain('\uFFFD');
        expect(part).not.toMatch(/[\uD800-\uDBFF]$|^ ?[\uDC00-\uDFFF]/);
      }
      // Folding as full as allowed: only the last line is shorter than a character's reach.
      for (const part of parts.slice(0, -1)) expect(octets(part)).toBeGreaterThan(75 - octets(ch));
      expect(parts.slice(1).every((p) => p.startsWith(' '))).toBe(true);
      expect(unfold(folded)).toBe(line);
    }
  });
});

describe('birthdaysToIcs', () => {
  it('writes a calendar with one event per birthday', () => {
    const ics = birthdaysToIcs(
      [anna, { id: 8, name: 'Bert', company: null, birthday: '--07-01' }, { id: 9, name: 'Cleo', company: '', birthday: '1990-12-31' }],
      { now: NOW },
    );
    const lines = unfold(ics).split('\r\n');
    expect(lines.slice(0, 6)).toEqual([
      'BEGIN:VCALENDAR',
      'VERSION:2.0',
      `PRODID:${DEFAULT_PRODID}`,
      'CALSCALE:GREGORIAN',
      'METHOD:PUBLISH',
      'X-WR-CALNAME:Birthdays',
    ]);
    expect(lines.at(-2)).toBe('END:VCALENDAR');
    expect(lines.at(-1)).toBe(''); // the file ends with CRLF
    expect(events(ics)).toHaveLength(3);
    expect(ics.match(/^BEGIN:VEVENT\r$/gm)).toHaveLength(3);
    expect(ics.match(/^END:VEVENT\r$/gm)).toHaveLength(3);
  });

  it('uses CRLF for every line end and never a bare LF or CR', () => {
    const ics = birthdaysToIcs([{ ...anna, name: 'Line\nBreak\rHere ' + 'ü'.repeat(80) }], { now: NOW });
    expect(ics.endsWith('\r\n')).toBe(true);
    expect(ics.replace(/\r\n/g, '')).not.toMatch(/[\r\n]/);
  });

  it('writes an all-day, yearly, transparent event with a stable UID', () => {
    const [event] = events(birthdaysToIcs([anna], { now: NOW }));
    expect(Object.fromEntries(event!)).toEqual({
      UID: 'custfile-birthday-7@custfile',
      DTSTAMP: '20261122T073005Z',
      'DTSTART;VALUE=DATE': '19850314',
      'DTEND;VALUE=DATE': '19850315',
      RRULE: 'FREQ=YEARLY',
      SUMMARY: 'Birthday: Anna Müller (Acme GmbH)',
      DESCRIPTION: 'Born 1985-03-14.',
      CATEGORIES: 'BIRTHDAY',
      TRANSP: 'TRANSPARENT',
    });
  });

  it('gives the same UID to the same profile on every export, and different ones to others', () => {
    const first = events(birthdaysToIcs([anna, { ...anna, id: 8 }], { now: NOW }));
    const again = events(birthdaysToIcs([{ ...anna, name: 'Anna Schmidt', birthday: '1985-03-15' }], { now: '2027-01-01T00:00:00Z' }));
    expect(first.map((e) => e.get('UID'))).toEqual([birthdayUid(7), birthdayUid(8)]);
    expect(again[0]!.get('UID')).toBe(first[0]!.get('UID'));
  });

  it.each<[string, string, string, string, string | undefined]>([
    // birthday, leap-day rule, DTSTART, RRULE, DESCRIPTION
    ['--07-01', 'feb28', '19000701', 'FREQ=YEARLY', undefined], // year-less: 1900, no age, no year
    ['2000-02-29', 'feb28', '20000229', 'FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=-1', 'Born 2000-02-29.'],
    ['--02-29', 'feb28', '19000228', 'FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=-1', undefined],
    ['2000-02-29', 'mar1', '20000229', 'FREQ=YEARLY;BYYEARDAY=60', 'Born 2000-02-29.'],
    ['--02-29', 'mar1', '19000301', 'FREQ=YEARLY;BYYEARDAY=60', undefined],
    ['1999-02-28', 'feb28', '19990228', 'FREQ=YEARLY', 'Born 1999-02-28.'],
    ['1999-03-01', 'mar1', '19990301', 'FREQ=YEARLY', 'Born 1999-03-01.'],
  ])('%s (%s) starts %s and recurs %s', (birthday, leapDay, dtstart, rrule, description) => {
    const [event] = events(
      birthdaysToIcs([{ ...anna, birthday }], { now: NOW, leapDay: leapDay as 'feb28' | 'mar1' }),
    );
    expect(event!.get('DTSTART;VALUE=DATE')).toBe(dtstart);
    expect(event!.get('RRULE')).toBe(rrule);
    expect(event!.get('DESCRIPTION')).toBe(description);
    expect(event!.get('SUMMARY')).not.toMatch(/\d/); // no age, no year
  });

  it('escapes names and companies', () => {
    const [event] = events(
      birthdaysToIcs([{ id: 1, name: 'Müller, Anna; Dr.\\', company: 'Smith, Jones & Co.\nLtd', birthday: '1970-01-01' }], { now: NOW }),
    );
    expect(event!.get('SUMMARY')).toBe('Birthday: Müller\\, Anna\\; Dr.\\\\ (Smith\\, Jones & Co.\\nLtd)');
  });

  it('folds long lines at 75 octets without splitting umlauts', () => {
    const name = 'Jürgen-Björn Größenwahn-Übermüller von und zu Ährenfeld-Öhringen-Süßmeier';
    const ics = birthdaysToIcs([{ id: 1, name, company: 'Bäckerei Müßiggang & Söhne GmbH', birthday: '1970-01-01' }], {
      now: NOW,
      prodId: '-//Ünïcödé Prödücer Gesellschaft mit beschränkter Haftung//custfile birthdays 1.0//DE',
    });
    const physical = ics.split('\r\n').slice(0, -1);
    expect(physical.some((l) => l.startsWith(' '))).toBe(true);
    for (const line of physical) {
      expect(octets(line)).toBeLessThanOrEqual(75);
      expect(Buffer.from(line, 'utf8').toString('utf8')).not.toContain('\uFFFD');
    }
    const [event] = events(ics);
    expect(event!.get('SUMMARY')).toBe(`Birthday: ${name} (Bäckerei Müßiggang & Söhne GmbH)`);
    expect(unfold(ics)).toContain('PRODID:-//Ünïcödé Prödücer Gesellschaft mit beschränkter Haftung//custfile birthdays 1.0//DE\r\n');
  });

  it('writes an empty calendar for no birthdays', () => {
    const ics = birthdaysToIcs([], { now: NOW });
    expect(events(ics)).toEqual([]);
    expect(ics).toMatch(/^BEGIN:VCALENDAR\r\n[\s\S]*\r\nEND:VCALENDAR\r\n$/);
  });

  it('rejects an invalid birthday naming the profile id but not the value', () => {
    const call = () => birthdaysToIcs([{ ...anna, id: 42, birthday: '1985-02-30' }], { now: NOW });
    expect(call).toThrow(ValidationError);
    expect(call).toThrow(/#42/);
    expect(call).not.toThrow(/1985-02-30/);
  });

  it('rejects a DTSTAMP that is not a timestamp', () => {
    expect(() => birthdaysToIcs([anna], { now: 'yesterday' })).toThrow(RangeError);
  });
});
