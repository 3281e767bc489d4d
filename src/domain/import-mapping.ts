/**
 * Import mapping: which column of a sheet goes where (SPEC.md "Files it reads and writes"), and
 * one row's cells turned into the text changes `applyChanges` takes. Pure: the importer reads the
 * file, calls `mapHeaders` once and `rowToRecord` per row.
 *
 * How a header is matched: case, accents, spaces and punctuation do not count ("E-Mail",
 * "email", "E Mail" are one name; "Straße" and "Strasse" too). English and German names, our own
 * export's field names, and the layouts of Google Contacts (old and 2024) and Outlook are known.
 * Whatever is not known becomes a custom field named by the header, so nothing is dropped.
 *
 * Targets beyond plain fields, because real sheets need them:
 * - `company`: for a person row the employer (the importer links or creates that company); for a
 *   company row its own name.
 * - `alternate` (several e-mail or phone columns): the first non-empty one by rank fills
 *   `email`/`phone`, every other non-empty one is kept as a custom field named by its header.
 * - `address` (Outlook's business/home/other blocks, Google's "Address N - …"): the first group
 *   by rank with any value fills street, postcode, city, region and country, so a business street
 *   is never mixed with a home city; the other groups' values are kept as custom fields. A street
 *   is joined from its lines ("Business Street 2") and a house number column.
 * - `tags` (Tags, Kategorien, Outlook's Categories, Google's Labels / Group Membership): split on
 *   `,` `;` and Google's ` ::: `; Google's system labels `* myContacts` and `* starred` are
 *   dropped. They become tag additions (`+tag`): an import adds tags and never removes one.
 * - `kind` (company or person, in English or German), `custom_json` (a `custom` column of JSON).
 *
 * Rows: an empty cell says nothing, so it never clears what a profile already holds (nor do
 * Outlook's "no date" cells `0/0/00` and `0.0.00`). A field of the other kind (a company's revenue
 * on a person row) goes to the person's company when the row names one (`companySet`), else it is
 * kept as a custom field named by its header. Kind: an explicit kind column wins; a first or last
 * name makes a person; only a company makes a company; a name alone is a company when it carries a
 * legal form ("… GmbH") or company fields are filled, else a person.
 *
 * Speed: `mapHeaders` compiles nothing; `rowToRecord` compiles the mapping once (cached per mapping
 * array) and then does only per-cell work: about 2 µs for a 19-column row on the bench machine.
 */
import { removeFormulaGuard } from './formula-guard.js';
import { RejectedInputError, UsageError } from '../errors.js';
import { type FieldDef, type Kind, FIELDS, LIFECYCLES, fieldByName, isReservedKey } from './fields.js';
import { daysInMonth, parseBirthday } from './dates.js';
import { formatCents, nfc, parseInteger, parseMoneyCents } from './values.js';

/** `formatted`: the whole address in one cell (Google's "Address 1 - Formatted"), used only when its block has no parts. */
export type AddressPart = 'street' | 'house_number' | 'postcode' | 'city' | 'region' | 'country' | 'formatted';

/** A birthday in three columns (Thunderbird's Birth Year, Birth Month, Birth Day). */
export type BirthdayPart = 'year' | 'month' | 'day';

export type ImportTarget =
  /** A catalogue field: a writable one, or `name`. */
  | { type: 'field'; field: string }
  | { type: 'custom'; name: string }
  /** A `custom` column holding a JSON object of custom fields. */
  | { type: 'custom_json' }
  /** One of several e-mail or phone columns; `custom` is where its value goes when another one wins. */
  | { type: 'alternate'; field: 'email' | 'phone'; rank: number; custom: string }
  /** Part of an address block; the lowest `rank` with a value wins. */
  | { type: 'address'; group: string; rank: number; part: AddressPart; line: number; custom: string }
  | { type: 'birthday_part'; part: BirthdayPart }
  | { type: 'tags' }
  | { type: 'company' }
  | { type: 'kind' }
  | { type: 'ignore' };

export interface ColumnMapping {
  /** 0-based position of the column in the row. */
  index: number;
  /** The header as in the file, trimmed. */
  header: string;
  target: ImportTarget;
  /**
   * How it was decided: `map` by --map, `known` a recognised name, `own` an exact field name of
   * our own export, `unknown` kept as a custom field, `no-header` kept as custom field
   * `column_N` (N its position) for want of a header.
   */
  via: 'map' | 'known' | 'own' | 'unknown' | 'no-header';
}

export interface MappingOptions {
  /** `--map`: header → field, `custom.NAME` or `-` (ignore). See `parseMapSpec`. */
  map?: Record<string, string>;
}

export type Layout = 'own' | 'google' | 'google-old' | 'outlook' | 'thunderbird' | 'datev' | 'generic';

/** `E-Mail` → `email`, `Straße` → `strasse`, `Nächster Kontakt` → `nachsterkontakt`. */
export function normalizeHeader(header: string): string {
  return header
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/\u00df/g, 'ss') // ß
    .replace(/[^a-z0-9]/g, '');
}

// ---------------------------------------------------------------------------------------------
// The names we know

/** A table lookup that never reaches Object.prototype (a header "constructor", a cell "toString"). */
function own<T>(table: Readonly<Record<string, T>>, key: string): T | undefined {
  return Object.hasOwn(table, key) ? table[key] : undefined;
}

const FIELD_ALIASES: Record<string, readonly string[]> = {
  external_id: [
    'externalid', 'kundennr', 'kundennummer', 'kdnr', 'kundenid', 'kundenkennung', 'customerid', 'customernumber',
    'customerno', 'customernr', 'clientid', 'clientnumber', 'debitor', 'debitornr', 'debitornummer', 'debitorennr',
    'debitorennummer', 'accountnumber', 'recordid', 'contactid',
  ],
  name: ['name', 'fullname', 'displayname', 'vollstandigername', 'anzeigename', 'kontaktname', 'kundenname', 'customername'],
  role: ['role', 'rolle', 'jobtitle', 'position', 'funktion', 'stellung', 'organization1title', 'organizationtitle', 'jobposition', 'arbeitstitel'],
  decision_maker: ['decisionmaker', 'entscheider', 'entscheidungstrager', 'entscheidungstraeger'],
  first_name: ['firstname', 'givenname', 'vorname', 'forename', 'rufname'],
  last_name: ['lastname', 'familyname', 'surname', 'nachname', 'zuname', 'familienname'],
  birthday: ['birthday', 'geburtstag', 'geburtsdatum', 'dateofbirth', 'birthdate', 'dob', 'gebdatum', 'geboren', 'geboram'],
  profession: ['profession', 'beruf', 'occupation'],
  household: ['household', 'haushalt'],
  income_band: ['incomeband', 'income', 'einkommen', 'einkommensklasse', 'einkommensgruppe'],
  legal_form: ['legalform', 'rechtsform', 'gesellschaftsform', 'unternehmensform'],
  industry: ['industry', 'branche', 'sector', 'sektor', 'wirtschaftszweig'],
  revenue: ['revenue', 'umsatz', 'jahresumsatz', 'annualrevenue', 'turnover', 'umsatzeur', 'jahresumsatzeur'],
  headcount: [
    'headcount', 'mitarbeiter', 'mitarbeiterzahl', 'anzahlmitarbeiter', 'mitarbeiteranzahl', 'employees',
    'numberofemployees', 'beschaftigte', 'employeecount',
  ],
  website: ['website', 'homepage', 'webseite', 'url', 'web', 'internet', 'internetseite', 'webpage', 'internetadresse', 'website1value'],
  financial_status: ['financialstatus', 'bonitat', 'bonitaet', 'finanzstatus', 'creditrating', 'finanzlage'],
  lifecycle: ['lifecycle', 'lifecyclestage', 'status', 'phase', 'kundenstatus', 'stage', 'lebenszyklus'],
  source: ['source', 'quelle', 'herkunft', 'leadsource', 'datenquelle'],
  customer_since: ['customersince', 'kundeseit', 'clientsince', 'kundeab'],
  next_contact: [
    'nextcontact', 'nachsterkontakt', 'naechsterkontakt', 'wiedervorlage', 'wiedervorlageam', 'followup',
    'followupdate', 'nachfassen', 'nachfassenam', 'nextfollowup',
  ],
  reviewed_at: ['reviewedat', 'lastreviewed', 'gepruftam', 'geprueftam', 'zuletztgepruft', 'zuletztgeprueft', 'letzteprufung', 'letztepruefung'],
  notes: [
    'notes', 'note', 'notizen', 'notiz', 'bemerkung', 'bemerkungen', 'kommentar', 'kommentare', 'comment', 'comments',
    'anmerkung', 'anmerkungen', 'memo', 'beschreibung', 'description',
  ],
};

