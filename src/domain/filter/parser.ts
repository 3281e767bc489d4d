/**
 * The `--where` language (docs/filter-language.md): a hand-written tokenizer and a
 * recursive-descent parser that turn the text a user typed into the filter tree of ast.ts.
 *
 * Hand-written rather than a parser library: the grammar is a dozen rules, the errors must name
 * the 1-based column of the character at fault, and literals are read by the type of the field
 * they are compared with (a bare `01067` stays text for `postcode`, `3m` is text for `name` but a
 * relative date for `last_sale`) — both are awkward to express in a generated grammar.
 *
 *   expr      := and ('or' and)*
 *   and       := unary ('and' unary)*
 *   unary     := 'not' unary | '(' expr ')' | condition
 *   condition := FIELD op value                      op: = != <> < <= > >= ~ !~
 *              | FIELD ['not'] 'in' '(' value (',' value)* ')'
 *              | FIELD ['not'] 'in' ('next' | 'last') DURATION
 *              | FIELD 'is' ['not'] 'empty'
 *
 * Columns count Unicode code points from 1, so `city = 'Görlitz' and` points where the user looks.
 * Pure: no clock (relative dates stay as typed and are resolved when compiled), no I/O.
 */
import { RejectedInputError } from '../../errors.js';
import { parseBirthday, parseDuration, parseIsoDate } from '../dates.js';
import { type FieldDef, FIELDS, fieldByName } from '../fields.js';
import { nfc, parseInteger, parseMoneyCents } from '../values.js';
import type { CompareOp, Expr, Literal } from './ast.js';

// ---------------------------------------------------------------------------------------------
// Tokens

type TokenKind = 'word' | 'string' | 'op' | '(' | ')' | ',' | 'end';

interface Token {
  kind: TokenKind;
  /** The source text as typed (for a string, with its quotes). */
  text: string;
  /** A string's content with `''` unescaped; for `custom.'my field'` the quoted name. */
  value: string;
  /** 1-based column (Unicode code points) of the token's first character. */
  col: number;
  /** `custom.'my field'`: a custom field named in quotes. */
  quotedCustom?: boolean;
}

/** Characters a bare word may hold: letters, digits and what dates, e-mails and URLs need. */
const WORD_CHAR = /[\p{L}\p{M}\p{N}_.@+\-/:]/u;
const OPERATOR_CHARS = new Set(['=', '!', '<', '>', '~']);
const OPERATORS: readonly string[] = ['!=', '<>', '<=', '>=', '!~', '=', '<', '>', '~'];

const MAX_DEPTH = 64;
const MAX_CONDITIONS = 256;
const MAX_LIST = 1000;

function fail(message: string): never {
  throw new RejectedInputError(message);
}

function shown(text: string): string {
  const chars = Array.from(text);
  return chars.length > 24 ? `${chars.slice(0, 24).join('')}…` : text;
}

function describe(token: Token): string {
  if (token.kind === 'end') return `end of the filter at column ${token.col}`;
  if (token.kind === 'string') return `text ${shown(token.text)} at column ${token.col} of the filter`;
  return `'${shown(token.text)}' at column ${token.col} of the filter`;
}

