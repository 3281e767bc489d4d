/**
 * The fingerprint of a mapped import row: 52 bits of two FNV-1a hashes over its parts, each led
 * by its length (so no two different rows serialize alike). A re-import compares it with the one
 * stored on the profile the row matches (storage migration 0030) to skip rows that change
 * nothing. A false "unchanged" needs a changed row whose fingerprint equals the old one: 2^-52.
 */
import type { ImportValues } from './import-mapping.js';

const SEED_A = 0x811c9dc5;
const SEED_B = 0x9e3779b9;

export function importFingerprint(values: ImportValues): number {
  let a = SEED_A;
  let b = SEED_B;
  const feed = (text: string) => {
    a = Math.imul(a ^ text.length, 0x01000193);
    b = Math.imul(b ^ text.length, 0x01000193);
    for (let i = 0; i < text.length; i++) {
      const c = text.charCodeAt(i);
      a = Math.imul(a ^ c, 0x01000193);
      b = Math.imul(b ^ c, 0x01000193);
    }
    // the second hash also mixes position-dependent bits, so the two are not the same function
    b = Math.imul(b ^ (b >>> 15), 0x2c1b3c6d);
  };
  feed(values.kind);
  // no company and an empty company name are the same row (the import ignores an empty name)
  feed(values.companyName || '\u0000none');
  const tags = values.tagEdits ?? [];
  feed(String(tags.length));
  for (const t of tags) feed(t);
  feed(String(values.set.length));
  for (const p of values.set) {
    feed(p.field);
    feed(p.value);
  }
  if (values.companySet === undefined) feed('\u0000none');
  else {
    feed(String(values.companySet.length));
    for (const p of values.companySet) {
      feed(p.field);
      feed(p.value);
    }
  }
  a ^= a >>> 16;
  a = Math.imul(a, 0x85ebca6b);
  a ^= a >>> 13;
  b ^= b >>> 16;
  b = Math.imul(b, 0xc2b2ae35);
  b ^= b >>> 16;
  return (a >>> 0) * 0x100000 + (b >>> 12);
}
