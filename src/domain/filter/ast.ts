/**
 * The filter language's syntax tree. `--where` parses into it, the short filters (`--city`,
 * `--tag`, …) build it directly, and storage compiles it to parameterised SQL.
 */
export type CompareOp = '=' | '!=' | '<' | '<=' | '>' | '>=' | '~';

/** A relative date as typed: `-90d` (90 days ago), `+7d` (in 7 days). */
export interface RelativeDate {
  relative: string;
}

export type Literal = string | number | boolean | RelativeDate;

export type Expr =
  | { type: 'and' | 'or'; left: Expr; right: Expr }
  | { type: 'not'; expr: Expr }
  | { type: 'compare'; field: string; op: CompareOp; value: Literal }
  | { type: 'in'; field: string; values: Literal[] }
  | { type: 'empty'; field: string }
  | { type: 'segment'; name: string }
  /**
   * `birthday in next 30d`: the next celebration of the birthday falls between today and today
   * plus `within` (a duration as typed: `30d`, `2w`, `1m`, or a bare number of days), inclusive.
   */
  | { type: 'birthdayWithin'; within: string }
  | { type: 'true' };

export function and(parts: readonly (Expr | null | undefined)[]): Expr | null {
  const present = parts.filter((p): p is Expr => p !== null && p !== undefined);
  if (present.length === 0) return null;
  return present.reduce((left, right) => ({ type: 'and', left, right }));
}

export function isRelativeDate(value: Literal): value is RelativeDate {
  return typeof value === 'object' && value !== null && 'relative' in value;
}