const COMPANY_ALIASES = [
  'company', 'companyname', 'firma', 'firmenname', 'unternehmen', 'unternehmensname', 'organisation', 'organization',
  'organizationname', 'organization1name', 'arbeitgeber', 'employer', 'accountname', 'betrieb',
];
const KIND_ALIASES = ['kind', 'kundentyp', 'kundenart', 'customertype', 'kontakttyp', 'contacttype'];
const TAG_ALIASES = [
  'tags', 'tag', 'schlagworte', 'schlagworter', 'schlagwort', 'stichworte', 'stichwort', 'kategorien', 'kategorie',
  'categories', 'category', 'labels', 'groupmembership', 'gruppen', 'gruppe', 'groups',
];

/** Phones by rank: the primary one, a general or business one, mobile, home, the rest. */
const PHONE_RANKS: Record<string, number> = {
  primaryphone: 0,
  phone: 1, telefon: 1, tel: 1, telephone: 1, phonenumber: 1, telefonnummer: 1, rufnummer: 1, festnetz: 1,
  businessphone: 1, telefongeschaftlich: 1, companymainphone: 1, telefonfirma: 1, teldienstlich: 1, workphone: 1,
  mobilephone: 2, mobile: 2, mobil: 2, handy: 2, mobiltelefon: 2, mobilnummer: 2, cell: 2, cellphone: 2, handynummer: 2,
  mobilenumber: 2, mobilteln: 2, mobiltelnr: 2,
  homephone: 3, telefonprivat: 3, privattelefon: 3, telprivat: 3,
  businessphone2: 4, homephone2: 4, otherphone: 4, telefon2: 4, phone2: 4, weiterestelefon: 4, telefongeschaftlich2: 4,
  telefonprivat2: 4,
};

/** DATEV's Debitoren/Kreditoren export: the account is the customer number; names by addressee type. */
const DATEV_NAMES: Record<string, ImportTarget> = {
  konto: { type: 'field', field: 'external_id' },
  nameadressatentypunternehmen: { type: 'company' },
  nameadressatentypnaturlperson: { type: 'field', field: 'last_name' },
  vornameadressatentypnaturlperson: { type: 'field', field: 'first_name' },
  adressatentyp: { type: 'ignore' },
  // the spelling most v700 files use
  nameadressattypunternehmen: { type: 'company' },
  nameadressattypnaturlperson: { type: 'field', field: 'last_name' },
  vornameadressattypnaturlperson: { type: 'field', field: 'first_name' },
  adressattyp: { type: 'ignore' },
};

/** E-mail columns by other names (Thunderbird's, English and German). */
const EMAIL_RANKS: Record<string, number> = { primaryemail: 1, primareemailadresse: 1, secondaryemail: 2, sekundareemailadresse: 2 };

/** A plain address column (no block): rank 0, the main address. */
const MAIN_ADDRESS: Record<string, { part: AddressPart; line: number }> = {};
for (const key of ['strasse', 'street', 'adresse', 'address', 'anschrift', 'streetaddress', 'strasseundhausnummer',
  'strassehausnummer', 'strassenr', 'strasseundnr', 'addressline1', 'adresszeile1', 'mailingstreet']) {
  MAIN_ADDRESS[key] = { part: 'street', line: 1 };
}
for (const key of ['addressline2', 'adresszeile2', 'adresszusatz']) MAIN_ADDRESS[key] = { part: 'street', line: 2 };
for (const key of ['hausnummer', 'hausnr', 'housenumber', 'hnr']) MAIN_ADDRESS[key] = { part: 'house_number', line: 1 };
for (const key of ['plz', 'postleitzahl', 'postcode', 'postalcode', 'zip', 'zipcode', 'mailingzippostalcode', 'mailingpostalcode', 'zippostalcode']) {
  MAIN_ADDRESS[key] = { part: 'postcode', line: 1 };
}
for (const key of ['ort', 'stadt', 'city', 'town', 'wohnort', 'ortschaft', 'mailingcity']) MAIN_ADDRESS[key] = { part: 'city', line: 1 };
for (const key of ['region', 'bundesland', 'state', 'province', 'kanton', 'stateregion', 'stateprovince', 'mailingstate', 'mailingstateprovince']) {
  MAIN_ADDRESS[key] = { part: 'region', line: 1 };
}
for (const key of ['land', 'country', 'staat', 'countryregion', 'landregion', 'nation', 'mailingcountry']) MAIN_ADDRESS[key] = { part: 'country', line: 1 };

/** Outlook's address blocks, English and German. */
const OUTLOOK_GROUPS: readonly { group: string; rank: number; en: string; de: string }[] = [
  { group: 'business', rank: 1, en: 'business', de: 'geschaftlich' },
  { group: 'home', rank: 5, en: 'home', de: 'privat' },
  { group: 'other', rank: 6, en: 'other', de: 'weitere' },
];
const OUTLOOK_PARTS: readonly { en: string; de: string[]; part: AddressPart; line: number }[] = [
  { en: 'street', de: ['strasse'], part: 'street', line: 1 },
  { en: 'street2', de: ['strasse2'], part: 'street', line: 2 },
  { en: 'street3', de: ['strasse3'], part: 'street', line: 3 },
  { en: 'city', de: ['ort'], part: 'city', line: 1 },
  { en: 'state', de: ['bundeslandkanton', 'region', 'bundesland'], part: 'region', line: 1 },
  { en: 'postalcode', de: ['postleitzahl'], part: 'postcode', line: 1 },
  { en: 'countryregion', de: ['landregion', 'land'], part: 'country', line: 1 },
];
const OUTLOOK_ADDRESS: Record<string, { group: string; rank: number; part: AddressPart; line: number }> = {};
for (const g of OUTLOOK_GROUPS) {
  for (const p of OUTLOOK_PARTS) {
    const spec = { group: g.group, rank: g.rank, part: p.part, line: p.line };
    OUTLOOK_ADDRESS[g.en + p.en] = spec; // "Business Street 2"
    for (const de of p.de) {
      OUTLOOK_ADDRESS[de + g.de] = spec; // "Straße geschäftlich"
      if (p.line > 1) OUTLOOK_ADDRESS[de.replace(/\d$/, '') + g.de + String(p.line)] = spec; // "Straße geschäftlich 2"
    }
  }
}

/**
 * Thunderbird's address blocks: "Work Address 2", "Home ZipCode"; German "Dienstlich: PLZ",
 * "Privat: Adresse". Work first, as Outlook's business block.
 */
const THUNDERBIRD_ADDRESS: Record<string, { group: string; rank: number; part: AddressPart; line: number }> = {};
for (const [prefixes, group, rank] of [[['work', 'dienstlich'], 'business', 1], [['home', 'privat'], 'home', 5]] as const) {
  for (const [suffixes, part, line] of [
    [['address', 'adresse'], 'street', 1],
    [['address2', 'adresse2'], 'street', 2],
    [['city', 'ort'], 'city', 1],
    [['state', 'bundesland'], 'region', 1],
    [['zipcode', 'plz'], 'postcode', 1],
    [['country', 'land'], 'country', 1],
  ] as const) {
    for (const prefix of prefixes) for (const suffix of suffixes) THUNDERBIRD_ADDRESS[prefix + suffix] ??= { group, rank, part, line };
  }
}

const BIRTHDAY_PARTS: Record<string, BirthdayPart> = {
  birthyear: 'year', geburtsjahr: 'year', birthmonth: 'month', geburtsmonat: 'month',
};

const GOOGLE_ADDRESS_PARTS: Record<string, { part: AddressPart; line: number }> = {
  street: { part: 'street', line: 1 },
  extendedaddress: { part: 'street', line: 2 },
  city: { part: 'city', line: 1 },
  region: { part: 'region', line: 1 },
  postalcode: { part: 'postcode', line: 1 },
  country: { part: 'country', line: 1 },
  formatted: { part: 'formatted', line: 1 },
};

/** Columns of contact exports that only describe other columns, or hold nothing to keep. */
const LAYOUT_NOISE = [
  /^(email|phone|address|website|im|relation|event|organization|externalid)\d+(type|label)$/,
  /yomi/,
  /^phonetic/,
  /^photo$/,
  /^fileas$/,
];

/**
 * Outlook's bookkeeping columns ("Normal", "False", "SMTP" on every contact), English and German.
 * Gender too: Outlook fills it with "Unspecified", and a customer file does not need it.
 */
