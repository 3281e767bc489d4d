/**
 * Saved segments: a name for a `--where` expression, usable as `--segment NAME` wherever FILTERS
 * apply and inside other expressions as `segment = 'NAME'`.
 *
 * Decisions (SPEC.md is silent):
 * - The expression is kept as typed, and resolved each time it is used: a segment is a live
 *   query ("customers in the north with sales over 10,000"), not a frozen list of ids, so its
 *   members change as profiles do. Relative dates (`last_sale < -90d`) count from the day of use.
 * - Saving validates by parsing *and* compiling with the new definition in place, so an unknown
 *   field, an unknown segment, or a cycle through other segments (`a` uses `b`, and `b` is being
 *   saved to use `a`) is refused (exit 4) and nothing is written.
 * - Saving a name that exists replaces its expression (the report says so).
 * - A segment that another segment uses cannot be deleted (exit 2, naming the users): deleting it
 *   would break them silently.
 * - Names are exact (case counts, as for git branches): letters, digits, `_`, `-`, `.`; 64 at most.
 */
import { NotFoundError, RejectedInputError, UsageError } from '../errors.js';
import type { Expr } from '../domain/filter/ast.js';
import { parseWhere } from '../domain/filter/parser.js';
import type { Profile } from '../domain/profile.js';
import { compileFilter, sortSql } from '../storage/filter-sql.js';
import type { Store } from '../storage/store.js';
import type { AppContext } from './context.js';
import { nfc } from '../domain/values.js';

const SEGMENT_NAME = /^[\p{L}\p{N}][\p{L}\p{N}_.-]{0,63}$/u;

export interface SegmentInfo {
  name: string;
  where: string;
  /** Current members; null when the segment no longer compiles (see `error`). */
  count: number | null;
  error?: string;
  created_at: string;
  updated_at: string;
}

export interface SaveResult {
  segment: SegmentInfo;
  replaced: boolean;
}

export function checkSegmentName(name: string): string {
  const n = nfc(name.trim());
  if (!SEGMENT_NAME.test(n)) {
    throw new UsageError(`segment name "${n.slice(0, 64)}" is not usable; use letters, digits, _, - and . (at most 64, starting with a letter or digit).`);
  }
  return n;
}

/** Names of the segments an expression refers to directly. */
export function segmentsUsed(expr: Expr): string[] {
  const out: string[] = [];
  const walk = (e: Expr): void => {
    switch (e.type) {
      case 'and':
      case 'or':
        walk(e.left);
        walk(e.right);
        break;
      case 'not':
        walk(e.expr);
        break;
      case 'segment':
        if (!out.includes(e.name)) out.push(e.name);
        break;
      default:
        break;
    }
  };
  walk(expr);
  return out;
}

/** A resolver for compileFilter over the saved segments, with `override` in place of one of them. */
function resolver(store: Store, override?: { name: string; tree: Expr }): (name: string) => Expr | undefined {
  return (name) => {
    if (override && name === override.name) return override.tree;
    const saved = store.segments.get(name);
    return saved ? parseWhere(saved.expr) : undefined;
  };
}

/** `where`: one expression, or several (`--where` given more than once) that must all hold. */
export function saveSegment(ctx: AppContext, input: { name: string; where: string | string[] }): SaveResult {
  const name = checkSegmentName(input.name);
  const parts = typeof input.where === 'string' ? [input.where] : input.where;
  const where = (parts.length === 1 ? parts[0]! : parts.map((w) => `(${w})`).join(' and ')).trim();
  // parse errors (exit 4, with the column) come before the file is opened for writing
  const tree = parseWhere(where);
  const { store } = ctx;
  return store.write(() => {
    let filter;
    try {
      // compiled from the segment itself, so a path that comes back to it is a cycle
      filter = compileFilter({ type: 'segment', name }, { today: ctx.clock.today(), segment: resolver(store, { name, tree }) });
    } catch (err) {
      // an unknown segment inside the expression is bad input here, not a failed lookup
      if (err instanceof NotFoundError) throw new RejectedInputError(`segment ${name} was not saved: ${err.message}`);
      if (err instanceof RejectedInputError) throw new RejectedInputError(`segment ${name} was not saved: ${err.message}`);
      throw err;
    }
    const count = store.profiles.count(filter);
    const existing = store.segments.get(name);
    const now = ctx.clock.now();
    store.segments.save(name, where, now);
    return {
      segment: { name, where, count, created_at: existing?.created_at ?? now, updated_at: now },
      replaced: existing !== undefined,
    };
  });
}

export function listSegments(ctx: AppContext): SegmentInfo[] {
  const { store } = ctx;
  return store.read(() =>
    store.segments.all().map((s) => {
      const info: SegmentInfo = { name: s.name, where: s.expr, count: null, created_at: s.created_at, updated_at: s.updated_at };
      try {
        info.count = store.profiles.count(compileFilter({ type: 'segment', name: s.name }, { today: ctx.clock.today(), segment: resolver(store) }));
      } catch (err) {
        if (!(err instanceof RejectedInputError || err instanceof NotFoundError || err instanceof UsageError)) throw err;
        info.error = err.message;
      }
      return info;
    }),
  );
}

function mustExist(store: Store, name: string): void {
  if (!store.segments.get(name)) throw new NotFoundError(`there is no segment "${name}"; see custfile segment list.`);
}

/** The members of a segment, streamed like `list`. */
export function segmentMembers(
  ctx: AppContext,
  input: { name: string; sort?: string; limit?: number; withCustomKeys?: boolean },
): { rows: IterableIterator<Profile>; customKeys: string[] } {
  const { store } = ctx;
  const name = input.name.trim();
  store.guard(() => mustExist(store, name));
  const filter = store.guard(() => compileFilter({ type: 'segment', name }, { today: ctx.clock.today(), segment: resolver(store) }));
  const orderBy = sortSql(input.sort);
  // the custom fields in use become CSV columns, as `list` does
  const customKeys = input.withCustomKeys ? store.guard(() => store.profiles.customKeys(filter)) : [];
  const rows = store.guard(() => store.profiles.iterate({ filter, orderBy, limit: input.limit ?? null }));
  return { rows, customKeys };
}

export function deleteSegment(ctx: AppContext, name: string): { name: string; where: string } {
  const { store } = ctx;
  const n = name.trim();
  return store.write(() => {
    const saved = store.segments.get(n);
    if (!saved) throw new NotFoundError(`there is no segment "${n}"; see custfile segment list.`);
    const users = store.segments.all().filter((s) => {
      if (s.name === n) return false;
      try {
        return segmentsUsed(parseWhere(s.expr)).includes(n);
      } catch {
        return false;
      }
    });
    if (users.length > 0) {
      throw new UsageError(`segment ${n} is used by ${users.map((u) => u.name).join(', ')}; change or delete ${users.length === 1 ? 'that segment' : 'those segments'} first.`);
    }
    store.segments.delete(n);
    return { name: n, where: saved.expr };
  });
}
