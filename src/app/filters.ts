/**
 * The FILTERS of SPEC.md (`--where`, `--segment`, `--kind`, `--tag`, `--city`, `--industry`,
 * `--lifecycle`) combined with `and` into one tree, then compiled by storage.
 */
import { UsageError } from '../errors.js';
import { KINDS, LIFECYCLES } from '../domain/fields.js';
import { type Expr, and } from '../domain/filter/ast.js';
import { parseWhere } from '../domain/filter/parser.js';
import { nfc } from '../domain/values.js';
import { type SqlFragment, compileFilter } from '../storage/filter-sql.js';
import type { Store } from '../storage/store.js';

/** Each filter as given on the command line: an option given twice is a list, and all must hold. */
export interface FilterOptions {
  where?: string | string[];
  segment?: string | string[];
  kind?: string | string[];
  tag?: string | string[];
  city?: string | string[];
  industry?: string | string[];
  lifecycle?: string | string[];
}

function each(value: string | string[] | undefined): string[] {
  return value === undefined ? [] : typeof value === 'string' ? [value] : value;
}

export function filterTree(options: FilterOptions): Expr | null {
  const parts: (Expr | null)[] = [];
  for (const given of each(options.kind)) {
    const kind = given.toLowerCase();
    if (!(KINDS as readonly string[]).includes(kind)) throw new UsageError(`--kind must be company or person, not "${given}".`);
    parts.push({ type: 'compare', field: 'kind', op: '=', value: kind });
  }
  for (const given of each(options.lifecycle)) {
    const lc = given.toLowerCase();
    if (!(LIFECYCLES as readonly string[]).includes(lc)) throw new UsageError(`--lifecycle must be one of ${LIFECYCLES.join(', ')}.`);
    parts.push({ type: 'compare', field: 'lifecycle', op: '=', value: lc });
  }
  // --tag a,b: has every one of them; text as typed is compared in NFC, as it is stored
  for (const tag of each(options.tag).flatMap((t) => t.split(',')).map((t) => nfc(t.trim())).filter(Boolean)) {
    parts.push({ type: 'compare', field: 'tag', op: '=', value: tag });
  }
  for (const city of each(options.city)) parts.push({ type: 'compare', field: 'city', op: '=', value: nfc(city) });
  for (const industry of each(options.industry)) parts.push({ type: 'compare', field: 'industry', op: '=', value: nfc(industry) });
  for (const name of each(options.segment)) parts.push({ type: 'segment', name: nfc(name) });
  // an empty --where is an error (parseWhere says so), not "every profile": `--where "$UNSET"` must not export everyone
  for (const where of each(options.where)) parts.push(parseWhere(where));
  return and(parts);
}

/** Compiles the filters; segments are read from the store (and checked for cycles). */
export function compileFilters(store: Store, options: FilterOptions, today: string): SqlFragment | null {
  const tree = filterTree(options);
  if (!tree) return null;
  return compileFilter(tree, {
    today,
    segment: (name) => {
      const saved = store.segments.get(name);
      return saved ? parseWhere(saved.expr) : undefined;
    },
  });
}