const OUTLOOK_NOISE = new Set([
  'gender', 'geschlecht', 'priority', 'sensitivity', 'private', 'internetfreebusy', 'directoryserver', 'emaildisplayname', 'email2displayname',
  'email3displayname', 'emailtype', 'email2type', 'email3type', 'prioritat', 'vertraulichkeit', 'privat', 'emailtyp',
  'email2typ', 'email3typ', 'emailangezeigtername', 'email2angezeigtername', 'email3angezeigtername',
]);

/** Fields that are assigned or derived: an import never writes them. */
const NEVER_IMPORTED = new Set(['company_id', 'sales_total', 'sales_count', 'last_sale', 'created_at', 'updated_at']);

const ALIAS = new Map<string, ImportTarget>();
for (const [field, keys] of Object.entries(FIELD_ALIASES)) {
  for (const key of keys) ALIAS.set(key, { type: 'field', field });
}
for (const key of COMPANY_ALIASES) ALIAS.set(key, { type: 'company' });
for (const key of KIND_ALIASES) ALIAS.set(key, { type: 'kind' });
for (const key of TAG_ALIASES) ALIAS.set(key, { type: 'tags' });

/** What a header names in a sheet that is not our own export; null when it is not known. */
function knownTarget(header: string, key: string, layout: Layout): ImportTarget | null {
  if (layout === 'outlook' && OUTLOOK_NOISE.has(key)) return { type: 'ignore' };
  // German Outlook's "Ort" is its Location field (the cities are "Ort geschäftlich", "Ort privat")
  if (layout === 'outlook' && key === 'ort') return null;
  const datev = layout === 'datev' ? own(DATEV_NAMES, key) : undefined;
  if (datev) return datev;
  const birthdayPart = own(BIRTHDAY_PARTS, key);
  if (birthdayPart) return { type: 'birthday_part', part: birthdayPart };
  const alias = ALIAS.get(key);
  if (alias) return alias;
  if (LAYOUT_NOISE.some((re) => re.test(key))) return { type: 'ignore' };
  const email = /^e?mail(\d+)?(?:address|adresse|value)?$/.exec(key) ?? /^emailadresse(\d+)$/.exec(key);
  if (email) return { type: 'alternate', field: 'email', rank: email[1] ? Number(email[1]) : 1, custom: header };
  const emailRank = own(EMAIL_RANKS, key);
  if (emailRank !== undefined) return { type: 'alternate', field: 'email', rank: emailRank, custom: header };
  const googlePhone = /^phone(\d+)value$/.exec(key);
  if (googlePhone) return { type: 'alternate', field: 'phone', rank: Number(googlePhone[1]), custom: header };
  const phoneRank = own(PHONE_RANKS, key);
  if (phoneRank !== undefined) return { type: 'alternate', field: 'phone', rank: phoneRank, custom: header };
  const main = own(MAIN_ADDRESS, key);
  if (main) return { type: 'address', group: 'main', rank: 0, part: main.part, line: main.line, custom: header };
  const outlook = own(OUTLOOK_ADDRESS, key) ?? own(THUNDERBIRD_ADDRESS, key);
  if (outlook) return { type: 'address', ...outlook, custom: header };
  const google = /^address(\d+)([a-z]+)$/.exec(key);
  const googlePart = google ? own(GOOGLE_ADDRESS_PARTS, google[2]!) : undefined;
  if (google && googlePart) {
    const n = Number(google[1]);
    return { type: 'address', group: `address${n}`, rank: 1 + n, ...googlePart, custom: header };
  }
  return null;
}

/** Our own CSV export: a `kind` column and at least three other exact field names. */
function isOwnLayout(headers: readonly string[]): boolean {
  const names = new Set(headers.map((h) => h.trim()));
  if (!names.has('kind')) return false;
  let others = 0;
  for (const f of FIELDS) if (f.name !== 'kind' && names.has(f.name)) others++;
  return others >= 3;
}

/** Which known export a header row is, for the import report. */
export function detectLayout(headers: readonly string[]): Layout {
  if (isOwnLayout(headers)) return 'own';
  const keys = new Set(headers.map(normalizeHeader));
  if (keys.has('givenname') && keys.has('familyname') && (keys.has('groupmembership') || keys.has('email1value'))) return 'google-old';
  if (keys.has('firstname') && keys.has('email1value') && (keys.has('labels') || keys.has('organizationname'))) return 'google';
  if (keys.has('firstname') && keys.has('emailaddress') && (keys.has('businessstreet') || keys.has('categories') || keys.has('jobtitle'))) {
    return 'outlook';
  }
  // its address blocks tell German Outlook from a German sheet that also has "Kategorien"
  if (keys.has('vorname') && keys.has('emailadresse') && (keys.has('strassegeschaftlich') || keys.has('ortgeschaftlich') || keys.has('strasseprivat') || keys.has('ortprivat'))) {
    return 'outlook';
  }
  if (['nameadressatentypunternehmen', 'nameadressatentypnaturlperson', 'nameadressattypunternehmen', 'nameadressattypnaturlperson'].some((k) => keys.has(k))) return 'datev';
  if ((keys.has('primaryemail') && keys.has('birthyear')) || (keys.has('primareemailadresse') && keys.has('geburtsjahr'))) return 'thunderbird';
  return 'generic';
}

// ---------------------------------------------------------------------------------------------
// mapHeaders

/**
 * Maps each column of a header row to its target. Throws RejectedInputError naming the column for
 * a `__proto__`/`constructor`/`prototype` header, a header unusable as a custom field name, or two
 * columns that would write the same target; UsageError for a `--map` that names no column or no
 * field.
 */
export function mapHeaders(headers: readonly string[], options: MappingOptions = {}): ColumnMapping[] {
  // NFC: a header "Größe" written decomposed names the same custom field as one written composed
  const trimmed = headers.map((h) => nfc(h.trim()));
  trimmed.forEach((h, i) => {
    if (isReservedKey(h)) {
      throw new RejectedInputError(`Column ${i + 1} is named "${h}", which custfile does not accept as a column name; rename it.`);
    }
  });
  const overrides = resolveMapOption(trimmed, options.map ?? {});
  const layout = detectLayout(trimmed);
  const ownLayout = layout === 'own';

  const mapping: ColumnMapping[] = trimmed.map((header, index) => {
    const mapped = overrides.get(index);
    if (mapped) return { index, header, target: withHeader(mapped, header), via: 'map' };
    // a column without a header keeps its cells (an empty one writes nothing)
    if (header === '') return { index, header, target: { type: 'custom', name: `column_${index + 1}` }, via: 'no-header' };
    if (ownLayout) return ownTarget(index, header);
    if (header.startsWith('custom.') && header.length > 'custom.'.length) {
      return { index, header, target: { type: 'custom', name: header.slice('custom.'.length) }, via: 'own' };
    }
    if (NEVER_IMPORTED.has(header)) return { index, header, target: { type: 'ignore' }, via: 'own' };
    const known = knownTarget(header, normalizeHeader(header), layout);
    if (known) return { index, header, target: known, via: 'known' };
    return { index, header, target: { type: 'custom', name: header }, via: 'unknown' };
  });

  // "Name" beside "Vorname" (and no "Nachname") is the surname; alone it is the display name.
  if (!ownLayout) {
    const hasFirst = mapping.some((m) => isField(m.target, 'first_name'));
    const hasLast = mapping.some((m) => isField(m.target, 'last_name'));
    if (hasFirst && !hasLast) {
      for (const m of mapping) {
        if (m.via === 'known' && isField(m.target, 'name') && normalizeHeader(m.header) === 'name') {
          m.target = { type: 'field', field: 'last_name' };
        }
      }
    }
  }

  // A birthday in parts needs its month column (Thunderbird's Birth Month): then "Birth Day" /
  // "Geburtstag" beside it is the day of the month. Without one, a "Geburtsjahr" beside a whole
  // "Geburtstag" is a custom field, and the birthday stays the date it is.
  if (!ownLayout && mapping.some((m) => m.target.type === 'birthday_part')) {
    const hasMonth = mapping.some((m) => m.target.type === 'birthday_part' && m.target.part === 'month');
    for (const m of mapping) {
      if (hasMonth && m.via === 'known' && isField(m.target, 'birthday') && ['birthday', 'geburtstag'].includes(normalizeHeader(m.header))) {
        m.target = { type: 'birthday_part', part: 'day' };
      } else if (!hasMonth && m.target.type === 'birthday_part') {
        m.target = { type: 'custom', name: m.header };
      }
    }
  }

  for (const m of mapping) checkCustomTarget(m);
  rejectDuplicates(mapping);
  return mapping;
}

