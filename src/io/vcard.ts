/**
 * vCard in and out: RFC 2426 (3.0) and RFC 6350 (4.0) read, 4.0 written; 2.1's
 * QUOTED-PRINTABLE and bare type parameters are read too, since phones still write them.
 *
 * Reading gives the same shape as a CSV row (`ImportValues` of domain/import-mapping), so the
 * importer treats both alike:
 * - `N` → first_name (given and additional names) and last_name; `FN` is the name only when `N`
 *   has none. `ORG` is a person's employer (`companyName`), or a company's own name.
 * - A company card is `KIND:org` (4.0), Apple's `X-ABShowAs:COMPANY`, or a card whose `FN` is its
 *   `ORG`; otherwise a card with a name in `N` is a person.
 * - `EMAIL`/`TEL`/`ADR`: the preferred one (`PREF`, `TYPE=pref`), else the first (for ADR a work
 *   address before others) fills the field; the others are kept as custom fields `E-mail 2`,
 *   `Phone 2`, `Address 2` … so nothing is lost.
 * - `BDAY`: `YYYY-MM-DD`, `YYYYMMDD`, with a time that is dropped, `--MMDD`, `--MM-DD`; a year equal
 *   to Apple's `X-APPLE-OMIT-YEAR` (1604) means the year is unknown. Anything else rejects the card,
 *   as a bad date rejects a CSV row.
 * - `UID` → external_id, except our own `urn:custfile:<id>` (an id of the file it came from).
 * - `URL` → a company's website; on a person card the custom field `URL`.
 * Errors carry the line where the card (or the bad line) starts, and never a value.
 */
import { Transform } from 'node:stream';
import iconv from 'iconv-lite';
import { RejectedInputError } from '../errors.js';
import type { Kind } from '../domain/fields.js';
import { type ImportValues, type RowResult, splitImportTags } from '../domain/import-mapping.js';
import { parseBirthday } from '../domain/dates.js';
import type { Profile } from '../domain/profile.js';
import { escapeText, foldLine } from './ics.js';
import { utf8Continuations } from './sniff.js';
import { nfc } from '../domain/values.js';

export interface VcardRecord extends ImportValues {
  /** 1-based line of the card's BEGIN:VCARD. */
  line: number;
  /** The card's VERSION (2.1, 3.0, 4.0), or '' when it has none. */
  version: string;
}

export interface VcardParseResult {
  cards: VcardRecord[];
  /** Cards not imported: broken ones, and (`skip`) those that are no customer, as a group is. */
  errors: { line: number; reason: string; skip?: boolean }[];
}

interface Property {
  name: string;
  /** Parameter names upper-case; values as written, unquoted. 2.1's bare `WORK` is TYPE=WORK. */
  params: Map<string, string[]>;
  value: string;
  line: number;
  /** Apple's `item1.` before the name (upper-case; '' for none): ties a value to its X-ABLabel. */
  group: string;
}

interface LogicalLine {
  text: string;
  line: number;
}

/**
 * The most text one card may hold while a file is read (cards with photos run to a few MB): a
 * file without card boundaries is not read whole into memory.
 */
export const MAX_VCARD_CHARS = 64 * 1024 * 1024;

/** A line break followed by a whole `BEGIN:VCARD` line: where a card starts. */
const CARD_START = /(?:\r\n|\n|\r)(?=BEGIN:VCARD[ \t]*(?:\r|\n))/gi;

/**
 * A vCard file's text as it is read, cut before the `BEGIN:VCARD` lines into pieces of whole
 * cards (`line`: the file's line the piece starts on), so that `parseVcards` reads a file of any
 * size a piece at a time. A line that starts with `BEGIN:VCARD` never continues the line before it.
 *
 * Only new text is searched for a cut: the text held since the last cut is kept in parts, and
 * just its tail from the last line break that may still start a card is searched again. Searching
 * all that was held on every chunk took 13 s for a 20 MB card, 136 s for 60 MB.
 */