function tokenize(source: string): Token[] {
  const chars = Array.from(source);
  const tokens: Token[] = [];
  let i = 0;

  const readString = (start: number): { value: string; end: number } => {
    // chars[start] is the opening quote
    let value = '';
    let j = start + 1;
    for (;;) {
      if (j >= chars.length) {
        fail(`unterminated string starting at column ${start + 1} of the filter; end it with ' (and write '' for a quote inside it).`);
      }
      const c = chars[j]!;
      if (c === "'") {
        if (chars[j + 1] === "'") {
          value += "'";
          j += 2;
          continue;
        }
        return { value, end: j + 1 };
      }
      value += c;
      j += 1;
    }
  };

  while (i < chars.length) {
    const c = chars[i]!;
    if (/\s/u.test(c)) {
      i += 1;
      continue;
    }
    const col = i + 1;
    if (c === '(' || c === ')' || c === ',') {
      tokens.push({ kind: c, text: c, value: c, col });
      i += 1;
      continue;
    }
    if (c === "'") {
      const { value, end } = readString(i);
      tokens.push({ kind: 'string', text: chars.slice(i, end).join(''), value, col });
      i = end;
      continue;
    }
    if (OPERATOR_CHARS.has(c)) {
      const two = c + (chars[i + 1] ?? '');
      const op = OPERATORS.find((o) => o === two) ?? OPERATORS.find((o) => o === c);
      if (op === undefined) {
        fail(`unexpected '${c}' at column ${col} of the filter; the operators are = != < <= > >= ~ !~ (write "not" to negate).`);
      }
      const after = i + op.length;
      const next = chars[after];
      // Operators are never glued together: `>>=` is a typo, not `>` then `>=`.
      if (next !== undefined && OPERATOR_CHARS.has(next)) {
        fail(`unexpected '${next}' at column ${after + 1} of the filter; write one operator (= != < <= > >= ~ !~) and then a value.`);
      }
      tokens.push({ kind: 'op', text: op, value: op, col });
      i = after;
      continue;
    }
    if (WORD_CHAR.test(c)) {
      let j = i;
      while (j < chars.length && WORD_CHAR.test(chars[j]!)) j += 1;
      const text = chars.slice(i, j).join('');
      if (text.toLowerCase() === 'custom.' && chars[j] === "'") {
        const { value, end } = readString(j);
        tokens.push({ kind: 'word', text: chars.slice(i, end).join(''), value, col, quotedCustom: true });
        i = end;
        continue;
      }
      tokens.push({ kind: 'word', text, value: text, col });
      i = j;
      continue;
    }
    if (c === '"' || c === '‘' || c === '’' || c === '“' || c === '”') {
      fail(`unexpected '${c}' at column ${col} of the filter; put text in straight single quotes, e.g. city = 'Dresden'.`);
    }
    fail(`unexpected '${c}' at column ${col} of the filter; put text that holds it in single quotes, e.g. name ~ '${c}'.`);
  }
  tokens.push({ kind: 'end', text: '', value: '', col: chars.length + 1 });
  return tokens;
}

// ---------------------------------------------------------------------------------------------
// Fields

/** Words that are never a bare value: quote them to mean the text. */
const RESERVED = new Set(['and', 'or', 'not', 'in', 'is', 'empty']);

type FieldRef =
  | { kind: 'catalogue'; name: string; def: FieldDef }
  | { kind: 'custom'; name: string }
  | { kind: 'tag'; name: 'tag' }
  | { kind: 'segment'; name: 'segment' };

/** The names `--where` accepts, for the unknown-field message. */
export const WHERE_FIELD_NAMES: readonly string[] = [
  ...FIELDS.filter((f) => f.type !== 'custom').map((f) => f.name),
  'tag',
  'custom.NAME',
  'segment',
];

const NUMERIC_TYPES = new Set(['money', 'int', 'id', 'ref']);
const DATE_TYPES = new Set(['date', 'timestamp', 'birthday']);

const NUMBER = /^[+-]?\d+(\.\d+)?$/;
const CUSTOM_NUMBER = /^[+-]?(0|[1-9]\d{0,14})(\.\d{1,15})?$/;
const RELATIVE = /^[+-]?\d{1,5}[dwmy]$/i;
const SIGNED_RELATIVE = /^[+-]\d{1,5}[dwmy]$/i;
const ISO_SHAPE = /^\d{4}-\d{2}-\d{2}$/;
const YEARLESS_SHAPE = /^--\d{2}-\d{2}$/;
const DURATION = /^\d{1,5}[dwmy]?$/i;