/**
 * A `--map` to e-mail, phone or an address part joins the matching multi-column target, first in
 * rank: it wins over the recognised columns (which are then kept as custom fields), and a second
 * column mapped to the same address part is a duplicate.
 */
function withHeader(target: ImportTarget, header: string): ImportTarget {
  if (target.type !== 'field') return target;
  const f = target.field;
  if (f === 'email' || f === 'phone') return { type: 'alternate', field: f, rank: -1, custom: header };
  if (f === 'street' || f === 'postcode' || f === 'city' || f === 'region' || f === 'country') {
    return { type: 'address', group: 'main', rank: 0, part: f, line: 1, custom: header };
  }
  return target;
}

/** Whether some column of the mapping fills `field` (directly, as one of several e-mail or phone columns, or as an address part). */
export function mapsField(mapping: readonly ColumnMapping[], field: string): boolean {
  return mapping.some((m) => {
    const t = m.target;
    return (
      (t.type === 'field' && t.field === field) ||
      (t.type === 'alternate' && t.field === field) ||
      (t.type === 'address' && t.part === field) ||
      (t.type === 'birthday_part' && field === 'birthday')
    );
  });
}

function isField(target: ImportTarget, field: string): boolean {
  return target.type === 'field' && target.field === field;
}

function ownTarget(index: number, header: string): ColumnMapping {
  if (header.startsWith('custom.') && header.length > 'custom.'.length) {
    return { index, header, target: { type: 'custom', name: header.slice('custom.'.length) }, via: 'own' };
  }
  const field = fieldByName(header);
  if (!field) return { index, header, target: { type: 'custom', name: header }, via: 'unknown' };
  if (field.name === 'id' || NEVER_IMPORTED.has(field.name)) return { index, header, target: { type: 'ignore' }, via: 'own' };
  if (field.name === 'company') return { index, header, target: { type: 'company' }, via: 'own' };
  if (field.name === 'kind') return { index, header, target: { type: 'kind' }, via: 'own' };
  if (field.name === 'tags') return { index, header, target: { type: 'tags' }, via: 'own' };
  if (field.name === 'custom') return { index, header, target: { type: 'custom_json' }, via: 'own' };
  return { index, header, target: { type: 'field', field: field.name }, via: 'own' };
}

/** `--map` entries → targets by column index. */
function resolveMapOption(headers: readonly string[], map: Record<string, string>): Map<number, ImportTarget> {
  const out = new Map<number, ImportTarget>();
  const keys = headers.map(normalizeHeader);
  for (const [column, value] of Object.entries(map)) {
    const name = column.trim();
    let index = headers.indexOf(name);
    if (index < 0) {
      const key = normalizeHeader(name);
      index = key === '' ? -1 : keys.indexOf(key);
    }
    if (index < 0) throw new UsageError(`--map names the column "${name}", which the file does not have.`);
    out.set(index, mapValueTarget(name, value.trim()));
  }
  return out;
}

function mapValueTarget(column: string, value: string): ImportTarget {
  if (value === '-' || value === '') return { type: 'ignore' };
  if (value.startsWith('custom.')) {
    const name = value.slice('custom.'.length).trim();
    if (!usableCustomName(name)) throw new UsageError(`--map: "${value}" for column "${column}" is not a usable custom field name.`);
    return { type: 'custom', name };
  }
  const field = fieldByName(value);
  if (!field) {
    throw new UsageError(`--map: "${value}" for column "${column}" is not a field; use a field name, custom.NAME, or - to ignore the column.`);
  }
  switch (field.name) {
    case 'company':
      return { type: 'company' };
    case 'kind':
      return { type: 'kind' };
    case 'tags':
      return { type: 'tags' };
    case 'custom':
      return { type: 'custom_json' };
    case 'name':
      return { type: 'field', field: 'name' };
  }
  if (!field.writable || field.name === 'company_id') {
    throw new UsageError(`--map: "${value}" for column "${column}" is assigned or derived and cannot be imported.`);
  }
  return { type: 'field', field: field.name };
}

/**
 * `--map 'Col=field,Col 2=custom.x,Col3=-'` → `{ Col: 'field', 'Col 2': 'custom.x', Col3: '-' }`.
 * Entries are split at commas, each at its last `=` (so a header may contain `=`).
 */
export function parseMapSpec(text: string): Record<string, string> {
  const out: Record<string, string> = Object.create(null) as Record<string, string>;
  for (const entry of text.split(',')) {
    if (entry.trim() === '') continue;
    const i = entry.lastIndexOf('=');
    if (i <= 0) throw new UsageError(`--map entry "${entry.trim()}" is not COLUMN=FIELD; write e.g. --map 'Kundennr=external_id,Col3=-'.`);
    const column = entry.slice(0, i).trim();
    if (isReservedKey(column)) throw new UsageError(`--map cannot name a column "${column}".`);
    out[column] = entry.slice(i + 1).trim();
  }
  return out;
}

function usableCustomName(name: string): boolean {
  return name !== '' && !isReservedKey(name) && name.length <= 64 && !/[\u0000-\u001f\u007f]/.test(name);
}

function checkCustomTarget(m: ColumnMapping): void {
  const t = m.target;
  const name = t.type === 'custom' ? t.name : t.type === 'alternate' || t.type === 'address' ? t.custom : null;
  if (name === null || usableCustomName(name)) return;
  throw new RejectedInputError(
    `Column ${m.index + 1} ("${m.header.slice(0, 40)}") cannot be kept as a custom field: its name is empty, reserved, longer than 64 characters or has control characters; rename it or map it with --map.`,
  );
}

/** Two columns that would write the same thing make a row's meaning depend on column order. */
function rejectDuplicates(mapping: readonly ColumnMapping[]): void {
  const seen = new Map<string, ColumnMapping>();
  for (const m of mapping) {
    const key = conflictKey(m.target);
    if (key === null) continue;
    const first = seen.get(key);
    if (first) {
      throw new RejectedInputError(
        `Columns ${first.index + 1} ("${first.header}") and ${m.index + 1} ("${m.header}") both map to ${describeTarget(m.target)}; rename one, or ignore one with --map '${m.header}=-'.`,
      );
    }
    seen.set(key, m);
  }
}

function conflictKey(t: ImportTarget): string | null {
  switch (t.type) {
    case 'field':
      return `field:${t.field}`;
    case 'custom':
      return `custom:${t.name}`;
    case 'alternate':
      return `alternate:${t.field}:${t.custom}`;
    case 'address':
      return `address:${t.group}:${t.part}:${t.line}`;
    case 'birthday_part':
      return `birthday:${t.part}`;
    case 'company':
    case 'kind':
    case 'custom_json':
      return t.type;
    case 'tags':
    case 'ignore':
      return null; // tags from several columns add up; ignored columns write nothing
  }
}

/** The target in words, for reports and messages: `email`, `custom.Fax`, `city (business address)`. */
export function describeTarget(t: ImportTarget): string {
  switch (t.type) {
    case 'field':
      return t.field;
    case 'custom':
      return `custom.${t.name}`;
    case 'custom_json':
      return 'custom (JSON)';
    case 'alternate':
      return `${t.field} (or custom.${t.custom})`;
    case 'address': {
      const part = t.part === 'house_number' ? 'street (house number)'
        : t.part === 'street' && t.line > 1 ? `street (line ${t.line})`
        : t.part === 'formatted' ? `custom.${t.custom} when the block has no parts`
        : t.part;
      return t.group === 'main' ? part : `${part} (${t.group} address)`;
    }
    case 'birthday_part':
      return `birthday (${t.part})`;
    case 'tags':
      return 'tags';
    case 'company':
      return 'company';
    case 'kind':
      return 'kind';
    case 'ignore':
      return 'nothing (ignored)';
  }
}

/** The key rows are matched on when `--key` is not given: `external_id` when a column maps to it. */
export function defaultKey(mapping: readonly ColumnMapping[]): 'external_id' | 'email' {
  return mapping.some((m) => isField(m.target, 'external_id')) ? 'external_id' : 'email';
}

// ---------------------------------------------------------------------------------------------
// Values

export type SlashOrder = 'dmy' | 'mdy';

export interface RowContext {
  /** `--date-format`, e.g. `DD/MM/YYYY`, `MM/DD/YYYY`, `DD.MM.YYYY`, `YYYYMMDD`. */
  dateFormat?: string;
  /** The order of `1/2/2020`-style dates in every date column (see `decideSlashOrder`). */
  slashOrder?: SlashOrder;
  /** The same per column index; wins over `slashOrder`. */
  slashOrders?: Readonly<Record<number, SlashOrder | 'ambiguous'>>;
  /**
   * The file's decimal separator, when known (a `;` file from a European Excel: `,`). It settles
   * `12.500`, which is 12500 with a decimal comma and 12.50 otherwise; `1.234,56` and
   * `1,234.56` need no help.
   */
  decimal?: ',' | '.';
}