export async function* vcardPieces(chunks: AsyncIterable<string | Buffer>, file: string, maxChars = MAX_VCARD_CHARS): AsyncGenerator<{ text: string; line: number }> {
  let held: string[] = [];
  let heldLength = 0;
  let tail = '';
  let line = 1;
  for await (const chunk of chunks) {
    const text = tail + String(chunk);
    let cut = -1;
    CARD_START.lastIndex = 0;
    for (let m = CARD_START.exec(text); m !== null; m = CARD_START.exec(text)) cut = m.index + m[0].length;
    let rest = text;
    if (cut > 0) {
      const piece = held.join('') + text.slice(0, cut);
      held = [];
      heldLength = 0;
      rest = text.slice(cut);
      yield { text: piece, line };
      line += piece.match(/\r\n|\n|\r/g)?.length ?? 0;
    }
    const from = cardStartFrom(rest);
    if (from > 0) {
      held.push(rest.slice(0, from));
      heldLength += from;
    }
    tail = rest.slice(from);
    if (cut <= 0 && heldLength + tail.length > maxChars) {
      throw new RejectedInputError(`${file} line ${line}: a vCard longer than ${(maxChars / 1024 / 1024).toLocaleString('en')} MB; is this really a vCard file?`);
    }
  }
  const last = held.join('') + tail;
  if (last !== '') yield { text: last, line };
}

/**
 * A vCard file's cards and broken cards in file order (a later card can update an earlier one),
 * each with its line and its text as it stands in the file, its line breaks included (for
 * `--rejects`), read a piece at a time (vcardPieces).
 */
export async function* vcardEntries(chunks: AsyncIterable<string | Buffer>, file: string): AsyncGenerator<{ line: number; raw: string; result: RowResult }> {
  for await (const piece of vcardPieces(chunks, file)) {
    const parsed = parseVcards(piece.text, piece.line);
    const lines = piece.text.split(/\r\n|\n|\r/);
    // the card's text as it stands, line breaks included (a rejects file is written as read)
    const eol = /\r\n|\n|\r/.exec(piece.text)?.[0] ?? '\r\n';
    const raw = (line: number) => cardText(lines, line - piece.line + 1).replace(/\n/g, eol) + eol;
    const all = [
      ...parsed.cards.map((card) => {
        const { line, version: _version, ...values } = card;
        return { line, raw: raw(line), result: { ok: true as const, values } };
      }),
      ...parsed.errors.map((e) => ({ line: e.line, raw: raw(e.line), result: { ok: false as const, reason: e.reason, ...(e.skip ? { skip: true } : {}) } })),
    ].sort((a, b) => a.line - b.line);
    yield* all;
  }
}

/**
 * Where in `text` a card may still start once more text comes: at its last line break when the
 * line after it can still become a `BEGIN:VCARD` line; else nowhere (its length).
 */
function cardStartFrom(text: string): number {
  const at = Math.max(text.lastIndexOf('\n'), text.lastIndexOf('\r'));
  if (at < 0) return text.length;
  const lineSoFar = text.slice(at + 1);
  return 'BEGIN:VCARD'.startsWith(lineSoFar.slice(0, 11).toUpperCase()) && /^[ \t]*$/.test(lineSoFar.slice(11)) ? at : text.length;
}

/**
 * Every card in `text`, in order; cards that cannot be read are in `errors` instead. `firstLine`:
 * the line of the file `text` starts on (a piece of it, see vcardPieces).
 */
export function parseVcards(text: string, firstLine = 1): VcardParseResult {
  const cards: VcardRecord[] = [];
  const errors: VcardParseResult['errors'] = [];
  let current: { line: number; props: Property[]; error: { line: number; reason: string } | null } | null = null;

  for (const logical of unfold(text, firstLine)) {
    const prop = parseProperty(logical);
    const upper = prop ? prop.name : '';
    if (upper === 'BEGIN' && prop!.value.trim().toUpperCase() === 'VCARD') {
      if (current) errors.push({ line: current.line, reason: 'the card is not closed with END:VCARD' });
      current = { line: logical.line, props: [], error: null };
      continue;
    }
    if (current === null) {
      errors.push({ line: logical.line, reason: 'text outside a card (BEGIN:VCARD … END:VCARD)' });
      continue;
    }
    if (upper === 'END' && prop!.value.trim().toUpperCase() === 'VCARD') {
      if (current.error) errors.push(current.error);
      else {
        const result = cardToRecord(current.props, current.line);
        if ('reason' in result) errors.push(result);
        else cards.push(result);
      }
      current = null;
      continue;
    }
    if (!prop) {
      current.error ??= { line: logical.line, reason: `line ${logical.line} is not a vCard property (NAME:value)` };
      continue;
    }
    current.props.push(prop);
  }
  if (current) errors.push({ line: current.line, reason: 'the card is not closed with END:VCARD' });
  return { cards, errors };
}

