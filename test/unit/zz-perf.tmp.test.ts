import { it } from 'vitest';
import { mapHeaders, rowToRecord } from '../../src/domain/import-mapping.js';
it('perf', () => {
  const headers = ['Kundennr','Vorname','Nachname','Firma','Straße','PLZ','Ort','Geburtstag','Umsatz','E-Mail','Telefon','Kunde seit','Bemerkung','Schlagworte','Lieblingsfarbe','Land','Branche','Mitarbeiter','Status'];
  const mapping = mapHeaders(headers);
  const rows = Array.from({ length: 1000 }, (_, i) => [`K-${i}`, i % 3 ? 'Jürgen' : '', i % 3 ? 'Müller' : '', 'Bäckerei GmbH', 'Königstraße 5', '01067', 'Dresden', '17.05.1985', '1.234,56', `a${i}@example.de`, '0351 1234', '2020-03-01', 'Notiz, mit Komma', 'VIP,Stamm', 'Grün', 'DE', 'Bau', '42', 'Kunde']);
  for (let k = 0; k < 200; k++) for (const r of rows) rowToRecord(mapping, r, { decimal: ',' });
  const t = performance.now();
  for (let k = 0; k < 1000; k++) for (const r of rows) rowToRecord(mapping, r, { decimal: ',' });
  console.log('1M rows ms', Math.round(performance.now() - t));
});