export interface ImportValues {
  /** Text assignments for `applyChanges` (`ChangeRequest.set`), custom fields as `custom.NAME`. */
  set: { field: string; value: string }[];
  /** Tags to add, as `+tag` edits (`ChangeRequest.tagEdits`). */
  tagEdits?: string[];
  /** For a person: the company to link it to as a key contact (found by name or created). */
  companyName?: string;
  /** Company fields on a person row, for the company named by `companyName`. */
  companySet?: { field: string; value: string }[];
  kind: Kind;
}

/** The company a row links its person to by name (a key contact); null for a company row or none. */
export function linkedCompanyName(values: ImportValues): string | null {
  const name = values.kind === 'person' ? (values.companyName?.trim() ?? '') : '';
  return name === '' ? null : name;
}

/** A ';' file comes from a European Excel, where the decimal separator is ','; else both are read. */
export function decimalForDelimiter(delimiter: string): ',' | undefined {
  return delimiter === ';' ? ',' : undefined;
}

/**
 * Why a row's cells do not fit the header's width (null: they do). A row longer than the header
 * only by empty cells (`a,b,,` under `A,B`: what a spreadsheet writes when a cell beyond the table
 * was once touched) loses nothing and fits; cells with text beyond the header would have no column.
 */
export function widthProblem(cells: readonly string[], width: number): string | null {
  if (cells.length === width) return null;
  if (cells.length > width && cells.slice(width).every((c) => c.trim() === '')) return null;
  return `has ${cells.length} cell${cells.length === 1 ? '' : 's'} where the header has ${width}`;
}

/** A row's values, or why it is not imported: rejected (to --rejects, exit 4), or skipped as nothing to import (a vCard group). */
export type RowResult = { ok: true; values: ImportValues } | { ok: false; reason: string; skip?: boolean };

export { removeFormulaGuard };

/** Outlook writes these for "no birthday". */
const EMPTY_DATES = new Set(['0.0.00', '0/0/00', '00.00.0000', '0.0.0000', '00/00/0000']);
const TIME_SUFFIX = /(?:[T ]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:?\d{2})?)$/;
const SLASH_DATE = /^(\d{1,2})([/-])(\d{1,2})\2(\d{4}|\d{2})$/;
const ISO_LIKE = /^(\d{4})[-/](\d{1,2})[-/](\d{1,2})$/;
const BASIC = /^(\d{4})(\d{2})(\d{2})$/;
const DOTTED = /^(\d{1,2})\.\s?(\d{1,2})\.\s?(\d{4}|\d{2})$/;
const YEARLESS = /^--(\d{2})-?(\d{2})$/;
const DOTTED_YEARLESS = /^(\d{1,2})\.(\d{1,2})\.$/;

export interface CompiledFormat {
  regex: RegExp;
  day: number;
  month: number;
  year: number;
  order: SlashOrder | null;
}
const FORMAT_CACHE = new Map<string, CompiledFormat>();

/**
 * `--date-format` compiled: `DD`/`D`, `MM`/`M`, `YYYY` or `YY` (see `fullYear`) and separators.
 * Throws UsageError for a format without day, month and year.
 */
export function parseDateFormat(format: string): CompiledFormat {
  const cached = FORMAT_CACHE.get(format);
  if (cached) return cached;
  const tokens = format.trim().match(/YYYY|YY|DD|D|MM|M|[^A-Za-z0-9]|[A-Za-z0-9]+/g) ?? [];
  let source = '^';
  const groups: string[] = [];
  for (const token of tokens) {
    if (token === 'YYYY' || token === 'YY') {
      source += token === 'YYYY' ? '(\\d{4})' : '(\\d{2})';
      groups.push('Y');
    } else if (token === 'DD' || token === 'D') {
      source += token === 'DD' && !tokens.some((t) => /^[^A-Za-z0-9]$/.test(t)) ? '(\\d{2})' : '(\\d{1,2})';
      groups.push('D');
    } else if (token === 'MM' || token === 'M') {
      source += token === 'MM' && !tokens.some((t) => /^[^A-Za-z0-9]$/.test(t)) ? '(\\d{2})' : '(\\d{1,2})';
      groups.push('M');
    } else if (/^[^A-Za-z0-9]$/.test(token)) {
      source += token.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
    } else {
      throw new UsageError(`--date-format "${format}" is not a date format; write e.g. DD/MM/YYYY or MM/DD/YYYY (DD, MM and YYYY).`);
    }
  }
  const day = groups.indexOf('D');
  const month = groups.indexOf('M');
  const year = groups.indexOf('Y');
  if (groups.length !== 3 || day < 0 || month < 0 || year < 0) {
    throw new UsageError(`--date-format "${format}" needs a day, a month and a year; write e.g. DD/MM/YYYY, MM/DD/YYYY or DD.MM.YY.`);
  }
  const compiled: CompiledFormat = {
    regex: new RegExp(source + '$'),
    day: day + 1,
    month: month + 1,
    year: year + 1,
    order: day < month ? 'dmy' : 'mdy',
  };
  FORMAT_CACHE.set(format, compiled);
  return compiled;
}

/**
 * The order of a column's slash dates from the values that settle it: `13/02/2020` is day first,
 * `02/13/2020` month first; `01/02/2020` says nothing. Mixed evidence, or none, is ambiguous.
 */
export function decideSlashOrder(samples: readonly string[]): SlashOrder | 'ambiguous' {
  let dmy = 0;
  let mdy = 0;
  for (const sample of samples) {
    const m = SLASH_DATE.exec(removeFormulaGuard(sample).trim().replace(TIME_SUFFIX, ''));
    if (!m) continue;
    const a = Number(m[1]);
    const b = Number(m[3]);
    if (a > 12 && b <= 12) dmy++;
    else if (b > 12 && a <= 12) mdy++;
  }
  if (dmy > 0 && mdy === 0) return 'dmy';
  if (mdy > 0 && dmy === 0) return 'mdy';
  return 'ambiguous';
}

/** `decideSlashOrder` for every date column of a mapping, over some sample rows. */
export function decideSlashOrders(
  mapping: readonly ColumnMapping[],
  rows: readonly (readonly string[])[],
): Record<number, SlashOrder | 'ambiguous'> {
  const out: Record<number, SlashOrder | 'ambiguous'> = {};
  for (const m of mapping) {
    if (m.target.type !== 'field') continue;
    const type = fieldByName(m.target.field)?.type;
    if (type !== 'date' && type !== 'birthday') continue;
    out[m.index] = decideSlashOrder(rows.map((r) => r[m.index] ?? ''));
  }
  return out;
}

type Parsed = { value: string } | { reason: string };

function pad2(n: number): string {
  return n < 10 ? `0${n}` : String(n);
}

/**
 * A year as written: four digits as they are; two as Excel and LibreOffice read them by default
 * (00–29 are 2000–2029, 30–99 are 1930–1999), since such sheets were typed and shown so.
 */
function fullYear(text: string): number {
  const y = Number(text);
  return text.length !== 2 ? y : y < 30 ? 2000 + y : 1900 + y;
}

function civil(field: string, y: number, m: number, d: number): Parsed {
  if (y < 1 || m < 1 || m > 12 || d < 1 || d > daysInMonth(y, m)) return { reason: `${field}: not a date` };
  return { value: `${y < 1000 ? String(y).padStart(4, '0') : y}-${pad2(m)}-${pad2(d)}` };
}

/**
 * A date cell → `YYYY-MM-DD` (or `--MM-DD` for a year-less birthday). Accepts ISO (with a time,
 * which is dropped), `YYYY/MM/DD`, `YYYYMMDD`, `DD.MM.YYYY`/`D.M.YYYY`, slash or dash dates in the
 * column's order, `--date-format`, and for birthdays `--MM-DD`, `--MMDD` and `DD.MM.`.
 */
export function parseImportDate(
  field: string,
  text: string,
  options: { birthday?: boolean; dateFormat?: string; slashOrder?: SlashOrder | 'ambiguous' } = {},
): Parsed {
  return parseDate(field, text, options.birthday ?? false, options.dateFormat, options.slashOrder);
}