/**
 * Physical lines → logical lines: a line starting with a space or tab continues the previous one
 * (RFC 6350 3.2, either line ending); a QUOTED-PRINTABLE value ending in `=` continues on the next
 * line (2.1's soft line break).
 */
function unfold(text: string, firstLine: number): LogicalLine[] {
  const physical = text.replace(/^\uFEFF/, '').split(/\r\n|\n|\r/);
  const out: LogicalLine[] = [];
  let last: LogicalLine | null = null;
  let lastIsQp = false;
  for (let i = 0; i < physical.length; i++) {
    const raw = physical[i]!;
    const softBreak = last !== null && lastIsQp && last.text.endsWith('=');
    if (last !== null && (raw.startsWith(' ') || raw.startsWith('\t'))) {
      if (softBreak) last.text = last.text.slice(0, -1);
      last.text += softBreak ? raw.trimStart() : raw.slice(1);
      continue;
    }
    if (softBreak && last !== null) {
      last.text = last.text.slice(0, -1) + raw;
      continue;
    }
    if (raw.trim() === '') {
      last = null;
      continue;
    }
    last = { text: raw, line: i + firstLine };
    lastIsQp = /^[^:]*QUOTED-PRINTABLE/i.test(raw);
    out.push(last);
  }
  return out;
}

/** `item1.TEL;TYPE="work,voice";PREF=1:+49 …` → name, params, raw value; null when there is no `:`. */
function parseProperty(logical: LogicalLine): Property | null {
  const text = logical.text;
  let inQuotes = false;
  let colon = -1;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === '"') inQuotes = !inQuotes;
    else if (c === ':' && !inQuotes) {
      colon = i;
      break;
    }
  }
  if (colon <= 0) return null;
  const head = splitOutsideQuotes(text.slice(0, colon), ';');
  const nameWithGroup = head[0]!.trim();
  const name = nameWithGroup.slice(nameWithGroup.lastIndexOf('.') + 1).toUpperCase();
  if (!/^[A-Z0-9-]+$/.test(name)) return null;
  const params = new Map<string, string[]>();
  for (const p of head.slice(1)) {
    const eq = p.indexOf('=');
    const key = (eq < 0 ? 'TYPE' : p.slice(0, eq)).trim().toUpperCase();
    const rawValue = eq < 0 ? p : p.slice(eq + 1);
    // 2.1's bare `QUOTED-PRINTABLE` / `BASE64` are encodings, not types
    const isEncoding = eq < 0 && /^(QUOTED-PRINTABLE|BASE64|B|8BIT|7BIT)$/i.test(rawValue.trim());
    const k = isEncoding ? 'ENCODING' : key;
    let values = splitOutsideQuotes(rawValue, ',').map((v) => v.trim().replace(/^"(.*)"$/, '$1'));
    if (k === 'TYPE') values = values.flatMap((v) => v.split(',')); // TYPE="work,voice" is a list too
    params.set(k, [...(params.get(k) ?? []), ...values]);
  }
  const dot = nameWithGroup.lastIndexOf('.');
  return { name, params, value: text.slice(colon + 1), line: logical.line, group: dot < 0 ? '' : nameWithGroup.slice(0, dot).toUpperCase() };
}

function splitOutsideQuotes(text: string, sep: string): string[] {
  const parts: string[] = [];
  let inQuotes = false;
  let start = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === '"') inQuotes = !inQuotes;
    else if (c === sep && !inQuotes) {
      parts.push(text.slice(start, i));
      start = i + 1;
    }
  }
  parts.push(text.slice(start));
  return parts;
}

function param(prop: Property, key: string): string[] {
  return prop.params.get(key) ?? [];
}

function types(prop: Property): string[] {
  return param(prop, 'TYPE').map((t) => t.toLowerCase());
}