function editDistance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    let diagonal = row[0]!;
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const above = row[j]!;
      row[j] = Math.min(above + 1, row[j - 1]! + 1, diagonal + (a[i - 1] === b[j - 1] ? 0 : 1));
      diagonal = above;
    }
  }
  return row[b.length]!;
}

function unknownField(token: Token): never {
  const name = token.text.toLowerCase();
  const guess = WHERE_FIELD_NAMES.map((f) => ({ f, d: editDistance(name, f) }))
    .filter((g) => g.d <= 2)
    .sort((a, b) => a.d - b.d)[0];
  const hint = guess ? ` (did you mean ${guess.f}?)` : '';
  fail(
    `unknown field '${shown(token.text)}' at column ${token.col} of the filter${hint}; the fields are ${WHERE_FIELD_NAMES.join(', ')}.`,
  );
}

function isUsableCustomName(name: string): boolean {
  // as values.ts checkCustomName: the names `--set custom.NAME` accepts
  return name !== '' && Array.from(name).length <= 64 && !/[\u0000-\u001f]/.test(name);
}

function resolveField(token: Token): FieldRef {
  if (token.quotedCustom) {
    if (!isUsableCustomName(token.value)) fail(`custom field name at column ${token.col} of the filter is empty or too long.`);
    return { kind: 'custom', name: `custom.${token.value}` };
  }
  const lower = token.text.toLowerCase();
  if (lower.startsWith('custom.')) {
    const key = token.text.slice('custom.'.length);
    if (!isUsableCustomName(key)) {
      fail(`'${shown(token.text)}' at column ${token.col} of the filter needs a custom field name after "custom.", e.g. custom.size or custom.'my field'.`);
    }
    return { kind: 'custom', name: `custom.${key}` };
  }
  if (lower === 'tag' || lower === 'tags') return { kind: 'tag', name: 'tag' };
  if (lower === 'segment') return { kind: 'segment', name: 'segment' };
  const def = fieldByName(lower);
  if (!def || def.type === 'custom') unknownField(token);
  return { kind: 'catalogue', name: def.name, def };
}

// ---------------------------------------------------------------------------------------------
// The parser

class Parser {
  private index = 0;
  private depth = 0;
  private conditions = 0;

  constructor(private readonly tokens: readonly Token[]) {}

  private peek(offset = 0): Token {
    return this.tokens[Math.min(this.index + offset, this.tokens.length - 1)]!;
  }

  private take(): Token {
    const t = this.peek();
    if (t.kind !== 'end') this.index += 1;
    return t;
  }

  private isKeyword(token: Token, word: string): boolean {
    return token.kind === 'word' && token.text.toLowerCase() === word;
  }

  private unexpected(token: Token, expected: string): never {
    fail(`unexpected ${describe(token)}; expected ${expected}.`);
  }

  parseAll(): Expr {
    const expr = this.parseOr();
    const rest = this.peek();
    if (rest.kind === ')') this.unexpected(rest, "and, or, or the end of the filter (this ')' closes no '(')");
    if (rest.kind !== 'end') {
      const previous = this.tokens[this.index - 1];
      const hint =
        rest.kind === 'word' && previous?.kind === 'word'
          ? "and, or, or the end of the filter (put text with spaces in single quotes, e.g. city = 'Bad Homburg')"
          : 'and, or, or the end of the filter';
      this.unexpected(rest, hint);
    }
    return expr;
  }

  private parseOr(): Expr {
    let left = this.parseAnd();
    while (this.isKeyword(this.peek(), 'or')) {
      this.take();
      left = { type: 'or', left, right: this.parseAnd() };
    }
    return left;
  }

  private parseAnd(): Expr {
    let left = this.parseUnary();
    while (this.isKeyword(this.peek(), 'and')) {
      this.take();
      left = { type: 'and', left, right: this.parseUnary() };
    }
    return left;
  }

