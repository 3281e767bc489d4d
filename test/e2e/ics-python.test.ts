/**
 * The birthday calendar read by a real calendar library: python3-icalendar (Debian's package;
 * `.ci/run` installs it with `apt-get install -y python3-icalendar`). Skipped where no python3
 * on this machine can import it. Its recurrences are expanded with dateutil (an icalendar
 * dependency), so the 29 February rule is checked as a calendar would show it.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { birthdaysToIcs } from '../../src/io/ics.js';

// The python3 on PATH may be a pyenv one without Debian's packages; /usr/bin/python3 has them.
const python = ['python3', '/usr/bin/python3'].find(
  (candidate) => spawnSync(candidate, ['-c', 'import icalendar, dateutil'], { stdio: 'ignore' }).status === 0,
);

const READ_CALENDAR = `
import json, sys, datetime
from icalendar import Calendar
from dateutil.rrule import rrulestr

with open(sys.argv[1], 'rb') as f:
    cal = Calendar.from_ical(f.read())
out = []
for ev in cal.walk('VEVENT'):
    start = ev.decoded('DTSTART')
    rule = ev.get('RRULE').to_ical().decode()
    dtstart = datetime.datetime(start.year, start.month, start.day)
    dates = rrulestr(rule, dtstart=dtstart).between(
        datetime.datetime(2026, 1, 1), datetime.datetime(2029, 12, 31), inc=True)
    out.append({
        'uid': str(ev.get('UID')),
        'summary': str(ev.get('SUMMARY')),
        'dtstart': start.isoformat(),
        'rrule': rule,
        'transp': str(ev.get('TRANSP')),
        'occurrences': [d.date().isoformat() for d in dates],
    })
print(json.dumps({'prodid': str(cal.get('PRODID')), 'events': out}))
`;

interface Parsed {
  prodid: string;
  events: { uid: string; summary: string; dtstart: string; rrule: string; transp: string; occurrences: string[] }[];
}

describe.skipIf(!python)('the birthday calendar in python3-icalendar', () => {
  const dir = mkdtempSync(join(tmpdir(), 'custfile-ics-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  function parse(ics: string): Parsed {
    const file = join(dir, `birthdays-${Math.random().toString(36).slice(2)}.ics`);
    writeFileSync(file, ics, 'utf8');
    const result = spawnSync(python!, ['-c', READ_CALENDAR, file], { encoding: 'utf8' });
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
    return JSON.parse(result.stdout) as Parsed;
  }

  it('has one yearly event per birthday, with names, umlauts and escapes intact', () => {
    const longName = 'Jürgen-Björn Größenwahn-Übermüller von und zu Ährenfeld-Öhringen-Süßmeier';
    const parsed = parse(
      birthdaysToIcs(
        [
          { id: 1, name: 'Anna Müller', company: 'Acme GmbH', birthday: '1985-03-14' },
          { id: 2, name: 'Bert', company: null, birthday: '--07-01' },
          { id: 3, name: 'Müller, Anna; "Dr."', company: 'Smith, Jones\nLtd', birthday: '1990-12-31' },
          { id: 4, name: longName, company: 'Bäckerei Müßiggang & Söhne GmbH', birthday: '1970-01-01' },
        ],
        { now: '2026-11-22T07:30:00Z' },
      ),
    );
    expect(parsed.prodid).toBe('-//custfile//custfile birthdays//EN');
    expect(parsed.events.map((e) => [e.uid, e.summary, e.dtstart, e.rrule, e.transp])).toEqual([
      ['custfile-birthday-1@custfile', 'Birthday: Anna Müller (Acme GmbH)', '1985-03-14', 'FREQ=YEARLY', 'TRANSPARENT'],
      ['custfile-birthday-2@custfile', 'Birthday: Bert', '1900-07-01', 'FREQ=YEARLY', 'TRANSPARENT'],
      ['custfile-birthday-3@custfile', 'Birthday: Müller, Anna; "Dr." (Smith, Jones\nLtd)', '1990-12-31', 'FREQ=YEARLY', 'TRANSPARENT'],
      ['custfile-birthday-4@custfile', `Birthday: ${longName} (Bäckerei Müßiggang & Söhne GmbH)`, '1970-01-01', 'FREQ=YEARLY', 'TRANSPARENT'],
    ]);
    expect(parsed.events[0]!.occurrences).toEqual(['2026-03-14', '2027-03-14', '2028-03-14', '2029-03-14']);
    expect(parsed.events[1]!.occurrences).toEqual(['2026-07-01', '2027-07-01', '2028-07-01', '2029-07-01']);
  });

  it('shows a 29 February birthday every year: 28 February in common years (or 1 March with mar1)', () => {
    const entries = [
      { id: 5, name: 'Leap', company: null, birthday: '2000-02-29' },
      { id: 6, name: 'Leap Yearless', company: null, birthday: '--02-29' },
    ];
    const feb28 = parse(birthdaysToIcs(entries, { now: '2026-11-22T07:30:00Z' }));
    expect(feb28.events).toHaveLength(2);
    for (const event of feb28.events) {
      expect(event.occurrences).toEqual(['2026-02-28', '2027-02-28', '2028-02-29', '2029-02-28']);
    }
    const mar1 = parse(birthdaysToIcs(entries, { now: '2026-11-22T07:30:00Z', leapDay: 'mar1' }));
    for (const event of mar1.events) {
      expect(event.occurrences).toEqual(['2026-03-01', '2027-03-01', '2028-02-29', '2029-03-01']);
    }
  });
});