function isPreferred(prop: Property): boolean {
  return types(prop).includes('pref') || param(prop, 'PREF').length > 0;
}

/**
 * How preferred a value is, lowest first: vCard 4.0's `PREF=1` (most) to `PREF=100` (least), 3.0's
 * `TYPE=pref` as 1, none after all of them.
 */
function preference(prop: Property): number {
  const n = Number(param(prop, 'PREF')[0]);
  if (Number.isInteger(n) && n >= 1 && n <= 100) return n;
  return isPreferred(prop) ? 1 : 101;
}

/**
 * The value with its transfer encoding undone (QUOTED-PRINTABLE in CHARSET), still escaped.
 * Null for binary values (BASE64 photos and the like).
 */
function rawValue(prop: Property): string | null {
  const encoding = (param(prop, 'ENCODING')[0] ?? '').toUpperCase();
  if (encoding === 'B' || encoding === 'BASE64') return null;
  if (encoding !== 'QUOTED-PRINTABLE') return prop.value;
  const charset = param(prop, 'CHARSET')[0] ?? 'utf-8';
  const bytes: number[] = [];
  const v = prop.value;
  for (let i = 0; i < v.length; i++) {
    const c = v[i]!;
    if (c === '=' && /^[0-9A-Fa-f]{2}$/.test(v.slice(i + 1, i + 3))) {
      bytes.push(parseInt(v.slice(i + 1, i + 3), 16));
      i += 2;
    } else {
      for (const b of Buffer.from(c, 'utf8')) bytes.push(b);
    }
  }
  const buffer = Buffer.from(bytes);
  return iconv.encodingExists(charset) ? iconv.decode(buffer, charset) : buffer.toString('utf8');
}

/** Splits at `sep` where it is not escaped by a backslash; the parts stay escaped. */
function splitEscaped(value: string, sep: string): string[] {
  const parts: string[] = [];
  let current = '';
  for (let i = 0; i < value.length; i++) {
    const c = value[i]!;
    if (c === '\\' && i + 1 < value.length) {
      current += c + value[i + 1];
      i++;
    } else if (c === sep) {
      parts.push(current);
      current = '';
    } else current += c;
  }
  parts.push(current);
  return parts;
}

/** `\n` `\N` → newline, `\,` `\;` `\:` `\\` → the character; other backslashes stay. */
function unescapeText(value: string): string {
  return value.replace(/\\([\\,;:nN])/g, (_m, c: string) => (c === 'n' || c === 'N' ? '\n' : c));
}

/** A structured value (N, ADR): components at `;`, each a list at `,` joined by `join`. */
function components(value: string, join: string): string[] {
  return splitEscaped(value, ';').map((component) =>
    splitEscaped(component, ',')
      .map((v) => nfc(unescapeText(v).trim()))
      .filter((v) => v !== '')
      .join(join),
  );
}

function textOf(prop: Property): string | null {
  const raw = rawValue(prop);
  return raw === null ? null : nfc(unescapeText(raw).replace(/\r\n?/g, '\n').trim());
}

function sameName(a: string, b: string): boolean {
  const norm = (s: string) => s.normalize('NFKC').toLowerCase().replace(/\s+/g, ' ').trim();
  return norm(a) === norm(b);
}

const KINDS: Record<string, Kind | null> = { individual: 'person', org: 'company', organization: 'company', group: null, location: null };