  private nest<T>(token: Token, work: () => T): T {
    this.depth += 1;
    if (this.depth > MAX_DEPTH) fail(`the filter nests too deeply at column ${token.col}; use fewer parentheses or nots.`);
    try {
      return work();
    } finally {
      this.depth -= 1;
    }
  }

  private parseUnary(): Expr {
    const token = this.peek();
    if (this.isKeyword(token, 'not')) {
      this.take();
      return this.nest(token, () => ({ type: 'not', expr: this.parseUnary() }));
    }
    if (token.kind === '(') {
      this.take();
      return this.nest(token, () => {
        const inner = this.parseOr();
        const close = this.peek();
        if (close.kind !== ')') {
          if (close.kind === 'end') fail(`missing ')' at column ${close.col} of the filter to close the '(' at column ${token.col}.`);
          this.unexpected(close, `and, or, or ')' to close the '(' at column ${token.col}`);
        }
        this.take();
        return inner;
      });
    }
    if (token.kind === 'word' && !RESERVED.has(token.text.toLowerCase())) {
      this.take();
      this.conditions += 1;
      if (this.conditions > MAX_CONDITIONS) fail(`the filter has more than ${MAX_CONDITIONS} conditions at column ${token.col}; save parts of it as segments or use in (...).`);
      return this.parseCondition(token);
    }
    if (token.kind === 'string') {
      this.unexpected(token, "a field name (field names take no quotes; custom fields are written custom.'my field')");
    }
    this.unexpected(token, "a condition such as city = 'Dresden'");
  }

  private parseCondition(fieldToken: Token): Expr {
    const field = resolveField(fieldToken);
    const next = this.peek();

    if (next.kind === 'op') {
      this.take();
      return this.parseComparison(field, fieldToken, next);
    }
    if (this.isKeyword(next, 'is')) {
      this.take();
      let negated = false;
      if (this.isKeyword(this.peek(), 'not')) {
        this.take();
        negated = true;
      }
      const empty = this.peek();
      if (!this.isKeyword(empty, 'empty')) this.unexpected(empty, negated ? "'empty' after 'is not'" : "'empty' or 'not empty' after 'is'");
      this.take();
      if (field.kind === 'segment') fail(`segment at column ${fieldToken.col} of the filter cannot be empty; write segment = 'NAME'.`);
      const expr: Expr = { type: 'empty', field: field.name };
      return negated ? { type: 'not', expr } : expr;
    }
    if (this.isKeyword(next, 'not')) {
      this.take();
      const inToken = this.peek();
      if (!this.isKeyword(inToken, 'in')) this.unexpected(inToken, `'in' after '${fieldToken.text} not' (or write not ${fieldToken.text} = …)`);
      this.take();
      return { type: 'not', expr: this.parseIn(field, fieldToken) };
    }
    if (this.isKeyword(next, 'in')) {
      this.take();
      return this.parseIn(field, fieldToken);
    }
    this.unexpected(next, `an operator after '${shown(fieldToken.text)}' (= != < <= > >= ~ !~, in (...), is empty)`);
  }

  private parseComparison(field: FieldRef, fieldToken: Token, opToken: Token): Expr {
    const negatedContains = opToken.text === '!~';
    const op: CompareOp = opToken.text === '<>' ? '!=' : negatedContains ? '~' : (opToken.text as CompareOp);

    if (field.kind === 'segment') {
      if (op !== '=' && op !== '!=') fail(`segment at column ${fieldToken.col} of the filter takes = or != and a segment name, e.g. segment = 'north'.`);
      const name = this.segmentName();
      return op === '=' ? { type: 'segment', name } : { type: 'not', expr: { type: 'segment', name } };
    }
    checkOperator(field, fieldToken, opToken, op);
    const valueToken = this.take();
    const value = literal(field, op, valueToken);
    const expr: Expr = { type: 'compare', field: field.name, op, value };
    return negatedContains ? { type: 'not', expr } : expr;
  }

