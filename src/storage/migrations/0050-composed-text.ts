/**
 * Text is kept in Unicode's composed form (NFC) since this step: what a user types is composed,
 * and a decomposed "Müller" (macOS exports write "u" + U+0308) was not found by it, and doubled
 * its profile on the next keyless import (domain/values.ts nfc). Files written before hold such
 * text as it came: here it is composed, in place. Not a change of anyone's data (the text reads
 * the same), so no history entry, no new updated_at. Rows of text without a character from
 * U+0300 up are NFC already and are only read.
 */
import type Database from 'better-sqlite3';
import { nfc } from '../../domain/values.js';
import type { Migration } from './runner.js';

function composed(value: unknown): unknown {
  return typeof value === 'string' ? nfc(value) : value;
}

/** `{"Gro\u0308ße": "…"}` → its keys and values composed (a key that composes onto another keeps the later value). */
function composedJson(text: unknown): unknown {
  if (typeof text !== 'string' || nfc(text) === text) return text;
  try {
    const parsed: unknown = JSON.parse(text);
    const out = Array.isArray(parsed)
      ? parsed.map(composed)
      : parsed !== null && typeof parsed === 'object'
        ? Object.fromEntries(Object.entries(parsed as Record<string, unknown>).map(([k, v]) => [composed(k) as string, composed(v)]))
        : parsed;
    return JSON.stringify(out);
  } catch {
    return text;
  }
}

function composeTable(db: Database.Database, table: string, key: string, columns: readonly string[], json: readonly string[] = []): void {
  const all = [...columns, ...json];
  const update = db.prepare(`UPDATE ${table} SET ${all.map((c) => `${c} = ?`).join(', ')} WHERE ${key} = ?`);
  const rows = db.prepare(`SELECT ${key} AS k, ${all.join(', ')} FROM ${table}`).raw().iterate() as Iterable<unknown[]>;
  const changes: unknown[][] = [];
  for (const row of rows) {
    const values = row.slice(1).map((v, i) => (i < columns.length ? composed(v) : composedJson(v)));
    if (values.some((v, i) => v !== row[i + 1])) changes.push([...values, row[0]]);
  }
  for (const change of changes) {
    try {
      update.run(...change);
    } catch (err) {
      // an external id that composes onto another one's: that row keeps its text as it was
      if (!String((err as { code?: string }).code).startsWith('SQLITE_CONSTRAINT')) throw err;
    }
  }
}

export const composedText: Migration = {
  version: 50,
  name: 'composed-text',
  up(db) {
    composeTable(db, 'profiles', 'id', [
      'external_id', 'name', 'role', 'first_name', 'last_name', 'profession', 'household', 'income_band', 'legal_form',
      'industry', 'website', 'financial_status', 'email', 'phone', 'street', 'postcode', 'city', 'region', 'country', 'source', 'notes',
    ], ['tags', 'custom']);
    composeTable(db, 'communications', 'id', ['body']);
    composeTable(db, 'sales', 'id', ['item']);
    composeTable(db, 'segments', 'name', ['expr']);
  },
};