function cardToRecord(props: Property[], line: number): VcardRecord | { line: number; reason: string; skip?: boolean } {
  const all = (name: string) => props.filter((p) => p.name === name);
  const first = (name: string) => all(name)[0];
  const firstText = (name: string): string => {
    for (const p of all(name)) {
      const t = textOf(p);
      if (t) return t;
    }
    return '';
  };

  const version = firstText('VERSION');
  const fn = firstText('FN');
  const orgProp = first('ORG');
  const orgParts = orgProp ? components(rawValue(orgProp) ?? '', ',') : [];
  const org = orgParts[0] ?? '';
  const nProp = first('N');
  const n = nProp ? components(rawValue(nProp) ?? '', ' ') : [];
  const family = n[0] ?? '';
  const given = [n[1] ?? '', n[2] ?? ''].filter((s) => s !== '').join(' ');

  // --- kind
  let kind: Kind;
  const kindText = firstText('KIND').toLowerCase();
  if (kindText !== '' && Object.hasOwn(KINDS, kindText)) {
    const k = KINDS[kindText];
    // a group or a location is no customer: nothing to import, not a broken card (exit 0)
    if (k === null || k === undefined) return { line, reason: `KIND: only individual and org cards are imported, not ${kindText}`, skip: true };
    kind = k;
  } else if (firstText('X-ABSHOWAS').toUpperCase() === 'COMPANY') kind = 'company';
  else if (org !== '' && fn !== '' && sameName(fn, org)) kind = 'company';
  else if (family !== '' || given !== '') kind = 'person';
  else if (org !== '' && fn === '') kind = 'company';
  else if (fn !== '') kind = 'person';
  else return { line, reason: 'the card has no name (N, FN or ORG)' };

  const set: { field: string; value: string }[] = [];
  const values: VcardRecord = { line, version, kind, set };

  if (kind === 'person') {
    if (given !== '') set.push({ field: 'first_name', value: given });
    if (family !== '') set.push({ field: 'last_name', value: family });
    if (given === '' && family === '') set.push({ field: 'name', value: fn });
    if (org !== '') values.companyName = org;
    const title = firstText('TITLE') || firstText('ROLE');
    if (title !== '') set.push({ field: 'role', value: title });
    const bdayProp = all('BDAY')[0];
    if (bdayProp) {
      const bday = parseVcardBirthday(bdayProp);
      if (bday === null) return { line: bdayProp.line, reason: 'BDAY: not a date' };
      if (bday !== '') set.push({ field: 'birthday', value: bday });
    }
  } else {
    set.push({ field: 'name', value: org !== '' ? org : fn });
  }

  // --- e-mail and phone: the preferred (else the first) is the field, the others custom fields
  spread(set, all('EMAIL'), 'email', 'E-mail', (v) => v.replace(/^mailto:/i, ''));
  spread(set, all('TEL'), 'phone', 'Phone', (v) => v.replace(/^tel:/i, ''));

  // --- address: preferred, else work, else the first
  const addresses = all('ADR')
    .map((p, i) => ({ p, i, parts: components(rawValue(p) ?? '', ', ') }))
    .filter((a) => a.parts.some((c) => c !== ''));
  addresses.sort((a, b) => adrRank(a.p) - adrRank(b.p) || a.i - b.i);
  addresses.forEach((a, i) => {
    const [poBox = '', ext = '', street = '', city = '', region = '', postcode = '', country = ''] = a.parts;
    // the post office box too (RFC 6350 deprecates it, but Outlook and old cards fill it)
    const streetLine = [street, ext, poBox].filter((s) => s !== '').join(', ').replace(/\s*\n\s*/g, ', ');
    if (i === 0) {
      if (streetLine !== '') set.push({ field: 'street', value: streetLine });
      if (postcode !== '') set.push({ field: 'postcode', value: postcode });
      if (city !== '') set.push({ field: 'city', value: city });
      if (region !== '') set.push({ field: 'region', value: region });
      if (country !== '') set.push({ field: 'country', value: country });
    } else {
      const oneLine = [streetLine, [postcode, city].filter((s) => s !== '').join(' '), region, country]
        .filter((s) => s !== '')
        .join(', ');
      set.push({ field: `custom.Address ${i + 1}`, value: oneLine });
    }
  });

  const notes = all('NOTE')
    .map(textOf)
    .filter((t): t is string => t !== null && t !== '');
  if (notes.length > 0) set.push({ field: 'notes', value: notes.join('\n') });

  const url = firstText('URL');
  if (url !== '') set.push(kind === 'company' ? { field: 'website', value: url } : { field: 'custom.URL', value: url });

  // --- what has no field: kept as custom fields (written back by profileToVcard)
  const department = orgParts.slice(1).filter((s) => s !== '').join(', ');
  if (department !== '') set.push({ field: 'custom.Department', value: department });
  if (kind === 'person') {
    if ((n[3] ?? '') !== '') set.push({ field: 'custom.Name prefix', value: n[3]! });
    if ((n[4] ?? '') !== '') set.push({ field: 'custom.Name suffix', value: n[4]! });
  }
  const nickname = firstText('NICKNAME');
  if (nickname !== '') set.push({ field: 'custom.Nickname', value: nickname });
  const labelOf = (p: Property): string => {
    if (p.group === '') return '';
    const label = props.find((q) => q.name === 'X-ABLABEL' && q.group === p.group);
    const text = label ? (textOf(label) ?? '') : '';
    return text.replace(/^_\$!<(.*)>!\$_$/, '$1').trim(); // Apple's own labels: _$!<Anniversary>!$_
  };
  /** Labelled values with no field of their own: dates, related names, social profiles. */
  const extras: { label: string; value: string }[] = [];
  for (const p of all('ANNIVERSARY')) extras.push({ label: 'Anniversary', value: textOf(p) ?? '' });
  for (const p of all('X-ABDATE')) extras.push({ label: labelOf(p) || 'Date', value: textOf(p) ?? '' });
  for (const p of all('X-ABRELATEDNAMES')) extras.push({ label: labelOf(p) || 'Related name', value: textOf(p) ?? '' });
  for (const p of all('RELATED')) extras.push({ label: param(p, 'TYPE')[0] || 'Related', value: textOf(p) ?? '' });
  for (const p of all('X-SOCIALPROFILE')) extras.push({ label: `Social profile${param(p, 'TYPE')[0] ? ` (${param(p, 'TYPE')[0]})` : ''}`, value: textOf(p) ?? '' });
  const labelsUsed = new Map<string, number>();
  for (const d of extras) {
    if (d.value === '' || !/^[^\u0000-\u001f]{1,60}$/.test(d.label)) continue;
    const n = (labelsUsed.get(d.label) ?? 0) + 1;
    labelsUsed.set(d.label, n);
    const value = /^\d{4}-?\d{2}-?\d{2}$/.test(d.value) ? d.value.replace(/^(\d{4})-?(\d{2})-?(\d{2})$/, '$1-$2-$3') : d.value;
    set.push({ field: `custom.${d.label}${n > 1 ? ` ${n}` : ''}`, value });
  }

  const uid = firstText('UID');
  if (uid !== '' && !/^urn:custfile:\d+$/i.test(uid)) set.push({ field: 'external_id', value: uid });

  const tags: string[] = [];
  for (const p of all('CATEGORIES')) {
    const raw = rawValue(p);
    if (raw === null) continue;
    // Google's system group in its vCards ("myContacts"): every contact has it
    for (const item of splitEscaped(raw, ',')) tags.push(...splitImportTags(unescapeText(item)).filter((t) => t.toLowerCase() !== 'mycontacts'));
  }
  if (tags.length > 0) values.tagEdits = [...new Set(tags)].map((t) => `+${t}`);
  return values;
}