  private segmentName(): string {
    const token = this.take();
    if (token.kind === 'string') return token.value;
    if (token.kind === 'word' && !RESERVED.has(token.text.toLowerCase())) return token.text;
    this.unexpected(token, "a segment name, e.g. segment = 'north'");
  }

  private parseIn(field: FieldRef, fieldToken: Token): Expr {
    const next = this.peek();
    if (this.isKeyword(next, 'next') || this.isKeyword(next, 'last')) {
      this.take();
      return this.parseWindow(field, fieldToken, next);
    }
    if (next.kind !== '(') this.unexpected(next, `'(' after 'in', e.g. ${fieldToken.text} in ('a', 'b')`);
    const open = this.take();
    const values: Literal[] = [];
    const names: string[] = [];
    for (;;) {
      if (field.kind === 'segment') names.push(this.segmentName());
      else values.push(literal(field, '=', this.take()));
      if (values.length + names.length > MAX_LIST) fail(`the list at column ${open.col} of the filter has more than ${MAX_LIST} values.`);
      const sep = this.take();
      if (sep.kind === ')') break;
      if (sep.kind === ',') continue;
      if (sep.kind === 'end') fail(`missing ')' at column ${sep.col} of the filter to close the '(' at column ${open.col}.`);
      this.unexpected(sep, `',' or ')' in the list that starts at column ${open.col}`);
    }
    if (field.kind === 'segment') {
      return names
        .map((name): Expr => ({ type: 'segment', name }))
        .reduce((left, right) => ({ type: 'or', left, right }));
    }
    return { type: 'in', field: field.name, values };
  }

  /** `birthday in next 30d`; `last_sale in last 90d`, `next_contact in next 7d` for dates. */
  private parseWindow(field: FieldRef, fieldToken: Token, direction: Token): Expr {
    const amount = this.take();
    if (amount.kind !== 'word' || !DURATION.test(amount.text) || !parseDuration(amount.text)) {
      this.unexpected(amount, `a duration after '${direction.text}', such as 30d, 2w, 3m or 1y`);
    }
    const forward = direction.text.toLowerCase() === 'next';
    if (field.kind === 'catalogue' && field.def.type === 'birthday') {
      if (!forward) fail(`'in last' at column ${direction.col} of the filter does not work with birthday; write birthday in next ${amount.text}.`);
      return { type: 'birthdayWithin', within: amount.text };
    }
    if (field.kind === 'catalogue' && DATE_TYPES.has(field.def.type)) {
      const bare = amount.text.replace(/^\d+$/, (n) => `${n}d`);
      const today: Literal = { relative: 'today' };
      const edge: Literal = { relative: `${forward ? '+' : '-'}${bare}` };
      return {
        type: 'and',
        left: { type: 'compare', field: field.name, op: '>=', value: forward ? today : edge },
        right: { type: 'compare', field: field.name, op: '<=', value: forward ? edge : today },
      };
    }
    fail(`'in ${direction.text.toLowerCase()}' at column ${direction.col} of the filter needs a date field such as birthday, next_contact or last_sale, not ${fieldToken.text}.`);
  }
}

// ---------------------------------------------------------------------------------------------
// Literals, read by the type of the field they are compared with

function checkOperator(field: FieldRef, fieldToken: Token, opToken: Token, op: CompareOp): void {
  const at = `'${opToken.text}' at column ${opToken.col} of the filter`;
  const range = op === '<' || op === '<=' || op === '>' || op === '>=';
  if (field.kind === 'tag' && range) {
    fail(`${at} does not work with tag; write tag = 'vip', tag != 'vip', tag ~ 'vi' or tag in ('a', 'b').`);
  }
  if (field.kind !== 'catalogue') return;
  const type = field.def.type;
  if (op === '~' && (NUMERIC_TYPES.has(type) || type === 'bool')) {
    fail(`${at} (contains) compares text, and ${fieldToken.text} is ${type === 'bool' ? 'true or false' : 'a number'}; use = != < <= > >=.`);
  }
  if (range && (type === 'bool' || type === 'enum')) {
    const values = type === 'bool' ? 'true or false' : `one of ${field.def.values?.join(', ') ?? ''}`;
    fail(`${at} does not work with ${fieldToken.text}, which is ${values}; use = != or in (...).`);
  }
}

