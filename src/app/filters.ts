/**
 * The FILTERS of SPEC.md (`--where`, `--segment`, `--kind`, `--tag`, `--city`, `--industry`,
 * `--lifecycle`) combined with `and` into one tree, then compiled by storage.
 */
import { UsageError } from '../errors.js';
import { KINDS, LIFECYCLES } from '../domain/fields.js';
import { type Expr, and } from '../domain/filter/ast.js';
import { parseWhere } from '../domain/filter/parser.js';
import { type SqlFragment, compileFilter } from '../storage/filter-sql.js';
import type { Store } from '../storage/store.js';

export interface FilterOptions {
  where?: string;
  segment?: string;
  kind?: string;
  tag?: string;
  city?: string;
  industry?: string;
  lifecycle?: string;
}

export function filterTree(options: FilterOptions): Expr | null {
  const parts: (Expr | null)[] = [];
  if (options.kind !== undefined) {
    const kind = options.kind.toLowerCase();
    if (!(KINDS as readonly string[]).includes(kind)) throw new UsageError(`--kind must be company or person, not "${options.kind}".`);
    parts.push({ type: 'compare', field: 'kind', op: '=', value: kind });
  }
  if (options.lifecycle !== undefined) {
    const lc = options.lifecycle.toLowerCase();
    if (!(LIFECYCLES as readonly string[]).includes(lc)) throw new UsageError(`--lifecycle must be one of ${LIFECYCLES.join(', ')}.`);
    parts.push({ type: 'compare', field: 'lifecycle', op: '=', value: lc });
  }
  if (options.tag !== undefined) {
    // --tag a,b: has every one of them
    for (const tag of options.tag.split(',').map((t) => t.trim()).filter(Boolean)) {
      parts.push({ type: 'compare', field: 'tag', op: '=', value: tag });
    }
  }
  if (options.city !== undefined) parts.push({ type: 'compare', field: 'city', op: '=', value: options.city });
  if (options.industry !== undefined) parts.push({ type: 'compare', field: 'industry', op: '=', value: options.industry });
  if (options.segment !== undefined) parts.push({ type: 'segment', name: options.segment });
  // an empty --where is an error (parseWhere says so), not "every profile": `--where "$UNSET"` must not export everyone
  if (options.where !== undefined) parts.push(parseWhere(options.where));
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