function parseDate(
  field: string,
  text: string,
  birthday: boolean,
  dateFormat: string | undefined,
  slashOrder: SlashOrder | 'ambiguous' | undefined,
): Parsed {
  const t = text.includes(':') ? text.replace(TIME_SUFFIX, '').trim() : text;
  let m: RegExpExecArray | null;
  const format = dateFormat ? parseDateFormat(dateFormat) : null;
  if (format && (m = format.regex.exec(t))) {
    return civil(field, fullYear(m[format.year]!), Number(m[format.month]), Number(m[format.day]));
  }
  if ((m = ISO_LIKE.exec(t))) return civil(field, Number(m[1]), Number(m[2]), Number(m[3]));
  if ((m = DOTTED.exec(t))) return civil(field, fullYear(m[3]!), Number(m[2]), Number(m[1]));
  if ((m = BASIC.exec(t))) return civil(field, Number(m[1]), Number(m[2]), Number(m[3]));
  if (birthday) {
    let month = 0;
    let day = 0;
    if ((m = YEARLESS.exec(t))) [month, day] = [Number(m[1]), Number(m[2])];
    else if ((m = DOTTED_YEARLESS.exec(t))) [month, day] = [Number(m[2]), Number(m[1])];
    if (m) {
      const value = `--${pad2(month)}-${pad2(day)}`;
      return parseBirthday(value) ? { value } : { reason: `${field}: not a date` };
    }
  }
  if ((m = SLASH_DATE.exec(t))) {
    const a = Number(m[1]);
    const b = Number(m[3]);
    const y = fullYear(m[4]!);
    let order = format?.order ?? (slashOrder === 'ambiguous' ? undefined : slashOrder);
    if (order === undefined) {
      if (a > 12 && b <= 12) order = 'dmy';
      else if (b > 12 && a <= 12) order = 'mdy';
      else {
        return {
          reason: `${field}: the date could be day/month or month/day; pass --date-format DD/MM/YYYY or MM/DD/YYYY`,
        };
      }
    }
    return order === 'dmy' ? civil(field, y, b, a) : civil(field, y, a, b);
  }
  return {
    reason: dateFormat
      ? `${field}: not a date in the format ${dateFormat} or YYYY-MM-DD`
      : `${field}: not a date (write YYYY-MM-DD or DD.MM.YYYY, or pass --date-format)`,
  };
}

/** A money cell → decimal text `1234567.89`, or null when it is not a number. */
export function parseImportMoney(text: string, decimal?: ',' | '.'): string | null {
  let t = text.trim();
  // the common shapes, computed directly (the same results as parseMoneyCents, which is slower)
  const m = MONEY_PLAIN.exec(t) ?? MONEY_EUROPEAN.exec(t) ?? MONEY_ENGLISH.exec(t);
  if (m) {
    const whole = m[2]!.length > 3 ? m[2]!.replace(/[.,]/g, '') : m[2]!;
    const frac = m[3] === undefined ? '00' : m[3].length === 1 ? `${m[3]}0` : m[3];
    if (whole.length <= 13) return `${m[1] === '-' && (whole.replace(/^0+/, '') !== '' || frac !== '00') ? '-' : ''}${whole.replace(/^0+(?=\d)/, '')}.${frac}`;
  }
  if (decimal === ',' && /^[+-]?\d{1,3}(\.\d{3})+$/.test(t)) t = t.replace(/\./g, '');
  else if (decimal === '.' && /^[+-]?\d{1,3}(,\d{3})+$/.test(t)) t = t.replace(/,/g, '');
  const cents = parseMoneyCents(t);
  return cents === null ? null : formatCents(cents);
}

const MONEY_PLAIN = /^([+-]?)(\d+)(?:[.,](\d{1,2}))?$/;
const MONEY_EUROPEAN = /^([+-]?)(\d{1,3}(?:\.\d{3})+),(\d{1,2})$/;
const MONEY_ENGLISH = /^([+-]?)(\d{1,3}(?:,\d{3})+)\.(\d{1,2})$/;

const LIFECYCLE_SYNONYMS: Record<string, string> = {
  interessent: 'prospect', interessentin: 'prospect', potenziell: 'prospect', potentiell: 'prospect',
  kunde: 'customer', kundin: 'customer', bestandskunde: 'customer', client: 'customer', aktiv: 'customer', active: 'customer',
  ehemalig: 'former', ehemaliger: 'former', exkunde: 'former', churned: 'former', lost: 'former', verloren: 'former',
  inaktiv: 'inactive', ruhend: 'inactive',
  partnerin: 'partner',
  anfrage: 'lead', kontakt: 'lead',
  // HubSpot's stages
  subscriber: 'lead', marketingqualifiedlead: 'lead', mql: 'lead',
  salesqualifiedlead: 'prospect', sql: 'prospect', opportunity: 'prospect', evangelist: 'customer',
};

const LIFECYCLE_BY_WORD = new Map(Object.entries(LIFECYCLE_SYNONYMS));

function parseLifecycle(text: string): string | null {
  const lower = text.toLowerCase();
  if ((LIFECYCLES as readonly string[]).includes(lower)) return lower;
  const synonym = LIFECYCLE_BY_WORD.get(lower);
  if (synonym !== undefined) return synonym;
  const key = normalizeHeader(text);
  if ((LIFECYCLES as readonly string[]).includes(key)) return key;
  return LIFECYCLE_BY_WORD.get(key) ?? null;
}

const KIND_VALUES: Record<string, Kind> = {
  company: 'company', firma: 'company', unternehmen: 'company', organisation: 'company', organization: 'company',
  org: 'company', b2b: 'company', business: 'company', gewerbe: 'company', geschaftskunde: 'company',
  person: 'person', privat: 'person', privatperson: 'person', privatkunde: 'person', individual: 'person', b2c: 'person',
  kontakt: 'person', contact: 'person',
};

const KIND_BY_WORD = new Map(Object.entries(KIND_VALUES));

/** Names that end or contain a legal form: `Müller GmbH`, `Acme Ltd.`, `Foo & Co. KG`. */
const LEGAL_FORM = /(?:^|[\s.,&(])(?:gmbh|ag|kg|kgaa|ohg|gbr|ug|mbh|se|ltd|limited|inc|llc|corp|corporation|plc|sarl|srl|bv|nv|e\.\s?k|e\.\s?v|partg(?:mbb)?)\.?(?=$|[\s,)])/i;

// ---------------------------------------------------------------------------------------------
// rowToRecord

interface AddressGroupPlan {
  rank: number;
  /** Street lines in line order. */
  street: number[];
  houseNumber: number[];
  postcode: number[];
  city: number[];
  region: number[];
  country: number[];
  /** Every column, for keeping a group that is not the address as custom fields (`custom.NAME`). */
  all: { index: number; key: string }[];
  /** The whole address in one cell: kept as a custom field when the block's parts are all empty. */
  formatted: { index: number; key: string }[];
}

/** A mapping compiled once for all rows: column indices by what they feed. */
interface Plan {
  /** Every column that is read, in column order. */
  used: number[];
  /** `customKey`: where the value goes when the field does not fit the row's kind. */
  fields: { index: number; field: FieldDef; customKey: string; company: boolean; person: boolean }[];
  customs: { index: number; key: string }[];
  customJson: number[];
  alternates: { field: 'email' | 'phone'; columns: { index: number; key: string }[] }[];
  addressGroups: AddressGroupPlan[];
  tags: number[];
  company: number;
  kind: number;
  firstLast: number[];
  name: number;
  companyOnly: number[];
  /** A birthday in several columns (-1: no such column). */
  birthdayParts: Record<BirthdayPart, number>;
  width: number;
}

const PLANS = new WeakMap<readonly ColumnMapping[], Plan>();