function needs(token: Token, field: FieldRef, what: string): never {
  fail(`${describe(token)} is not ${what}, which ${field.name} needs.`);
}

function literal(field: FieldRef, op: CompareOp, token: Token): Literal {
  if (token.kind !== 'word' && token.kind !== 'string') {
    notAValue(token);
  }
  const quoted = token.kind === 'string';
  const text = quoted ? token.value : token.text;
  const lower = text.toLowerCase();
  if (!quoted && RESERVED.has(lower)) {
    fail(`unexpected ${describe(token)}; expected a value (quote it to mean the text: '${text}').`);
  }

  // `~` looks for text inside text, whatever the field holds.
  if (op === '~') return text;
  if (field.kind === 'tag' || field.kind === 'segment') return text;

  if (field.kind === 'custom') {
    if (quoted) return text;
    if (lower === 'true' || lower === 'false') return lower === 'true';
    if (SIGNED_RELATIVE.test(text)) return { relative: text };
    // a number as numbers are written (10, 10.0, -2.5), not a code with a leading zero (010, 007)
    if (CUSTOM_NUMBER.test(text)) return Number(text);
    return text;
  }

  const def = field.def;
  switch (def.type) {
    case 'money':
    case 'int':
    case 'id':
    case 'ref': {
      if (!quoted) {
        if (NUMBER.test(text)) return Number(text);
        needs(token, field, 'a number');
      }
      const ok = def.type === 'money' ? parseMoneyCents(text) !== null : parseInteger(text) !== null;
      if (!ok) needs(token, field, def.type === 'money' ? 'a number' : 'a whole number');
      return text;
    }
    case 'bool':
      if (lower === 'true' || lower === 'false') return lower === 'true';
      return needs(token, field, 'true or false');
    case 'date':
    case 'timestamp':
    case 'birthday': {
      if (lower === 'today') return { relative: 'today' };
      if (RELATIVE.test(text)) return { relative: text };
      if (ISO_SHAPE.test(text)) {
        if (!parseIsoDate(text)) needs(token, field, 'a real date');
        return text;
      }
      if (def.type === 'birthday' && YEARLESS_SHAPE.test(text)) {
        if (!parseBirthday(text)) needs(token, field, 'a real month and day');
        return text;
      }
      if (quoted) return text; // the user's own text, compared as text
      return needs(token, field, 'a date (2026-11-22, today, -30d or +7d)');
    }
    case 'enum': {
      const allowed = def.values ?? [];
      if (!allowed.includes(lower)) needs(token, field, `one of ${allowed.join(', ')}`);
      return lower;
    }
    default:
      // text, e-mail, URL: the text as typed (`postcode = 01067` keeps its zero)
      return text;
  }
}

function notAValue(token: Token): never {
  if (token.kind === 'end') fail(`unexpected ${describe(token)}; expected a value.`);
  fail(`unexpected ${describe(token)}; expected a value (put text in single quotes, e.g. 'Dresden').`);
}

/**
 * Parses a `--where` expression into the filter tree. Throws RejectedInputError (exit 4) naming
 * the 1-based column at fault.
 */
export function parseWhere(text: string): Expr {
  if (text.trim() === '') fail("the filter is empty; write a condition such as city = 'Dresden'.");
  // NFC as stored (domain/values.ts nfc); a decomposed "ü" typed in a terminal finds the composed one
  return new Parser(tokenize(nfc(text))).parseAll();
}