function adrRank(p: Property): number {
  if (isPreferred(p)) return 0;
  return types(p).includes('work') ? 1 : 2;
}

function spread(
  set: { field: string; value: string }[],
  props: Property[],
  field: 'email' | 'phone',
  customLabel: string,
  clean: (v: string) => string,
): void {
  const entries = props
    .map((p, i) => ({ p, i, v: clean(textOf(p) ?? '') }))
    .filter((e) => e.v !== '');
  entries.sort((a, b) => preference(a.p) - preference(b.p) || a.i - b.i);
  entries.forEach((e, i) => {
    set.push(i === 0 ? { field, value: e.v } : { field: `custom.${customLabel} ${i + 1}`, value: e.v });
  });
}

/** A BDAY → `YYYY-MM-DD` or `--MM-DD`; '' for an empty one; null when it is not a date. */
function parseVcardBirthday(prop: Property): string | null {
  const text = (textOf(prop) ?? '').trim();
  if (text === '') return '';
  if (param(prop, 'VALUE').some((v) => v.toLowerCase() === 'text')) return null;
  const omitYear = param(prop, 'X-APPLE-OMIT-YEAR')[0];
  let m = /^(\d{4})-?(\d{2})-?(\d{2})(?:T[\d:.]*(?:Z|[+-]\d{2}:?\d{2})?)?$/.exec(text);
  if (m) {
    const yearless = m[1] === omitYear || m[1] === '1604';
    const candidate = yearless ? `--${m[2]}-${m[3]}` : `${m[1]}-${m[2]}-${m[3]}`;
    return parseBirthday(candidate) ? candidate : null;
  }
  m = /^--(\d{2})-?(\d{2})$/.exec(text);
  if (m) {
    const candidate = `--${m[1]}-${m[2]}`;
    return parseBirthday(candidate) ? candidate : null;
  }
  return null;
}