function planFor(mapping: readonly ColumnMapping[]): Plan {
  const cached = PLANS.get(mapping);
  if (cached) return cached;
  const plan: Plan = {
    used: [],
    fields: [],
    customs: [],
    customJson: [],
    alternates: [],
    addressGroups: [],
    tags: [],
    company: -1,
    kind: -1,
    firstLast: [],
    name: -1,
    companyOnly: [],
    birthdayParts: { year: -1, month: -1, day: -1 },
    width: 0,
  };
  const alternates = new Map<'email' | 'phone', { index: number; rank: number; custom: string }[]>();
  const groups = new Map<string, { rank: number; columns: { index: number; part: AddressPart; line: number; custom: string }[] }>();
  for (const m of mapping) {
    const t = m.target;
    plan.width = Math.max(plan.width, m.index + 1);
    if (t.type !== 'ignore') plan.used.push(m.index);
    switch (t.type) {
      case 'field': {
        const field = fieldByName(t.field)!;
        if (field.name === 'name') plan.name = m.index;
        else {
          plan.fields.push({
            index: m.index,
            field,
            customKey: `custom.${usableCustomName(m.header) ? m.header : field.name}`,
            company: field.kinds.includes('company'),
            person: field.kinds.includes('person'),
          });
        }
        if (field.name === 'first_name' || field.name === 'last_name') plan.firstLast.push(m.index);
        if (field.kinds.length === 1 && field.kinds[0] === 'company') plan.companyOnly.push(m.index);
        break;
      }
      case 'custom':
        plan.customs.push({ index: m.index, key: `custom.${t.name}` });
        break;
      case 'custom_json':
        plan.customJson.push(m.index);
        break;
      case 'alternate': {
        const list = alternates.get(t.field) ?? [];
        list.push({ index: m.index, rank: t.rank, custom: t.custom });
        alternates.set(t.field, list);
        break;
      }
      case 'address': {
        let g = groups.get(t.group);
        if (!g) {
          g = { rank: t.rank, columns: [] };
          groups.set(t.group, g);
        }
        g.columns.push({ index: m.index, part: t.part, line: t.line, custom: t.custom });
        break;
      }
      case 'tags':
        plan.tags.push(m.index);
        break;
      case 'birthday_part':
        plan.birthdayParts[t.part] = m.index;
        break;
      case 'company':
        plan.company = m.index;
        break;
      case 'kind':
        plan.kind = m.index;
        break;
      case 'ignore':
        break;
    }
  }
  for (const [field, list] of alternates) {
    list.sort((a, b) => a.rank - b.rank || a.index - b.index);
    plan.alternates.push({ field, columns: list.map(({ index, custom }) => ({ index, key: `custom.${custom}` })) });
  }
  for (const g of [...groups.values()].sort((a, b) => a.rank - b.rank)) {
    const columns = [...g.columns].sort((a, b) => a.line - b.line || a.index - b.index);
    const of = (part: AddressPart) => columns.filter((c) => c.part === part).map((c) => c.index);
    const keyed = (c: { index: number; custom: string }) => ({ index: c.index, key: `custom.${c.custom}` });
    plan.addressGroups.push({
      rank: g.rank,
      street: of('street'),
      houseNumber: of('house_number'),
      postcode: of('postcode'),
      city: of('city'),
      region: of('region'),
      country: of('country'),
      all: columns.filter((c) => c.part !== 'formatted').map(keyed),
      formatted: columns.filter((c) => c.part === 'formatted').map(keyed),
    });
  }
  PLANS.set(mapping, plan);
  return plan;
}

/** The cell as a value: formula guard off, trimmed, line breaks as `\n`. */
function cleanCell(raw: string | undefined): string {
  if (raw === undefined || raw === '') return '';
  const text = nfc(removeFormulaGuard(raw).trim());
  return text.includes('\r') ? text.replace(/\r\n?/g, '\n') : text; // one kind of line break inside cells
}

/** The non-empty cells of `indices`, joined by `sep`. */
function joined(cells: readonly string[], indices: readonly number[], sep: string): string {
  let out = '';
  for (const i of indices) {
    const text = cells[i]!;
    if (text !== '') out = out === '' ? text : out + sep + text;
  }
  return out;
}

/**
 * One row's cells → the changes for one profile. Cells are text as read; the formula guard is
 * removed and values are trimmed. Dates become ISO, money `1234.56`, whole numbers plain digits;
 * postcodes, phones and everything else stay the text they were. A failure is a reason naming the
 * field, never the cell's value (it may be personal data).
 */
export function rowToRecord(mapping: readonly ColumnMapping[], cells: readonly string[], ctx: RowContext = {}): RowResult {
  const plan = planFor(mapping);
  const cell: string[] = new Array<string>(plan.width);
  for (const i of plan.used) cell[i] = cleanCell(cells[i]);

  // --- kind
  const nameText = plan.name < 0 ? '' : cell[plan.name]!;
  const companyText = plan.company < 0 ? '' : cell[plan.company]!;
  let hasFirstLast = false;
  for (const i of plan.firstLast) if (cell[i] !== '') hasFirstLast = true;
  let kind: Kind;
  const kindText = plan.kind < 0 ? '' : cell[plan.kind]!;
  if (kindText !== '') {
    const k = KIND_BY_WORD.get(kindText.toLowerCase()) ?? KIND_BY_WORD.get(normalizeHeader(kindText));
    if (!k) return { ok: false, reason: 'kind: must be company or person' };
    kind = k;
  } else if (hasFirstLast) kind = 'person';
  else if (nameText === '' && companyText !== '') kind = 'company';
  else if (nameText !== '' && companyText !== '') kind = sameName(nameText, companyText) ? 'company' : 'person';
  else if (nameText !== '') {
    kind = plan.companyOnly.some((i) => cell[i] !== '') || LEGAL_FORM.test(nameText) ? 'company' : 'person';
  } else {
    // Excel's ";;;;" rows below the data: nothing to import, nothing to reject
    if (cells.every((c) => c === undefined || c.trim() === '')) return { ok: false, reason: 'an empty row', skip: true };
    return { ok: false, reason: 'name: the row has no name (a first or last name, a name or a company)' };
  }

  const set: { field: string; value: string }[] = [];
  let companySet: { field: string; value: string }[] | undefined;
  let companyName: string | undefined;

  // --- names
  if (kind === 'person') {
    if (!hasFirstLast) {
      if (nameText === '') return { ok: false, reason: 'last_name: a person needs a first or last name, or a name' };
      set.push({ field: 'name', value: nameText });
    }
    if (companyText !== '') companyName = companyText;
  } else {
    const ownName = nameText !== '' ? nameText : companyText;
    if (ownName === '') return { ok: false, reason: 'name: a company needs a name' };
    set.push({ field: 'name', value: ownName });
  }

  // --- plain fields
  for (const f of plan.fields) {
    const text = cell[f.index]!;
    if (text === '') continue;
    const fits = kind === 'person' ? f.person : f.company;
    if (!fits && !(kind === 'person' && companyName !== undefined)) {
      // a field of the other kind with nowhere to go: keep it as a custom field
      if (!EMPTY_DATES.has(text)) set.push({ field: f.customKey, value: text });
      continue;
    }
    const converted = convert(f.field, text, f.index, ctx);
    if (converted === undefined) continue;
    if ('reason' in converted) return { ok: false, reason: converted.reason };
    if (fits) set.push({ field: f.field.name, value: converted.value });
    else (companySet ??= []).push({ field: f.field.name, value: converted.value });
  }

  // --- several e-mail or phone columns: the first by rank fills the field, the rest are kept
  // (Google writes several values of one label into one cell, " ::: " between them)
  for (const { field, columns } of plan.alternates) {
    let filled = false;
    for (const c of columns) {
      let text = cell[c.index]!;
      if (text === '') continue;
      if (field === 'email') text = withoutMailto(text);
      const [first, rest] = multiValue(text);
      if (!filled && field === 'email' && isExchangeAddress(first)) {
        // Outlook's Exchange address ("/o=ExchangeLabs/ou=…/cn=…"): no e-mail; the next column has the SMTP one
        set.push({ field: c.key, value: text });
        continue;
      }
      if (!filled) {
        set.push({ field, value: first });
        filled = true;
        if (rest !== null) set.push({ field: c.key, value: rest });
      } else set.push({ field: c.key, value: text });
    }
  }

  // --- address blocks: the first with a value is the address, the others are kept
  let addressChosen = false;
  for (const g of plan.addressGroups) {
    let any = false;
    for (const c of g.all) if (cell[c.index] !== '') any = true;
    if (!any) {
      // only the address in one cell: kept as it is (its lines do not say which part is which)
      for (const c of g.formatted) if (cell[c.index] !== '') set.push({ field: c.key, value: cell[c.index]! });
      continue;
    }
    if (addressChosen) {
      for (const c of g.all) if (cell[c.index] !== '') set.push({ field: c.key, value: cell[c.index]! });
      continue;
    }
    addressChosen = true;
    // the house number belongs to the first street line: "Hauptstr. 5a, Hinterhaus"
    let street = '';
    let first = true;
    for (const i of g.street) {
      const line = cell[i]!;
      if (line === '') continue;
      const text = line.includes('\n') ? line.replace(/\s*\n\s*/g, ', ') : line;
      if (first) {
        const number = joined(cell, g.houseNumber, ' ');
        street = number === '' ? text : `${text} ${number}`;
        first = false;
      } else street += `, ${text}`;
    }
    if (first) street = joined(cell, g.houseNumber, ' ');
    if (street !== '') set.push({ field: 'street', value: street });
    const postcode = joined(cell, g.postcode, ' ');
    if (postcode !== '') set.push({ field: 'postcode', value: postcode });
    const city = joined(cell, g.city, ' ');
    if (city !== '') set.push({ field: 'city', value: city });
    const region = joined(cell, g.region, ' ');
    if (region !== '') set.push({ field: 'region', value: region });
    const country = joined(cell, g.country, ' ');
    if (country !== '') set.push({ field: 'country', value: country });
  }

  // --- a birthday in three columns
  const { year, month, day } = plan.birthdayParts;
  if (year >= 0 || month >= 0 || day >= 0) {
    const parts = [year, month, day].map((i) => (i < 0 ? '' : cell[i]!));
    const given = (p: string) => p !== '' && p !== '0';
    // a year alone (no month and day) is no birthday to celebrate: kept as it was
    if (given(parts[0]!) && !given(parts[1]!) && !given(parts[2]!)) set.push({ field: 'custom.birth_year', value: parts[0]! });
    else if (parts.some(given)) {
      const birthday = birthdayFromParts(parts[0]!, parts[1]!, parts[2]!);
      if ('reason' in birthday) return { ok: false, reason: birthday.reason };
      if (kind === 'person') set.push({ field: 'birthday', value: birthday.value });
      else set.push({ field: 'custom.birthday', value: birthday.value });
    }
  }

  // --- custom fields
  for (const c of plan.customs) {
    const text = cell[c.index]!;
    if (text !== '' && !EMPTY_DATES.has(text)) set.push({ field: c.key, value: text });
  }
  for (const index of plan.customJson) {
    const text = cell[index]!;
    if (text === '' || text === '{}') continue;
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch {
      return { ok: false, reason: 'custom: not a JSON object' };
    }
    if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) return { ok: false, reason: 'custom: not a JSON object' };
    for (const [key, value] of Object.entries(parsed as Record<string, unknown>)) {
      if (!usableCustomName(key)) return { ok: false, reason: 'custom: a key is not a usable custom field name' };
      if (value === null || value === undefined || value === '') continue;
      set.push({ field: `custom.${key}`, value: typeof value === 'string' ? value : JSON.stringify(value) });
    }
  }

  const values: ImportValues = { set, kind };

  // --- tags
  if (plan.tags.length > 0) {
    let tags: string[] | undefined;
    for (const index of plan.tags) {
      const text = cell[index]!;
      if (text !== '') (tags ??= []).push(...splitImportTags(text));
    }
    if (tags && tags.length > 0) values.tagEdits = [...new Set(tags)].map((t) => `+${t}`);
  }
  if (companyName !== undefined) values.companyName = companyName;
  if (companySet !== undefined) values.companySet = companySet;
  return { ok: true, values };
}

