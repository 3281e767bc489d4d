/**
 * Transactions: `custfile sale REF AMOUNT [--date D] [--item TEXT]` and `custfile sales [REF]`.
 *
 * Decisions (SPEC.md is silent):
 * - AMOUNT is an exact decimal (`parseMoneyCents`: `19.99`, `19,99`, `1.234,50`, `€ 12`), kept as
 *   integer cents. A negative amount is a refund or credit note and is allowed: it lowers
 *   sales_total and counts as a transaction, which is what the books say. Zero is allowed (a free
 *   sample is still a transaction).
 * - `--date` defaults to today and takes relative dates (`-3d`); a date in the future is refused,
 *   since a sale that has not happened yet would make last_sale lie.
 * - The derived fields (sales_total, sales_count, last_sale) are not written here: the triggers
 *   of 0010-initial keep them in step with every insert and delete, including `forget`'s cascade.
 * - A sale writes no history rows: history is about the fields a user edits; the sales table is
 *   its own record, with its source.
 */
import { UsageError, ValidationError } from '../errors.js';
import { resolveDateInput } from '../domain/dates.js';
import { nfc, parseMoneyCents } from '../domain/values.js';
import type { Sale, SalesSummary } from '../storage/sale-repo.js';
import type { AppContext } from './context.js';
import { resolveRef } from './resolve-ref.js';

/** Longest item text kept. */
export const MAX_ITEM_CHARS = 500;

export interface SaleInput {
  ref: string;
  amount: string;
  date?: string;
  item?: string;
}

export interface SaleResult {
  sale: Sale;
  /** The profile's derived fields after the sale. */
  summary: SalesSummary;
}

/** AMOUNT → integer cents; ValidationError naming AMOUNT otherwise. */
export function parseSaleAmount(text: string): number {
  const cents = parseMoneyCents(text);
  if (cents === null) throw new ValidationError('AMOUNT', 'is not an amount; write e.g. 19.99 or 1.234,50, negative for a refund (1.500 is refused: it could be 1500 or 1.50).');
  return cents;
}

/** An item text, trimmed; null when empty. */
export function cleanItem(text: string | undefined, label = '--item'): string | null {
  if (text === undefined) return null;
  const t = nfc(text.trim());
  if (t === '') return null;
  if (/[\u0000-\u0008\u000b-\u001f\u007f]/.test(t)) throw new ValidationError(label, 'contains control characters.');
  if (Array.from(t).length > MAX_ITEM_CHARS) throw new ValidationError(label, `is longer than ${MAX_ITEM_CHARS} characters.`);
  return t;
}

export function saleDate(text: string | undefined, today: string): string {
  if (text === undefined) return today;
  const date = resolveDateInput(text, today, 'past');
  if (date === null) throw new UsageError(`--date must be a date such as 2026-11-22, today or -3d, not "${text.slice(0, 40)}".`);
  if (date > today) throw new UsageError(`--date ${date} is in the future; record a sale on the day it happened.`);
  return date;
}

export function recordSale(ctx: AppContext, input: SaleInput): SaleResult {
  const amount_cents = parseSaleAmount(input.amount);
  const today = ctx.clock.today();
  const date = saleDate(input.date, today);
  const item = cleanItem(input.item);
  const { store } = ctx;
  return store.write(() => {
    const profile = resolveRef(store, input.ref);
    const id = store.sales.add({ profile_id: profile.id, date, amount_cents, item, source: ctx.source, created_at: ctx.clock.now() });
    return { sale: store.sales.byId(id)!, summary: store.sales.summary(profile.id)! };
  });
}

export interface SalesListInput {
  ref?: string;
  since?: string;
  limit?: number;
}

/** Sales, newest first: one profile's, or everyone's; streamed. */
export function listSales(ctx: AppContext, input: SalesListInput): IterableIterator<Sale> {
  let since: string | undefined;
  if (input.since !== undefined) {
    const d = resolveDateInput(input.since, ctx.clock.today(), 'past');
    if (d === null) throw new UsageError('--since must be a date such as 2026-01-31, or a span such as 30d, 6m or 1y.');
    since = d;
  }
  const { store } = ctx;
  const profileId = input.ref !== undefined ? store.read(() => resolveRef(store, input.ref!).id) : undefined;
  return store.guard(() => store.sales.iterate({ profileId, since, limit: input.limit }));
}