// ---------------------------------------------------------------------------------------------
// Writing

const CRLF = '\r\n';

/** Component of a structured value (N, ADR, ORG): text escaping, newlines as `, `… kept as `\n`. */
const esc = (value: string | null | undefined): string => escapeText(value ?? '');

/**
 * One profile as a vCard 4.0: CRLF line ends, lines folded at 75 octets between code points.
 * `company` is a person's employer (ORG of a key contact); for a company its own name is the ORG.
 * Custom fields, lifecycle and the other fields vCard has no property for are not written, but
 * for the further e-mails, phones, addresses and URL that a vCard import kept as custom fields,
 * and a person's Nickname, Anniversary, Department and Name prefix/suffix.
 */
export function profileToVcard(profile: Profile, company: string | null): string {
  const lines = ['BEGIN:VCARD', 'VERSION:4.0', 'PRODID:-//custfile//custfile//EN'];
  if (profile.kind === 'company') {
    lines.push('KIND:org', `FN:${esc(profile.name)}`, `ORG:${esc(profile.name)}`, 'X-ABShowAs:COMPANY');
  } else {
    // KIND said outright: a sole trader whose firm carries their name (FN = ORG) is still a person
    const c = profile.custom;
    lines.push('KIND:individual', `FN:${esc(profile.name)}`, `N:${esc(profile.last_name)};${esc(profile.first_name)};;${esc(c['Name prefix'])};${esc(c['Name suffix'])}`);
    const employer = company ?? profile.company;
    if (employer) lines.push(`ORG:${esc(employer)}${c.Department ? `;${esc(c.Department)}` : ''}`);
    if (c.Nickname) lines.push(`NICKNAME:${esc(c.Nickname)}`);
    if (c.Anniversary && /^\d{4}-\d{2}-\d{2}$/.test(c.Anniversary)) lines.push(`ANNIVERSARY:${c.Anniversary.replace(/-/g, '')}`);
    if (profile.role) lines.push(`TITLE:${esc(profile.role)}`);
  }
  // what a vCard import kept as custom fields (E-mail 2, Phone 2, Address 2, URL) goes back where it came from
  const more = (label: string) => numbered(profile.custom, label);
  if (profile.email) lines.push(`EMAIL:${esc(profile.email)}`);
  for (const email of more('E-mail')) lines.push(`EMAIL:${esc(email)}`);
  if (profile.phone) lines.push(`TEL;VALUE=text:${esc(profile.phone)}`);
  for (const phone of more('Phone')) lines.push(`TEL;VALUE=text:${esc(phone)}`);
  if ([profile.street, profile.city, profile.region, profile.postcode, profile.country].some((v) => v)) {
    lines.push(
      `ADR:;;${esc(profile.street)};${esc(profile.city)};${esc(profile.region)};${esc(profile.postcode)};${esc(profile.country)}`,
    );
  }
  for (const address of more('Address')) lines.push(`ADR:;;${esc(address)};;;;`);
  if (profile.kind === 'person' && profile.birthday) {
    const b = parseBirthday(profile.birthday);
    if (b) {
      const mmdd = `${String(b.month).padStart(2, '0')}${String(b.day).padStart(2, '0')}`;
      lines.push(b.year === null ? `BDAY:--${mmdd}` : `BDAY:${String(b.year).padStart(4, '0')}${mmdd}`);
    }
  }
  if (profile.notes) lines.push(`NOTE:${esc(profile.notes)}`);
  if (profile.tags.length > 0) lines.push(`CATEGORIES:${profile.tags.map(esc).join(',')}`);
  const url = profile.kind === 'company' ? profile.website : (profile.custom.URL ?? null);
  if (url) lines.push(`URL:${url.replace(/[\r\n]/g, '')}`);
  lines.push(profile.external_id ? `UID:${esc(profile.external_id)}` : `UID:urn:custfile:${profile.id}`);
  lines.push('END:VCARD');
  return lines.map(foldLine).join(CRLF) + CRLF;
}