/**
 * The revision of how cells become values (rowToRecord and what it calls). Import fingerprints
 * are seeded with it (app/import-profiles.ts `settleMapping`): raise it with any change that maps
 * the same cells differently, or a re-import would skip rows whose values would now differ. The
 * program's version seeds them too, but it changes only with a release. 2: Google's " ::: " in
 * e-mail and phone cells; quotes before a formula character lose one quote only. 3: two-digit
 * years, Exchange addresses passed over, birthdays from three columns, Google's formatted address.
 */
export const MAPPING_REVISION = 3;

/** The trimmed value a row gives the import's key field; empty when it gives none. */
export function keyCellOf(set: readonly { field: string; value: string }[], key: string): string {
  return set.find((s) => s.field === key)?.value.trim() ?? '';
}

/** The fields an address block fills (see rowToRecord): never read by `keyCellReader`. */
const ADDRESS_FIELDS = new Set(['street', 'postcode', 'city', 'region', 'country']);
/** Field types whose cell `convert` turns into another text (the others' cell is their value). */
const CONVERTED_TYPES = new Set(['date', 'birthday', 'money', 'int', 'enum']);

/**
 * What `rowToRecord` gives the field `key` in a row, read from the one column (or the ranked
 * e-mail or phone columns) that feeds it, without mapping the row: `keyCellOf(values.set, key)`
 * of every row it maps. Null when the key's value needs more than that (a name, an address part,
 * a converted or kind-dependent field, several columns): the caller maps the rows then.
 * Rows that rowToRecord rejects get a cell as well; the caller must not trust it alone.
 */
export function keyCellReader(mapping: readonly ColumnMapping[], key: string): ((cells: readonly string[]) => string) | null {
  const plan = planFor(mapping);
  if (key === 'name' || ADDRESS_FIELDS.has(key)) return null;
  const plain = plan.fields.filter((f) => f.field.name === key);
  const ranked = plan.alternates.filter((a) => a.field === key);
  if (plain.length + ranked.length !== 1) return null;
  if (plain.length === 1) {
    const f = plain[0]!;
    if (!f.person || !f.company || CONVERTED_TYPES.has(f.field.type)) return null;
    return (cells) => cleanCell(cells[f.index]);
  }
  const columns = ranked[0]!.columns.map((c) => c.index);
  return (cells) => {
    for (const i of columns) {
      const text = cleanCell(cells[i]);
      if (text === '') continue;
      return multiValue(key === 'email' ? withoutMailto(text).trim() : text)[0];
    }
    return '';
  };
}

/** Outlook's Exchange (X.500) address in an e-mail column: `/o=ExchangeLabs/ou=…/cn=Recipients/cn=…`. */
function isExchangeAddress(text: string): boolean {
  return text.charCodeAt(0) === 47 && /^\/o=/i.test(text) && !text.includes('@');
}

/** Year, month and day cells → a birthday (`--MM-DD` without a year; Thunderbird writes 0 for none). */
function birthdayFromParts(year: string, month: string, day: string): Parsed {
  const y = /^\d{4}$/.test(year) && year !== '0000' ? year : year === '' || year === '0' ? '' : null;
  if (y === null || !/^\d{1,2}$/.test(month) || !/^\d{1,2}$/.test(day)) return { reason: 'birthday: not a date (year, month and day columns)' };
  const value = `${y === '' ? '-' : y}-${month.padStart(2, '0')}-${day.padStart(2, '0')}`;
  return parseBirthday(value) ? { value } : { reason: 'birthday: not a date (year, month and day columns)' };
}

/** Google's several values of one label in one cell (`a@x.de ::: b@y.com`): the first, and the others as they were (null: none). */
function multiValue(text: string): [string, string | null] {
  const at = text.indexOf(':::');
  if (at < 0) return [text, null];
  const first = text.slice(0, at).trim();
  const rest = text.slice(at + 3).trim();
  return first === '' ? [rest, null] : [first, rest === '' ? null : rest];
}

/** An e-mail cell without the `mailto:` that some exports put before it. */
function withoutMailto(text: string): string {
  return (text.charCodeAt(0) === 109 || text.charCodeAt(0) === 77) && /^mailto:/i.test(text) ? text.slice(7) : text;
}

function sameName(a: string, b: string): boolean {
  return normalizeHeader(a) === normalizeHeader(b);
}

/** A cell → the text `applyChanges` parses; undefined for a value that means "none". */
function convert(field: FieldDef, text: string, index: number, ctx: RowContext): Parsed | undefined {
  switch (field.type) {
    case 'date':
    case 'birthday': {
      if (EMPTY_DATES.has(text)) return undefined;
      return parseDate(field.name, text, field.type === 'birthday', ctx.dateFormat, ctx.slashOrders?.[index] ?? ctx.slashOrder);
    }
    case 'money': {
      const value = parseImportMoney(text, ctx.decimal);
      return value === null ? { reason: `${field.name}: not a number` } : { value };
    }
    case 'int': {
      const n = parseInteger(text);
      return n === null ? { reason: `${field.name}: not a whole number` } : { value: String(n) };
    }
    case 'enum': {
      if (field.name !== 'lifecycle') return { value: text };
      const stage = parseLifecycle(text);
      return stage === null
        ? { reason: `lifecycle: must be one of ${LIFECYCLES.join(', ')} (map the column to custom.NAME to keep other values as text)` }
        : { value: stage };
    }
    default:
      return { value: text };
  }
}

/**
 * Tags from one cell: split on `,` `;` and Google's ` ::: `; Google's system labels
 * (`* myContacts`, `* starred`) dropped, the `* ` of its other system groups taken off.
 */
export function splitImportTags(text: string): string[] {
  const out: string[] = [];
  for (const part of text.split(/\s*:::\s*|[,;]/)) {
    let tag = part.trim();
    if (tag.startsWith('* ')) {
      tag = tag.slice(2).trim();
      if (/^(my ?contacts|starred)$/i.test(tag)) continue;
    }
    if (tag !== '') out.push(tag);
  }
  return out;
}
