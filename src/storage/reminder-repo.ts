/**
 * The date-driven reads behind `birthdays`, `remind` and the birthday calendar: birthdays in a
 * month-day window, follow-ups due, profiles gone stale. Each one is an index range, never a scan
 * of every profile (test/storage/reminder-repo.test.ts checks the plans):
 * - birthdays read `profiles_birthdays` (a partial index WHERE birthday_md IS NOT NULL that also
 *   holds birthday, name and company_id, so the window reads no profile rows; the explicit
 *   `IS NOT NULL` term lets the planner use the partial index);
 * - follow-ups read `profiles_next_contact` (partial, WHERE next_contact IS NOT NULL) in order;
 * - stale profiles read `profiles_fresh_on` (forced with INDEXED BY), oldest first, and count along it.
 * An optional filter (FILTERS compiled by filter-sql.ts over `p` and `c`) narrows each of them.
 */
import type { MonthDayRange } from '../domain/birthdays.js';
import { addDays, localDayStart } from '../domain/dates.js';
import type { Kind } from '../domain/fields.js';
import type { SqliteDatabase } from './db.js';
import type { SqlFragment } from './filter-sql.js';

/** A person with a birthday, and the company they are a key contact of. */
export interface BirthdayRow {
  id: number;
  name: string;
  /** The employer's name (via `company_id`), or null. */
  company: string | null;
  /** `YYYY-MM-DD`, or `--MM-DD` when the year is unknown. */
  birthday: string;
}

/** A profile whose `next_contact` date has come (or comes within the window). */
export interface FollowupRow {
  id: number;
  kind: Kind;
  name: string;
  /** A company's own name, or a person's employer. */
  company: string | null;
  next_contact: string;
  email: string | null;
  phone: string | null;
}

/** A profile not reviewed or changed since `fresh_on`. */
export interface StaleRow {
  id: number;
  kind: Kind;
  name: string;
  company: string | null;
  /** The later of `reviewed_at` and the UTC date of `updated_at` (the index's order). */
  fresh_on: string;
  reviewed_at: string | null;
  updated_at: string;
}

const FROM = 'FROM profiles p LEFT JOIN profiles c ON c.id = p.company_id';
/**
 * Last looked after before the local day `before`: reviewed before it (a local date) and changed
 * before it began (`updated_at` is a UTC instant); `fresh_on` bounds the index range.
 */
function staleCheck(before: string): SqlFragment {
  return {
    sql: "p.fresh_on < ? AND coalesce(p.reviewed_at, '') < ? AND p.updated_at < ?",
    params: [addDays(before, 1), before, localDayStart(before)],
  };
}

/** Stale reads always walk the fresh_on index (see `staleCountSql`). */
const STALE_FROM = 'FROM profiles p INDEXED BY profiles_fresh_on LEFT JOIN profiles c ON c.id = p.company_id';
const COMPANY = "CASE WHEN p.kind = 'company' THEN p.name ELSE c.name END";

const andFilter = (filter: SqlFragment | null): string => (filter ? ` AND (${filter.sql})` : '');
const filterParams = (filter: SqlFragment | null): unknown[] => filter?.params ?? [];

export class ReminderRepo {
  constructor(private readonly db: SqliteDatabase) {}

  /**
   * Persons whose birthday's month-day lies in one of `ranges` (from `birthdayWindow()`), matching
   * `filter`. The caller computes each one's next celebration, keeps those inside the window (the
   * ranges over-select a date of birth in the future) and sorts them; they come by month-day and
   * name already, so that sort mostly finds runs in order (14 days on 1M profiles, 27,000 rows:
   * -11 ms).
   */
  birthdaysIn(ranges: readonly MonthDayRange[], filter: SqlFragment | null): BirthdayRow[] {
    if (ranges.length === 0) return [];
    const sql = this.birthdaysSql(ranges, filter);
    return this.db.prepare(sql.sql).all(...sql.params) as BirthdayRow[];
  }

  /** Every person with a birthday, matching `filter`, by id (the calendar export). */
  allBirthdays(filter: SqlFragment | null): IterableIterator<BirthdayRow> {
    const sql = `SELECT p.id, p.name, c.name AS company, p.birthday ${FROM}
      WHERE p.birthday_md IS NOT NULL AND p.kind = 'person'${andFilter(filter)}
      ORDER BY p.id`;
    return this.db.prepare(sql).iterate(...filterParams(filter)) as IterableIterator<BirthdayRow>;
  }