/** The custom fields `LABEL 2`, `LABEL 3` … (as cardToRecord names a card's further values), in order. */
function numbered(custom: Readonly<Record<string, string>>, label: string): string[] {
  const pattern = new RegExp(`^${label} (\\d+)$`);
  return Object.entries(custom)
    .map(([key, value]) => ({ n: Number(pattern.exec(key)?.[1] ?? NaN), value }))
    .filter((e) => Number.isInteger(e.n) && e.value !== '')
    .sort((a, b) => a.n - b.n)
    .map((e) => e.value);
}

/**
 * The whole card around `line` (1-based: its BEGIN:VCARD, or a line inside it), through its
 * END:VCARD, as it stands in the file: what `--rejects` writes for a card that was not
 * imported, so it can be fixed and imported again. A card never closed ends before the next
 * BEGIN:VCARD (that card is read on its own), wherever vcardPieces cut the text.
 */
export function cardText(lines: readonly string[], line: number): string {
  const at = Math.min(Math.max(line - 1, 0), lines.length - 1);
  let start = at;
  while (start > 0 && !/^BEGIN:VCARD\s*$/i.test(lines[start]!)) {
    // an END before any BEGIN: the line is outside every card, and is its own reject
    if (start < at && /^END:VCARD\s*$/i.test(lines[start]!)) return lines[at]!;
    start--;
  }
  const out: string[] = [];
  for (let i = start; i < lines.length; i++) {
    if (i > start && /^BEGIN:VCARD\s*$/i.test(lines[i]!)) break;
    out.push(lines[i]!);
    if (/^END:VCARD\s*$/i.test(lines[i]!)) break;
  }
  return out.join('\n');
}

/**
 * A folded line may be cut inside a UTF-8 character (RFC 6350 §3.2 lets a writer fold at 75
 * octets and asks the reader to put the character together again). Text is decoded before it is
 * unfolded, so here the fold is moved past the character, in the bytes: `…\xC3` CRLF SP `\xBC…`
 * becomes `…\xC3\xBC` CRLF SP `…`. The line count stays (errors keep their lines) and unfolding
 * gives the same text. Bytes that are not such a cut pass as they are.
 */
export function rejoinFoldedCharacters(): Transform {
  let carry = Buffer.alloc(0);
  const fix = (buf: Buffer, final: boolean): Buffer => {
    // the last bytes may be the start of a cut fold: kept for the next chunk
    const end = final ? buf.length : Math.max(0, buf.length - 8);
    for (let i = 1; i < end; i++) {
      const b = buf[i]!;
      if (b !== 0x0a && b !== 0x0d) continue;
      const foldLength = b === 0x0d && buf[i + 1] === 0x0a ? 3 : 2;
      const ws = buf[i + foldLength - 1];
      if (ws !== 0x20 && ws !== 0x09) continue;
      // an incomplete character just before the line break?
      let lead = i - 1;
      while (lead > i - 4 && lead > 0 && (buf[lead]! & 0xc0) === 0x80) lead--;
      const l = buf[lead]!;
      const need = utf8Continuations(l);
      const missing = need - (i - lead - 1);
      if (need === 0 || missing <= 0) continue;
      const after = i + foldLength;
      if (after + missing > buf.length) continue;
      let continuation = true;
      for (let k = 0; k < missing; k++) continuation &&= (buf[after + k]! & 0xc0) === 0x80;
      if (!continuation) continue;
      // move the character's rest before the fold
      const rest = Buffer.from(buf.subarray(after, after + missing));
      buf.copyWithin(i + missing, i, after);
      rest.copy(buf, i);
      i += missing + foldLength - 1;
    }
    return buf;
  };
  return new Transform({
    transform(chunk: Buffer, _encoding, callback) {
      const buf = fix(carry.length > 0 ? Buffer.concat([carry, chunk]) : Buffer.from(chunk), false);
      const keep = Math.min(8, buf.length);
      carry = Buffer.from(buf.subarray(buf.length - keep));
      callback(null, buf.subarray(0, buf.length - keep));
    },
    flush(callback) {
      callback(null, fix(carry, true));
    },
  });
}
