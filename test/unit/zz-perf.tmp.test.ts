import { it } from 'vitest';
import { mapHeaders, rowToRecord, parseImportDate, parseImportMoney, normalizeHeader, splitImportTags, removeFormulaGuard } from '../../src/domain/import-mapping.js';
function time(name: string, f: () => void) { for (let i = 0; i < 100000; i++) f(); const t = performance.now(); for (let i = 0; i < 1000000; i++) f(); console.log(name, Math.round(performance.now() - t)); }
it('perf', () => {
  time('date dotted', () => parseImportDate('birthday', '17.05.1985', { birthday: true }));
  time('date iso', () => parseImportDate('customer_since', '2020-03-01', {}));
  time('money', () => parseImportMoney('1.234,56', ','));
  time('normalize', () => normalizeHeader('Kunde'));
  time('tags', () => splitImportTags('VIP,Stamm'));
  time('guard', () => removeFormulaGuard('Königstraße 5'));
  const headers = ['Vorname','Nachname','PLZ'];
  const mapping = mapHeaders(headers);
  time('tiny row', () => rowToRecord(mapping, ['a','b','01067'], {}));
});