  /** The SQL of `birthdaysIn` (exported through here for the plan checks). */
  birthdaysSql(ranges: readonly MonthDayRange[], filter: SqlFragment | null): SqlFragment {
    // One BETWEEN per range (at most two: a window across the year end); SQLite runs an OR of
    // ranges on one index as a multi-range scan of that index.
    const window = ranges.map(() => 'p.birthday_md BETWEEN ? AND ?').join(' OR ');
    return {
      sql: `SELECT p.id, p.name, c.name AS company, p.birthday ${FROM}
        WHERE p.birthday_md IS NOT NULL AND (${window}) AND p.kind = 'person'${andFilter(filter)}
        ORDER BY p.birthday_md, p.name COLLATE NOCASE, p.id`,
      params: [...ranges.flatMap((r) => [r.from, r.to]), ...filterParams(filter)],
    };
  }

  /** Profiles with `next_contact` on or before `until`, matching `filter`; earliest first. */
  followupsDue(until: string, filter: SqlFragment | null): FollowupRow[] {
    const sql = this.followupsSql(until, filter);
    return this.db.prepare(sql.sql).all(...sql.params) as FollowupRow[];
  }

  followupsSql(until: string, filter: SqlFragment | null): SqlFragment {
    return {
      sql: `SELECT p.id, p.kind, p.name, ${COMPANY} AS company, p.next_contact, p.email, p.phone ${FROM}
        WHERE p.next_contact <= ?${andFilter(filter)}
        ORDER BY p.next_contact, p.id`,
      params: [until, ...filterParams(filter)],
    };
  }

  /** How many profiles were last looked after before `before` (an ISO date), matching `filter`. */
  staleCount(before: string, filter: SqlFragment | null): number {
    const sql = this.staleCountSql(before, filter);
    return (this.db.prepare(sql.sql).get(...sql.params) as { n: number }).n;
  }

  /**
   * `fresh_on` holds the UTC day of `updated_at` (a generated column), and "before" is a local
   * day, one day apart at most. So: every profile whose `fresh_on` is two days or more before
   * the day is stale, counted along the index alone; those within a day of it are checked one by
   * one, their `updated_at` against the instant the local day begins (staleCheck).
   */
  staleCountSql(before: string, filter: SqlFragment | null): SqlFragment {
    // Without a filter, no join. INDEXED BY: with statistics (ANALYZE) and most profiles stale,
    // the planner prefers a table scan, which computes `fresh_on` for every row: on 1M profiles
    // 420-550 ms against 60-90 ms along the index. The index range is never slower by much.
    const from = filter ? STALE_FROM : 'FROM profiles p INDEXED BY profiles_fresh_on';
    const check = staleCheck(before);
    return {
      sql: `SELECT (SELECT count(*) ${from} WHERE p.fresh_on < ?${andFilter(filter)})
        + (SELECT count(*) ${from} WHERE p.fresh_on >= ? AND ${check.sql}${andFilter(filter)}) AS n`,
      params: [addDays(before, -1), ...filterParams(filter), addDays(before, -1), ...check.params, ...filterParams(filter)],
    };
  }

  /** The `limit` profiles looked after longest ago, before `before`; oldest first. */
  staleOldest(before: string, filter: SqlFragment | null, limit: number): StaleRow[] {
    const sql = this.staleOldestSql(before, filter, limit);
    return this.db.prepare(sql.sql).all(...sql.params) as StaleRow[];
  }

  staleOldestSql(before: string, filter: SqlFragment | null, limit: number): SqlFragment {
    const check = staleCheck(before);
    return {
      sql: `SELECT p.id, p.kind, p.name, ${COMPANY} AS company, p.fresh_on, p.reviewed_at, p.updated_at ${STALE_FROM}
        WHERE ${check.sql}${andFilter(filter)}
        ORDER BY p.fresh_on, p.id
        LIMIT ?`,
      params: [...check.params, ...filterParams(filter), Math.max(0, Math.floor(limit))],
    };
  }
}
