#!/usr/bin/env node
/**
 * Seeded test data for `npm run bench`: N realistic customer profiles (≈30% companies, ≈70%
 * persons, ≈40% of them key contacts of a company), written either
 *   - straight into a custfile database (`writeDatabase`): the schema comes from the project's
 *     own `openStore` (so migrations are the real ones), rows go in with prepared statements in
 *     big transactions, one `history` create row per profile, triggers fill `profile_tags`; or
 *   - as a 19-column customer CSV (`writeCsv`) for the import bench: umlauts, leading-zero
 *     postcodes, quoted commas, quotes and newlines in notes, 1% duplicate e-mails; or
 *   - as a transactions CSV (`writeSalesCsv`) for `import --sales`, keyed on external_id.
 *
 * The same seed gives the same profiles in every output: profile i of the CSV is profile i of the
 * database (external_id `K-0000001` …), so a sales file made for N profiles matches both.
 * Dates relative to "today" (created/updated/reviewed, next_contact) are relative to `anchor`
 * (default: today's local date), which the meta file records; everything else is absolute.
 *
 * Plain Node ESM, no dependencies beyond the project's own (better-sqlite3 through dist/).
 *
 *   node bench/generate.mjs db|csv|sales OUT N [SEED]
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const HERE = path.dirname(fileURLToPath(import.meta.url));
export const ROOT = path.resolve(HERE, '..');
export const OUT_DIR = path.join(HERE, 'out');
export const DEFAULT_SEED = 20240229;
/** Where dist/ is read from (the bench points this at its snapshot of the build). */
let APP_ROOT = ROOT;
export function setAppRoot(dir) {
  APP_ROOT = dir;
}
/** Bump when the generator's output changes, so cached files are made again. */
const GENERATOR_VERSION = 3;

// ---------------------------------------------------------------------------------------------
// PRNG

/** mulberry32: a tiny, fast, seeded 32-bit PRNG; returns floats in [0, 1). */
export function mulberry32(seed) {
  let a = seed >>> 0;
  return function next() {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

class Rng {
  constructor(seed) {
    this.next = mulberry32(seed);
  }
  int(lo, hi) {
    // inclusive
    return lo + Math.floor(this.next() * (hi - lo + 1));
  }
  chance(p) {
    return this.next() < p;
  }
  pick(arr) {
    return arr[Math.floor(this.next() * arr.length)];
  }
  /** `table` from `weighted([[value, weight], ...])`. */
  weighted(table) {
    const r = this.next() * table.total;
    const cum = table.cum;
    let lo = 0;
    let hi = cum.length - 1;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (cum[mid] > r) hi = mid;
      else lo = mid + 1;
    }
    return table.values[lo];
  }
}

function weighted(pairs) {
  const values = [];
  const cum = [];
  let total = 0;
  for (const [v, w] of pairs) {
    total += w;
    values.push(v);
    cum.push(total);
  }
  return { values, cum, total };
}

// ---------------------------------------------------------------------------------------------
// Vocabulary

const FIRST_NAMES = [
  'Jürgen', 'Jörg', 'Günter', 'Björn', 'Sören', 'Ömer', 'Özlem', 'Käthe', 'Änne', 'Mia', 'Lena', 'Emma',
  'Hannah', 'Sophie', 'Lukas', 'Leon', 'Jonas', 'Finn', 'Paul', 'Max', 'Felix', 'Noah', 'Elias', 'Ben',
  'Anna', 'Marie', 'Lea', 'Laura', 'Julia', 'Sarah', 'Katharina', 'Thomas', 'Michael', 'Andreas', 'Stefan',
  'Christian', 'Peter', 'Wolfgang', 'Klaus', 'Jens', 'Uwe', 'Sabine', 'Petra', 'Monika', 'Ursula', 'Heike',
  'Birgit', 'Gisela', 'Renate', 'Helga', 'Dörte', 'Hans-Jürgen', 'Karl-Heinz', 'Anne-Marie', 'René', 'André',
  'Zoë', 'Chloé', 'Jörn', 'Matthias', 'Tobias', 'Florian', 'Sebastian', 'Daniel', 'Tim', 'Jan',
  'Frauke', 'Silke', 'Anke', 'Kerstin', 'Susanne', 'Claudia', 'Nicole', 'Katrin', 'Ines', 'Grit', 'Maik',
  'James', 'Oliver', 'Charlotte', 'Amelia', 'George', 'Harry', 'Olivia', 'Emily', 'Grace', 'Jack', 'William',
  'Sophia', 'Liam', 'Ethan', 'Isla', 'Freya', 'Seán', 'Siobhán', 'Agnieszka', 'Łukasz', 'Zoltán', 'Ayşe',
];
const LAST_NAMES = [
  'Müller', 'Schmidt', 'Schneider', 'Fischer', 'Weber', 'Meyer', 'Wagner', 'Becker', 'Schulz', 'Hoffmann',
  'Schäfer', 'Koch', 'Bauer', 'Richter', 'Klein', 'Wolf', 'Schröder', 'Neumann', 'Schwarz', 'Zimmermann',
  'Braun', 'Krüger', 'Hofmann', 'Hartmann', 'Lange', 'Schmitt', 'Werner', 'Schmitz', 'Krause', 'Meier',
  'Lehmann', 'Schmid', 'Schulze', 'Maier', 'Köhler', 'Herrmann', 'König', 'Walter', 'Mayer', 'Huber',
  'Kaiser', 'Fuchs', 'Peters', 'Lang', 'Scholz', 'Möller', 'Weiß', 'Jung', 'Hahn', 'Schubert', 'Vogel',
  'Friedrich', 'Keller', 'Günther', 'Frank', 'Berger', 'Winkler', 'Roth', 'Beck', 'Lorenz', 'Baumann',
  'Franke', 'Albrecht', 'Schuster', 'Simon', 'Ludwig', 'Böhm', 'Winter', 'Kraus', 'Martin', 'Schumacher',
  'Krämer', 'Vogt', 'Stein', 'Jäger', 'Otto', 'Sommer', 'Groß', 'Seidel', 'Heinrich', 'Brandt', 'Haas',
  'Schreiber', 'Graf', 'Schulte', 'Dietrich', 'Ziegler', 'Kuhn', 'Kühn', 'Pohl', 'Engel', 'Horn', 'Busch',
  'Bergmann', 'Thomas', 'Voigt', 'Sauer', 'Arnold', 'Wolff', 'Pfeiffer', 'Strauß', 'Nußbaum', 'Süßmuth',
  'Gauß', 'Preuß', 'Voß', 'Rößler', 'Weißenborn', 'Großmann', 'Müller-Lüdenscheidt', 'von Bülow',
  'Smith', 'Jones', 'Williams', 'Brown', 'Taylor', 'Davies', 'Evans', 'Wilson', 'Johnson', 'Roberts',
  'Robinson', 'Thompson', 'Wright', 'Walker', 'White', 'Edwards', 'Hughes', 'Green', 'Hall', "O'Brien",
  'Yılmaz', 'Kaya', 'Nowak', 'Kowalski', 'Dąbrowski', 'Nguyễn', 'Rossi', 'García', 'Łącki', 'Sørensen',
];
/** ≈25 industries, skewed: the first ones are the common ones. */
const INDUSTRIES = weighted([
  ['Maschinenbau', 9], ['IT-Dienstleistungen', 9], ['Handwerk', 8], ['Einzelhandel', 8], ['Großhandel', 6],
  ['Beratung', 6], ['Baugewerbe', 6], ['Logistik', 5], ['Software', 5], ['Gastronomie', 4],
  ['Gesundheitswesen', 4], ['Immobilien', 4], ['Lebensmittel', 3], ['Automobilzulieferer', 3],
  ['Elektrotechnik', 3], ['Energie', 3], ['Finanzdienstleistungen', 2], ['Versicherungen', 2],
  ['Medien', 2], ['Chemie', 2], ['Pharma', 2], ['Telekommunikation', 1], ['Textil', 1], ['Tourismus', 1],
  ['Bildung', 1], ['Landwirtschaft', 1],
]);
const INDUSTRY_WORDS = {
  Maschinenbau: ['Maschinenbau', 'Anlagenbau', 'Präzisionstechnik', 'Engineering'],
  'IT-Dienstleistungen': ['IT-Service', 'Systemhaus', 'IT Solutions', 'Digital'],
  Handwerk: ['Haustechnik', 'Tischlerei', 'Elektro', 'Sanitär', 'Malerbetrieb', 'Dachdeckerei'],
  Einzelhandel: ['Handel', 'Fachmarkt', 'Modehaus', 'Buchhandlung', 'Feinkost'],
  Großhandel: ['Großhandel', 'Trading', 'Distribution'],
  Beratung: ['Consulting', 'Unternehmensberatung', 'Partners', 'Advisory'],
  Baugewerbe: ['Bau', 'Hochbau', 'Tiefbau', 'Construction'],
  Logistik: ['Logistik', 'Spedition', 'Transporte', 'Freight'],
  Software: ['Software', 'Labs', 'Apps', 'Systems'],
  Gastronomie: ['Gastro', 'Catering', 'Brauhaus', 'Bistro'],
  Gesundheitswesen: ['Medizintechnik', 'Pflegedienst', 'Praxisbedarf', 'Health'],
  Immobilien: ['Immobilien', 'Hausverwaltung', 'Properties', 'Wohnbau'],
  Lebensmittel: ['Feinkost', 'Bäckerei', 'Mühle', 'Foods'],
  Automobilzulieferer: ['Automotive', 'Fahrzeugteile', 'Karosseriebau'],
  Elektrotechnik: ['Elektrotechnik', 'Elektronik', 'Electric'],
  Energie: ['Energie', 'Solar', 'Stadtwerke', 'Power'],
  Finanzdienstleistungen: ['Finanz', 'Capital', 'Vermögensberatung'],
  Versicherungen: ['Versicherungsmakler', 'Assekuranz', 'Insurance'],
  Medien: ['Medien', 'Verlag', 'Media', 'Druckerei'],
  Chemie: ['Chemie', 'Chemicals', 'Lacke'],
  Pharma: ['Pharma', 'Biotech', 'Apotheke'],
  Telekommunikation: ['Telekom', 'Netz', 'Communications'],
  Textil: ['Textil', 'Weberei', 'Fashion'],
  Tourismus: ['Reisen', 'Touristik', 'Travel'],
  Bildung: ['Akademie', 'Bildungswerk', 'Learning'],
  Landwirtschaft: ['Agrar', 'Hof', 'Farms'],
};
const BRAND_PREFIX = [
  'Elb', 'Nord', 'Süd', 'Ost', 'West', 'Saxo', 'Alpen', 'Rhein', 'Spree', 'Main', 'Weser', 'Harz', 'Lausitz',
  'Erz', 'Ostsee', 'Nordsee', 'Isar', 'Donau', 'Mosel', 'Neckar', 'Grün', 'Blau', 'Sonnen', 'Stern', 'Licht',
  'Falken', 'Adler', 'Eichen', 'Linden', 'Berg', 'Tal', 'Fluss', 'Stadt', 'Brücken', 'Mühlen', 'Hanse',
  'Bright', 'Silver', 'Blue', 'Red', 'Green', 'North', 'Oak', 'Pine', 'River', 'Harbour', 'Summit', 'Quantum',
];
const BRAND_SUFFIX = [
  'werk', 'wert', 'tec', 'tech', 'data', 'plan', 'bau', 'haus', 'form', 'line', 'net', 'soft', 'logic',
  'concept', 'projekt', 'kontor', 'wind', 'strom', 'gut', 'feld', 'blick', 'stein', 'markt', 'works', 'point',
];
const LEGAL_FORMS_DE = weighted([
  ['GmbH', 55], ['GmbH & Co. KG', 12], ['AG', 6], ['KG', 6], ['UG (haftungsbeschränkt)', 6], ['e.K.', 5],
  ['OHG', 3], ['GbR', 3],
]);
const LEGAL_FORMS_EN = weighted([['Ltd', 60], ['Inc', 20], ['LLC', 10], ['PLC', 10]]);
const EN_WORDS = ['Solutions', 'Partners', 'Group', 'Holdings', 'Industries', 'Services', 'Ventures', 'Trading'];

/** City, region, country, area code, postcodes (real ones), weight. */
const CITIES_RAW = [
  ['Dresden', 'Sachsen', 'Deutschland', '351', '01067 01069 01097 01099 01127 01129 01139 01157 01159 01169 01187 01189 01217 01219 01237 01239 01257 01259 01277 01279 01307 01309 01324 01326', 60],
  ['Leipzig', 'Sachsen', 'Deutschland', '341', '04103 04105 04107 04109 04129 04155 04157 04177 04179 04229 04249 04275 04277 04279 04289 04299 04315 04317 04318 04328 04329 04347 04349 04356 04357', 60],
  ['Görlitz', 'Sachsen', 'Deutschland', '3581', '02826 02827 02828', 8],
  ['Chemnitz', 'Sachsen', 'Deutschland', '371', '09111 09112 09113 09114 09116 09117 09119 09120 09122 09123 09125 09126 09127 09128 09130 09131', 25],
  ['Zwickau', 'Sachsen', 'Deutschland', '375', '08056 08058 08060 08062 08064 08066', 8],
  ['Bautzen', 'Sachsen', 'Deutschland', '3591', '02625', 5],
  ['Plauen', 'Sachsen', 'Deutschland', '3741', '08523 08525 08527 08529', 4],
  ['Halle (Saale)', 'Sachsen-Anhalt', 'Deutschland', '345', '06108 06110 06112 06114 06116 06118 06120 06122 06124 06126 06128 06130 06132', 20],
  ['Magdeburg', 'Sachsen-Anhalt', 'Deutschland', '391', '39104 39106 39108 39110 39112 39114 39116 39118 39120 39122 39124 39126 39128 39130', 18],
  ['Cottbus', 'Brandenburg', 'Deutschland', '355', '03042 03044 03046 03048 03050 03051 03052 03053 03054 03055', 8],
  ['Potsdam', 'Brandenburg', 'Deutschland', '331', '14467 14469 14471 14473 14476 14478 14480 14482', 14],
  ['Jena', 'Thüringen', 'Deutschland', '3641', '07743 07745 07747 07749 07751', 9],
  ['Gera', 'Thüringen', 'Deutschland', '365', '07545 07546 07548 07549 07551 07552 07554 07557', 6],
  ['Erfurt', 'Thüringen', 'Deutschland', '361', '99084 99085 99086 99087 99089 99091 99092 99094 99096 99097 99098 99099', 16],
  ['Berlin', 'Berlin', 'Deutschland', '30', '10115 10117 10119 10178 10179 10243 10245 10247 10249 10405 10435 10437 10551 10585 10623 10707 10715 10777 10827 10961 10997 12043 12045 12099 12157 13347 13353 14050 14193', 120],
  ['Hamburg', 'Hamburg', 'Deutschland', '40', '20095 20097 20099 20144 20146 20249 20251 20354 20357 20457 22041 22085 22303 22765 22767 21073', 80],
  ['München', 'Bayern', 'Deutschland', '89', '80331 80333 80335 80336 80469 80538 80634 80796 80802 81369 81371 81541 81667 81675 81925', 70],
  ['Nürnberg', 'Bayern', 'Deutschland', '911', '90402 90403 90408 90409 90411 90419 90429 90431 90439 90441 90443 90459 90461 90478 90489 90491', 25],
  ['Augsburg', 'Bayern', 'Deutschland', '821', '86150 86152 86153 86154 86156 86157 86159 86161 86163 86165 86167 86169 86179', 15],
  ['Regensburg', 'Bayern', 'Deutschland', '941', '93047 93049 93051 93053 93055 93057 93059', 8],
  ['Würzburg', 'Bayern', 'Deutschland', '931', '97070 97072 97074 97076 97078 97080 97082 97084', 7],
  ['Köln', 'Nordrhein-Westfalen', 'Deutschland', '221', '50667 50668 50670 50672 50674 50676 50677 50733 50823 50825 50931 50933 51063 51105', 55],
  ['Düsseldorf', 'Nordrhein-Westfalen', 'Deutschland', '211', '40210 40211 40212 40213 40215 40217 40219 40221 40223 40225 40227 40233 40235 40237 40239 40470 40476 40477 40479 40545 40547 40549', 30],
  ['Dortmund', 'Nordrhein-Westfalen', 'Deutschland', '231', '44135 44137 44139 44141 44143 44145 44147 44149 44225 44227 44229 44263 44265 44269 44287 44289 44309 44319 44328 44339 44357 44359 44369 44379 44388', 28],
  ['Essen', 'Nordrhein-Westfalen', 'Deutschland', '201', '45127 45128 45130 45131 45133 45134 45136 45138 45139 45141 45143 45144 45145 45147 45149 45219 45239 45257 45259 45276 45289 45307 45309 45326 45327 45329 45355 45356 45357 45359', 27],
  ['Bielefeld', 'Nordrhein-Westfalen', 'Deutschland', '521', '33602 33604 33605 33607 33609 33611 33613 33615 33617 33619', 15],
  ['Bonn', 'Nordrhein-Westfalen', 'Deutschland', '228', '53111 53113 53115 53117 53119 53121 53123 53125 53127 53129', 15],
  ['Münster', 'Nordrhein-Westfalen', 'Deutschland', '251', '48143 48145 48147 48149 48151 48153 48155 48157 48159 48161 48163 48165 48167', 14],
  ['Aachen', 'Nordrhein-Westfalen', 'Deutschland', '241', '52062 52064 52066 52068 52070 52072 52074 52076 52078 52080', 12],
  ['Frankfurt am Main', 'Hessen', 'Deutschland', '69', '60306 60308 60311 60313 60316 60318 60322 60325 60385 60486 60487 60594 65929', 40],
  ['Wiesbaden', 'Hessen', 'Deutschland', '611', '65183 65185 65187 65189 65191 65193 65195 65197 65199 65201 65203 65205', 13],
  ['Kassel', 'Hessen', 'Deutschland', '561', '34117 34119 34121 34123 34125 34127 34128 34130 34131 34132 34134', 10],
  ['Stuttgart', 'Baden-Württemberg', 'Deutschland', '711', '70173 70174 70176 70178 70180 70182 70184 70186 70188 70190 70191 70192 70193 70197 70199 70327 70372 70469 70563', 35],
  ['Karlsruhe', 'Baden-Württemberg', 'Deutschland', '721', '76131 76133 76135 76137 76139 76149 76185 76187 76189 76199 76227 76228 76229', 14],
  ['Mannheim', 'Baden-Württemberg', 'Deutschland', '621', '68159 68161 68163 68165 68167 68169 68199 68219 68229 68239 68259 68305 68307 68309', 14],
  ['Freiburg im Breisgau', 'Baden-Württemberg', 'Deutschland', '761', '79098 79100 79102 79104 79106 79108 79110 79111 79112 79114 79115 79117', 11],
  ['Ulm', 'Baden-Württemberg', 'Deutschland', '731', '89073 89075 89077 89079 89081', 6],
  ['Hannover', 'Niedersachsen', 'Deutschland', '511', '30159 30161 30163 30165 30167 30169 30171 30173 30175 30177 30179 30419 30449 30451 30453 30455 30457 30459 30519 30521 30539 30559 30625 30627 30629 30655 30657 30659', 27],
  ['Braunschweig', 'Niedersachsen', 'Deutschland', '531', '38100 38102 38104 38106 38108 38110 38112 38114 38116 38118 38120 38122 38124 38126', 12],
  ['Göttingen', 'Niedersachsen', 'Deutschland', '551', '37073 37075 37077 37079 37081 37083 37085', 6],
  ['Osnabrück', 'Niedersachsen', 'Deutschland', '541', '49074 49076 49078 49080 49082 49084 49086 49088 49090', 8],
  ['Bremen', 'Bremen', 'Deutschland', '421', '28195 28197 28199 28201 28203 28205 28207 28209 28211 28213 28215 28217 28219 28237 28239 28259 28277 28279 28307 28309 28325 28327 28329 28355 28357 28359 28717 28719 28755 28757 28759 28777 28779', 20],
  ['Kiel', 'Schleswig-Holstein', 'Deutschland', '431', '24103 24105 24106 24107 24109 24111 24113 24114 24116 24118 24143 24145 24146 24147 24148 24149 24159', 10],
  ['Lübeck', 'Schleswig-Holstein', 'Deutschland', '451', '23552 23554 23556 23558 23560 23562 23564 23566 23568 23569 23570', 9],
  ['Rostock', 'Mecklenburg-Vorpommern', 'Deutschland', '381', '18055 18057 18059 18069 18106 18107 18109 18119 18146 18147', 9],
  ['Schwerin', 'Mecklenburg-Vorpommern', 'Deutschland', '385', '19053 19055 19057 19059 19061 19063', 4],
  ['Mainz', 'Rheinland-Pfalz', 'Deutschland', '6131', '55116 55118 55120 55122 55124 55126 55127 55128 55129 55130 55131', 9],
  ['Saarbrücken', 'Saarland', 'Deutschland', '681', '66111 66113 66115 66117 66119 66121 66123 66125 66126 66127 66128 66129 66130 66131 66132 66133', 8],
  ['Wien', 'Wien', 'Österreich', '+43 1', '1010 1020 1030 1040 1050 1060 1070 1080 1090 1100 1120 1130 1140 1150 1160 1170 1180 1190 1200 1210 1220 1230', 20],
  ['Graz', 'Steiermark', 'Österreich', '+43 316', '8010 8020 8036 8041 8042 8043 8044 8045 8051 8052 8053 8054 8055', 5],
  ['Salzburg', 'Salzburg', 'Österreich', '+43 662', '5020 5023 5026', 4],
  ['Zürich', 'Zürich', 'Schweiz', '+41 44', '8001 8002 8003 8004 8005 8006 8008 8032 8037 8038 8044 8045 8046 8047 8048 8049 8050 8051 8052 8053 8055 8057', 10],
  ['Basel', 'Basel-Stadt', 'Schweiz', '+41 61', '4051 4052 4053 4054 4055 4056 4057 4058 4059', 4],
  ['Bern', 'Bern', 'Schweiz', '+41 31', '3005 3006 3007 3008 3010 3011 3012 3013 3014 3015 3018 3027', 4],
  ['London', 'England', 'United Kingdom', '+44 20', 'EC1A 1BB|W1A 0AX|SW1A 1AA|E1 6AN|N1 9GU|SE1 7PB|WC2N 5DU|NW1 6XE', 10],
  ['Manchester', 'England', 'United Kingdom', '+44 161', 'M1 1AE|M2 5DB|M3 4LZ|M4 1HN|M15 4FN', 4],
  ['Edinburgh', 'Scotland', 'United Kingdom', '+44 131', 'EH1 1YZ|EH2 2BY|EH3 9DR|EH8 8DX', 3],
];
const CITIES = CITIES_RAW.map(([name, region, country, area, codes, w]) => ({
  name,
  region,
  country,
  area,
  postcodes: codes.includes('|') ? codes.split('|') : codes.split(' '),
  w,
}));
const CITY_TABLE = weighted(CITIES.map((c) => [c, c.w]));

const STREETS = [
  'Hauptstraße', 'Bahnhofstraße', 'Schloßallee', 'Königsbrücker Straße', 'Goethestraße', 'Schillerstraße',
  'Gartenweg', 'Am Markt', 'Lindenallee', 'Dorfstraße', 'Bergstraße', 'Kirchstraße', 'Mühlenweg', 'Rosenstraße',
  'Friedrich-Ebert-Straße', 'Karl-Marx-Allee', 'Münchner Straße', 'Großenhainer Straße', 'Weißeritzstraße',
  'Prager Straße', 'Grüner Weg', 'Am Wäldchen', 'Äußere Neustadt', 'Fürstenwalder Damm', 'Gußstahlstraße',
  'Industriestraße', 'Gewerbepark Süd', 'An der Elbe', 'Löbtauer Straße', 'Jägerstraße', 'Sonnenallee',
  'Königstraße', 'Marktplatz', 'Ringstraße', 'Talstraße', 'Wiesenweg', 'High Street', 'Station Road',
];
const FREEMAIL = weighted([
  ['web.de', 20], ['gmx.de', 18], ['gmx.net', 6], ['t-online.de', 12], ['gmail.com', 25], ['outlook.de', 6],
  ['posteo.de', 3], ['yahoo.de', 4], ['icloud.com', 4], ['mailbox.org', 2],
]);
const MOBILE_PREFIXES = ['151', '152', '157', '159', '160', '162', '170', '171', '172', '175', '176', '177', '178', '179'];
const LIFECYCLE_TABLE = weighted([
  ['lead', 15], ['prospect', 20], ['customer', 45], ['partner', 5], ['inactive', 10], ['former', 5],
]);
const SOURCES = ['messe', 'website', 'empfehlung', 'kaltakquise', 'import', 'newsletter-anmeldung', 'linkedin', 'telefon'];
const ROLES = [
  ['Geschäftsführer', true], ['Geschäftsführerin', true], ['CEO', true], ['CFO', true], ['Prokurist', true],
  ['Inhaberin', true], ['Einkauf', false], ['Einkaufsleiterin', true], ['Vertriebsleiter', false],
  ['IT-Leiter', false], ['Assistenz der GF', false], ['Head of Procurement', true], ['Office Manager', false],
  ['Technischer Leiter', false], ['Buchhaltung', false], ['Marketing', false],
];
const PROFESSIONS = [
  'Ingenieurin', 'Ingenieur', 'Lehrer', 'Lehrerin', 'Ärztin', 'Arzt', 'Steuerberater', 'Kauffrau', 'Kaufmann',
  'Softwareentwicklerin', 'Architekt', 'Handwerksmeister', 'Rentnerin', 'Rentner', 'Student', 'Pflegefachfrau',
  'Bäckermeister', 'Rechtsanwältin', 'Journalist', 'Beamter', 'Selbstständig', 'Designerin',
];
const HOUSEHOLDS = ['single', 'paar', 'familie mit kindern', 'alleinerziehend', 'wg', 'mehrgenerationen'];
const INCOME_BANDS = ['unter 30k', '30-60k', '60-100k', 'über 100k'];
const FIN_STATUS = ['sehr gut', 'gut', 'befriedigend', 'angespannt', 'unbekannt'];
const NOTES = [
  'Rückruf erbeten, am besten vormittags',
  'Hat auf der Messe "Hannover 2025" Interesse gezeigt',
  'Ansprechpartner wechselt im Q3.\nNeue Durchwahl folgt',
  'Zahlungsziel 30 Tage, Skonto 2 %',
  'Prefers email; no calls before 10am',
  'Großkunde – Preise, Rabatte und Konditionen siehe Rahmenvertrag\r\nVerlängerung prüfen',
  'Über Empfehlung von Frau Weiß gekommen',
  'Liefert auch nach Österreich, Schweiz',
  'Mag keine Newsletter; nur Post',
  'Angebot vom 12.03. nachfassen, "Paket B" favorisiert, Budget offen',
  'Kundenkarte verloren; neue ausgestellt',
  'Zweigstelle in Görlitz, Rechnungen an die Zentrale',
];
const CUSTOM_KEYS = ['kundennummer_alt', 'zahlungsziel', 'messe', 'lieblingsprodukt', 'newsletter_seit'];
const MESSEN = ['Hannover Messe 2024', 'CeBIT 2018', 'IFA 2025', 'bauma 2025', 'Intersolar 2024', 'Anuga 2023'];
const PRODUCTS = ['Paket A', 'Paket B', 'Premium', 'Wartungsvertrag', 'Schulung', 'Ersatzteile'];
const SALE_ITEMS = ['Lizenz', 'Wartung', 'Beratung (Tag)', 'Ersatzteil', 'Schulung', 'Paket A', 'Paket B', 'Premium-Abo', 'Versand'];

const TRANSLIT = { ä: 'ae', ö: 'oe', ü: 'ue', ß: 'ss', Ä: 'ae', Ö: 'oe', Ü: 'ue', ı: 'i', ł: 'l', Ł: 'l', ø: 'o', ş: 's', ą: 'a', ễ: 'e' };
function slug(text) {
  return text
    .replace(/[äöüßÄÖÜıłŁøşąễ]/g, (c) => TRANSLIT[c])
    .normalize('NFD')
    .replace(/\p{M}/gu, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '');
}
function localPart(text) {
  return text
    .replace(/[äöüßÄÖÜıłŁøşąễ]/g, (c) => TRANSLIT[c])
    .normalize('NFD')
    .replace(/\p{M}/gu, '')
    .toLowerCase()
    .replace(/[^a-z0-9-]+/g, '');
}

// ---------------------------------------------------------------------------------------------
// Dates

const DAY_MS = 86_400_000;
const ISO_CACHE = new Map();
/** Day number (days since 1970-01-01) to `YYYY-MM-DD`, memoised: toISOString is costly at 1M rows. */
function isoDay(dayNumber) {
  let s = ISO_CACHE.get(dayNumber);
  if (s === undefined) {
    s = new Date(dayNumber * DAY_MS).toISOString().slice(0, 10);
    ISO_CACHE.set(dayNumber, s);
  }
  return s;
}
const PAD2 = Array.from({ length: 60 }, (_, k) => String(k).padStart(2, '0'));
const PAD3 = Array.from({ length: 1000 }, (_, k) => String(k).padStart(3, '0'));
const dayOf = (iso) => Math.floor(Date.parse(`${iso}T00:00:00Z`) / DAY_MS);
const isLeap = (y) => (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0;
const LEAP_BASE = dayOf('2000-01-01');
const SINCE_FROM = dayOf('2005-01-01');
const SINCE_TO = dayOf('2025-12-31');

export function localToday() {
  const d = new Date();
  const pad = (n) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}`;
}

// ---------------------------------------------------------------------------------------------
// The profile stream

/**
 * Yields profiles one by one (a ProfileDraft of src/domain/profile.ts plus `id`, `created_at`,
 * `updated_at`, `company` (the employer's or own name) and `communication`).
 */
export class ProfileStream {
  constructor(seed = DEFAULT_SEED, anchor = localToday()) {
    this.rng = new Rng(seed);
    this.anchorDay = dayOf(anchor);
    this.i = 0;
    this.companies = []; // { id, name, domain }
    this.companyNames = new Set();
    this.domains = new Set();
    this.contactEmails = new Set();
    this.emails = [];
    this.contactCount = new Map(); // company id -> contacts
  }

  uniqueCompanyName(base, legal, city) {
    let name = `${base} ${legal}`;
    if (!this.companyNames.has(name)) return name;
    name = `${base} ${city} ${legal}`;
    for (let k = 2; this.companyNames.has(name); k++) name = `${base} ${city} ${k} ${legal}`;
    return name;
  }

  companyName(industry, city) {
    const r = this.rng;
    const english = r.chance(0.15);
    const legal = english ? r.weighted(LEGAL_FORMS_EN) : r.weighted(LEGAL_FORMS_DE);
    let base;
    const style = r.int(0, 3);
    if (english) {
      base = style < 2 ? `${r.pick(BRAND_PREFIX)}${r.pick(BRAND_SUFFIX)} ${r.pick(EN_WORDS)}` : `${r.pick(LAST_NAMES)} & ${r.pick(LAST_NAMES)} ${r.pick(EN_WORDS)}`;
    } else if (style === 0) {
      base = `${r.pick(LAST_NAMES)} ${r.pick(INDUSTRY_WORDS[industry])}`;
    } else if (style === 1) {
      base = `${r.pick(LAST_NAMES)} & ${r.pick(LAST_NAMES)}`;
    } else if (style === 2) {
      base = `${r.pick(BRAND_PREFIX)}${r.pick(BRAND_SUFFIX)}`;
    } else {
      base = `${r.pick(BRAND_PREFIX)}${r.pick(BRAND_SUFFIX)} ${r.pick(INDUSTRY_WORDS[industry])}`;
    }
    const name = this.uniqueCompanyName(base, legal, city.name);
    this.companyNames.add(name);
    return { name, legal, english };
  }

  phone(city, mobile) {
    const r = this.rng;
    if (mobile) return `+49 ${r.pick(MOBILE_PREFIXES)} ${r.int(1000000, 99999999)}`;
    const area = city.area.startsWith('+') ? city.area : `+49 ${city.area}`;
    return `${area} ${r.int(100000, 9999999)}`;
  }

  birthday() {
    const r = this.rng;
    const k = r.int(0, 365); // a day of the leap year 2000: every month-day incl. 29 Feb alike
    const md = isoDay(LEAP_BASE + k).slice(5);
    let year = r.int(1940, 2006);
    const yearless = r.chance(0.05);
    if (yearless) return `--${md}`;
    if (md === '02-29' && !isLeap(year)) year -= year % 4;
    return `${year}-${md}`;
  }

  /** An ISO 8601 UTC timestamp during office hours of `day`. */
  timestamp(day) {
    const sec = this.rng.int(7 * 3600, 19 * 3600);
    const ms = this.rng.int(0, 999);
    return `${isoDay(day)}T${PAD2[Math.floor(sec / 3600)]}:${PAD2[Math.floor(sec / 60) % 60]}:${PAD2[sec % 60]}.${PAD3[ms]}Z`;
  }

  next() {
    const r = this.rng;
    const i = this.i++;
    const id = i + 1;
    const isCompany = r.chance(0.3);
    const city = r.weighted(CITY_TABLE);
    const p = {
      id,
      kind: isCompany ? 'company' : 'person',
      external_id: `K-${String(id).padStart(7, '0')}`,
      name: '',
      company: null,
      company_id: null,
      role: null,
      decision_maker: null,
      first_name: null,
      last_name: null,
      birthday: null,
      profession: null,
      household: null,
      income_band: null,
      legal_form: null,
      industry: null,
      revenue: null,
      headcount: null,
      website: null,
      financial_status: null,
      email: null,
      phone: null,
      street: null,
      postcode: null,
      city: city.name,
      region: city.region,
      country: city.country,
      lifecycle: r.weighted(LIFECYCLE_TABLE),
      tags: [],
      source: r.chance(0.7) ? r.pick(SOURCES) : null,
      customer_since: null,
      next_contact: null,
      reviewed_at: null,
      notes: null,
      custom: {},
      created_at: '',
      updated_at: '',
      communication: null,
    };
    p.postcode = r.pick(city.postcodes);
    p.street = `${r.pick(STREETS)} ${r.int(1, 180)}${r.chance(0.08) ? r.pick(['a', 'b', 'c']) : ''}`;
    let email = null;
    if (isCompany) {
      const industry = r.weighted(INDUSTRIES);
      const { name, legal, english } = this.companyName(industry, city);
      p.name = name;
      p.company = name;
      p.legal_form = legal;
      p.industry = industry;
      // log-uniform revenue from 50 000.00 to 5 000 000 000.00, with cents
      const cents = Math.round(Math.exp(Math.log(5e6) + r.next() * (Math.log(5e11) - Math.log(5e6))));
      p.revenue = cents;
      p.headcount = Math.max(1, Math.round((cents / 100 / 150000) * (0.5 + r.next())));
      let domain = slug(name.replace(` ${legal}`, '')) || `firma${id}`;
      if (this.domains.has(domain)) domain = `${domain}${id}`;
      this.domains.add(domain);
      const tld = english ? r.pick(['com', 'co.uk', 'io']) : city.country === 'Österreich' ? 'at' : city.country === 'Schweiz' ? 'ch' : r.pick(['de', 'de', 'de', 'com', 'eu']);
      const host = `${domain}.${tld}`;
      p.website = r.chance(0.85) ? `https://www.${host}` : null;
      p.financial_status = r.chance(0.6) ? r.pick(FIN_STATUS) : null;
      if (r.chance(0.93)) email = `${r.pick(['info', 'kontakt', 'office', 'service', 'hello', 'mail'])}@${host}`;
      p.phone = r.chance(0.9) ? this.phone(city, false) : null;
      this.companies.push({ id, name, host });
      if (r.chance(0.5)) p.tags.push('b2b');
      if (r.chance(0.12)) p.tags.push('key-account');
      if (r.chance(0.05)) p.tags.push('vip');
      if (r.chance(0.1)) p.tags.push('reseller');
      if (r.chance(0.08)) p.tags.push('messe-2025');
    } else {
      const first = r.pick(FIRST_NAMES);
      const last = r.pick(LAST_NAMES);
      p.first_name = first;
      p.last_name = last;
      p.name = `${first} ${last}`;
      if (r.chance(0.95)) p.birthday = this.birthday();
      if (r.chance(0.5)) p.profession = r.pick(PROFESSIONS);
      if (r.chance(0.3)) p.household = r.pick(HOUSEHOLDS);
      if (r.chance(0.3)) p.income_band = r.pick(INCOME_BANDS);
      const contact = this.companies.length > 0 && r.chance(0.4);
      if (contact) {
        const c = this.companies[Math.floor(r.next() * this.companies.length)];
        const [role, decides] = r.pick(ROLES);
        p.company_id = c.id;
        p.company = c.name;
        p.role = role;
        p.decision_maker = decides ? r.chance(0.85) : r.chance(0.1);
        this.contactCount.set(c.id, (this.contactCount.get(c.id) ?? 0) + 1);
        if (r.chance(0.92)) {
          let e = `${localPart(first)}.${localPart(last)}@${c.host}`;
          if (this.contactEmails.has(e)) e = `${localPart(first)[0]}.${localPart(last)}${id}@${c.host}`;
          this.contactEmails.add(e);
          email = e;
        }
        p.phone = r.chance(0.85) ? this.phone(city, r.chance(0.3)) : null;
        if (r.chance(0.3)) p.tags.push('b2b');
        if (r.chance(0.1)) p.tags.push('events');
      } else {
        if (r.chance(0.9)) email = `${localPart(first)}.${localPart(last)}${id}@${r.weighted(FREEMAIL)}`;
        p.phone = r.chance(0.8) ? this.phone(city, r.chance(0.6)) : null;
        if (r.chance(0.2)) p.tags.push('b2c');
      }
      if (r.chance(0.35)) p.tags.push('newsletter');
      if (r.chance(0.04)) p.tags.push('vip');
      if (r.chance(0.03)) p.tags.push('churn-risk');
      if (r.chance(0.05)) p.tags.push('print-mailing');
    }
    // 1% of the profiles share an e-mail with an earlier one (the duplicates an import must handle)
    if (this.emails.length > 0 && r.chance(0.01)) email = this.emails[Math.floor(r.next() * this.emails.length)];
    p.email = email;
    if (email !== null) this.emails.push(email);

    if (p.lifecycle !== 'lead' && p.lifecycle !== 'prospect') p.customer_since = isoDay(r.int(SINCE_FROM, SINCE_TO));
    // relative to the anchor: next contact for ≈6% (30 days ago .. a year ahead), reviews, timestamps
    const a = this.anchorDay;
    if (r.chance(0.06)) p.next_contact = isoDay(a + r.int(-30, 365));
    if (r.chance(0.3)) p.reviewed_at = isoDay(a - r.int(0, 365));
    const createdDay = a - r.int(1, 3 * 365);
    const updatedDay = r.chance(0.96) ? Math.max(createdDay, a - r.int(0, 170)) : createdDay;
    p.created_at = this.timestamp(createdDay);
    p.updated_at = updatedDay === createdDay ? p.created_at : this.timestamp(updatedDay);
    if (p.updated_at < p.created_at) p.updated_at = p.created_at;
    if (r.chance(0.2)) p.notes = r.pick(NOTES);
    if (r.chance(0.15)) {
      const key = r.pick(CUSTOM_KEYS);
      p.custom[key] =
        key === 'kundennummer_alt' ? `A-${r.int(10000, 99999)}`
          : key === 'zahlungsziel' ? `${r.pick([14, 30, 45, 60])} Tage`
            : key === 'messe' ? r.pick(MESSEN)
              : key === 'lieblingsprodukt' ? r.pick(PRODUCTS)
                : isoDay(a - r.int(30, 2000));
      if (isCompany && r.chance(0.5)) p.custom.ust_id = `DE${r.int(100000000, 999999999)}`;
    }
    if (r.chance(0.1)) {
      const day = a - r.int(0, 400);
      p.communication = {
        at: isoDay(day),
        channel: r.pick(['call', 'email', 'meeting', 'note']),
        body: r.pick(NOTES),
        created_at: this.timestamp(day),
      };
    }
    return p;
  }
}

// ---------------------------------------------------------------------------------------------
// Caching

/** A short fingerprint of the schema (every migration's SQL), so a new migration remakes the db. */
export async function schemaKey() {
  const url = pathToFileURL(path.join(APP_ROOT, 'dist/storage/migrations/index.js')).href;
  const { MIGRATIONS } = await import(url);
  const h = crypto.createHash('sha256');
  for (const m of MIGRATIONS) h.update(`${m.version}\n${String(m.up)}\n`);
  return h.digest('hex').slice(0, 10);
}

const sizeLabel = (n) => (n % 1_000_000 === 0 ? `${n / 1_000_000}M` : n % 1000 === 0 ? `${n / 1000}k` : String(n));

/** Where the cached file for (kind, n, seed) lives; the db's name also carries schema and anchor. */
export async function cachedPath(kind, n, seed = DEFAULT_SEED, anchor = localToday()) {
  const dir = fs.existsSync(ROOT) ? OUT_DIR : path.join(os.tmpdir(), 'custfile-bench');
  const base = `${kind}-${sizeLabel(n)}-s${seed}-g${GENERATOR_VERSION}`;
  if (kind === 'db') return path.join(dir, `${base}-${await schemaKey()}-${anchor}.db`);
  if (kind === 'sales') return path.join(dir, `${base}.csv`);
  return path.join(dir, `${base}.csv`);
}

/**
 * Writes through a temporary name and renames file and meta into place, so a bench running at the
 * same time never sees half a file (the meta, renamed last, marks it complete).
 */
async function atomically(file, write) {
  const tmp = `${file}.tmp-${process.pid}`;
  try {
    const meta = await write(tmp);
    fs.renameSync(tmp, file);
    fs.renameSync(`${tmp}.meta.json`, `${file}.meta.json`);
    return meta;
  } finally {
    for (const f of [tmp, `${tmp}-wal`, `${tmp}-shm`, `${tmp}.meta.json`]) fs.rmSync(f, { force: true });
  }
}

function readMeta(file) {
  try {
    return JSON.parse(fs.readFileSync(`${file}.meta.json`, 'utf8'));
  } catch {
    return null;
  }
}

/** Returns { path, meta, cached } for a database of n profiles, generating it when missing. */
export async function ensureDatabase(n, seed = DEFAULT_SEED, anchor = localToday(), log = () => {}) {
  const file = await cachedPath('db', n, seed, anchor);
  const meta = readMeta(file);
  if (meta && fs.existsSync(file) && meta.complete) return { path: file, meta, cached: true };
  log(`generating a database of ${n} profiles (seed ${seed}) at ${path.relative(process.cwd(), file)} …`);
  const made = await atomically(file, (tmp) => writeDatabase(tmp, n, seed, anchor));
  return { path: file, meta: made, cached: false };
}

export async function ensureCsv(n, seed = DEFAULT_SEED, log = () => {}) {
  const file = await cachedPath('csv', n, seed);
  const meta = readMeta(file);
  if (meta && fs.existsSync(file) && meta.complete) return { path: file, meta, cached: true };
  log(`generating a ${n}-row customer CSV (seed ${seed}) at ${path.relative(process.cwd(), file)} …`);
  const made = await atomically(file, (tmp) => writeCsv(tmp, n, seed));
  return { path: file, meta: made, cached: false };
}

export async function ensureSalesCsv(n, profiles, seed = DEFAULT_SEED, log = () => {}) {
  const file = (await cachedPath('sales', n, seed)).replace(/\.csv$/, `-p${sizeLabel(profiles)}.csv`);
  const meta = readMeta(file);
  if (meta && fs.existsSync(file) && meta.complete) return { path: file, meta, cached: true };
  log(`generating a ${n}-row transactions CSV over ${profiles} profiles at ${path.relative(process.cwd(), file)} …`);
  const made = await atomically(file, (tmp) => writeSalesCsv(tmp, n, profiles, seed));
  return { path: file, meta: made, cached: false };
}

// ---------------------------------------------------------------------------------------------
// Database

const PROFILE_COLUMNS = [
  'id', 'kind', 'external_id', 'name', 'company_id', 'role', 'decision_maker', 'first_name', 'last_name',
  'birthday', 'profession', 'household', 'income_band', 'legal_form', 'industry', 'revenue_cents',
  'headcount', 'website', 'financial_status', 'email', 'phone', 'street', 'postcode', 'city', 'region',
  'country', 'lifecycle', 'tags', 'source', 'customer_since', 'next_contact', 'reviewed_at', 'notes',
  'custom', 'created_at', 'updated_at',
];

function profileParams(p) {
  return [
    p.id, p.kind, p.external_id, p.name, p.company_id, p.role,
    p.decision_maker === null ? null : p.decision_maker ? 1 : 0,
    p.first_name, p.last_name, p.birthday, p.profession, p.household, p.income_band, p.legal_form,
    p.industry, p.revenue, p.headcount, p.website, p.financial_status, p.email, p.phone, p.street,
    p.postcode, p.city, p.region, p.country, p.lifecycle, JSON.stringify(p.tags), p.source,
    p.customer_since, p.next_contact, p.reviewed_at, p.notes, JSON.stringify(p.custom), p.created_at,
    p.updated_at,
  ];
}

/**
 * Creates a custfile database of n profiles at `file` (replacing one there). The schema is made
 * by the project's own openStore; the indexes are dropped during the load and made again from
 * their own SQL afterwards (one sort per index instead of 1M random inserts), which leaves the
 * same schema. Returns the meta data it also writes to `${file}.meta.json`.
 */
export async function writeDatabase(file, n, seed = DEFAULT_SEED, anchor = localToday()) {
  const started = Date.now();
  fs.mkdirSync(path.dirname(path.resolve(file)), { recursive: true });
  for (const f of [file, `${file}-wal`, `${file}-shm`, `${file}.meta.json`]) fs.rmSync(f, { force: true });
  const { openStore } = await import(pathToFileURL(path.join(APP_ROOT, 'dist/storage/store.js')).href);
  const { snapshot } = await import(pathToFileURL(path.join(APP_ROOT, 'dist/domain/profile.js')).href);
  const store = openStore(file, { write: true });
  const db = store.db.sqlite;
  const stats = { companies: 0, persons: 0, contacts: 0, birthdays: 0, yearless: 0, feb29: 0, emails: 0, next_contact: 0, with_custom: 0 };
  let showRef = null;
  let personRef = null;
  const phases = {};
  try {
    db.pragma('journal_mode = OFF');
    db.pragma('synchronous = OFF');
    db.pragma('foreign_keys = OFF');
    db.pragma('cache_size = -262144');
    db.pragma('temp_store = MEMORY');
    db.pragma('threads = 2'); // helper threads for the sorts of CREATE INDEX
    const indexes = db
      .prepare("SELECT name, sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL AND tbl_name IN ('profiles', 'history', 'communications')")
      .all();
    for (const ix of indexes) db.exec(`DROP INDEX "${ix.name}"`);

    const insertProfile = db.prepare(`INSERT INTO profiles (${PROFILE_COLUMNS.join(', ')}) VALUES (${PROFILE_COLUMNS.map(() => '?').join(', ')})`);
    const insertHistory = db.prepare("INSERT INTO history (profile_id, action, field, old_value, new_value, at, source) VALUES (?, 'create', '*', NULL, ?, ?, ?)");
    const insertComm = db.prepare("INSERT INTO communications (profile_id, at, channel, body, source, created_at) VALUES (?, ?, ?, ?, 'cli', ?)");
    const stream = new ProfileStream(seed, anchor);
    const BATCH = 50_000;
    const batch = db.transaction((count) => {
      for (let k = 0; k < count; k++) {
        const p = stream.next();
        insertProfile.run(profileParams(p));
        insertHistory.run(p.id, JSON.stringify(snapshot(p)), p.created_at, 'import:bench-generator.csv');
        if (p.communication) {
          const c = p.communication;
          insertComm.run(p.id, c.at, c.channel, c.body, c.created_at);
        }
        if (p.kind === 'company') stats.companies++;
        else {
          stats.persons++;
          if (p.company_id !== null) stats.contacts++;
          if (p.birthday !== null) {
            stats.birthdays++;
            if (p.birthday.startsWith('--')) stats.yearless++;
            if (p.birthday.endsWith('02-29')) stats.feb29++;
          }
          if (personRef === null && p.id > n / 2 && p.email !== null) personRef = { id: p.id, external_id: p.external_id, email: p.email, name: p.name };
        }
        if (p.email !== null) stats.emails++;
        if (p.next_contact !== null) stats.next_contact++;
        if (Object.keys(p.custom).length > 0) stats.with_custom++;
      }
    });
    for (let done = 0; done < n; done += BATCH) batch.immediate(Math.min(BATCH, n - done));
    phases.insert = (Date.now() - started) / 1000;
    db.transaction(() => {
      for (const ix of indexes) db.exec(ix.sql);
    }).immediate();
    phases.index = (Date.now() - started) / 1000 - phases.insert;
    // a company in the second half with several key contacts: the REF of `show`
    for (const c of stream.companies) {
      if (c.id > n / 2 && (stream.contactCount.get(c.id) ?? 0) >= 2) {
        showRef = { id: c.id, external_id: `K-${String(c.id).padStart(7, '0')}`, name: c.name, contacts: stream.contactCount.get(c.id) };
        break;
      }
    }
    if (showRef === null && stream.companies.length > 0) {
      const c = stream.companies[stream.companies.length - 1];
      showRef = { id: c.id, external_id: `K-${String(c.id).padStart(7, '0')}`, name: c.name, contacts: stream.contactCount.get(c.id) ?? 0 };
    }
    db.pragma('foreign_keys = ON');
    db.pragma('journal_mode = WAL');
  } finally {
    store.close();
  }
  const meta = {
    complete: true,
    kind: 'db',
    n,
    seed,
    anchor,
    generator: GENERATOR_VERSION,
    schema: await schemaKey(),
    seconds: (Date.now() - started) / 1000,
    phases,
    bytes: fs.statSync(file).size,
    stats,
    refs: { company: showRef, person: personRef },
  };
  fs.writeFileSync(`${file}.meta.json`, `${JSON.stringify(meta, null, 2)}\n`);
  return meta;
}

// ---------------------------------------------------------------------------------------------
// CSV

/** The 19 columns of the customer CSV, named as the importer knows the fields. */
export const CSV_COLUMNS = [
  'external_id', 'kind', 'company', 'first_name', 'last_name', 'email', 'phone', 'street', 'postcode', 'city',
  'region', 'country', 'birthday', 'industry', 'revenue', 'tags', 'lifecycle', 'customer_since', 'notes',
];

function cell(v) {
  if (v === null || v === undefined) return '';
  const s = String(v);
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

const formatCents = (cents) => `${Math.floor(cents / 100)}.${String(cents % 100).padStart(2, '0')}`;

class ChunkWriter {
  constructor(file) {
    fs.mkdirSync(path.dirname(path.resolve(file)), { recursive: true });
    this.fd = fs.openSync(file, 'w');
    this.parts = [];
    this.size = 0;
  }
  write(s) {
    this.parts.push(s);
    this.size += s.length;
    if (this.size > 1 << 20) this.flush();
  }
  flush() {
    if (this.parts.length) fs.writeSync(this.fd, this.parts.join(''));
    this.parts = [];
    this.size = 0;
  }
  close() {
    this.flush();
    fs.closeSync(this.fd);
  }
}

/** Writes n profiles as a 19-column RFC 4180 CSV (CRLF, quotes where needed). */
export function writeCsv(file, n, seed = DEFAULT_SEED) {
  const started = Date.now();
  fs.rmSync(`${file}.meta.json`, { force: true });
  const out = new ChunkWriter(file);
  out.write(`${CSV_COLUMNS.join(',')}\r\n`);
  const stream = new ProfileStream(seed);
  const emails = new Set();
  let duplicateEmails = 0;
  let multiline = 0;
  for (let k = 0; k < n; k++) {
    const p = stream.next();
    if (p.email !== null) {
      if (emails.has(p.email)) duplicateEmails++;
      else emails.add(p.email);
    }
    if (p.notes !== null && /\n/.test(p.notes)) multiline++;
    const row = [
      p.external_id, p.kind, p.company, p.first_name, p.last_name, p.email, p.phone, p.street, p.postcode,
      p.city, p.region, p.country, p.birthday, p.industry, p.revenue === null ? null : formatCents(p.revenue),
      p.tags.join(','), p.lifecycle, p.customer_since, p.notes,
    ];
    out.write(`${row.map(cell).join(',')}\r\n`);
  }
  out.close();
  const meta = {
    complete: true,
    kind: 'csv',
    n,
    seed,
    generator: GENERATOR_VERSION,
    columns: CSV_COLUMNS,
    seconds: (Date.now() - started) / 1000,
    bytes: fs.statSync(file).size,
    stats: { duplicate_emails: duplicateEmails, multiline_notes: multiline, companies: stream.companies.length },
  };
  fs.writeFileSync(`${file}.meta.json`, `${JSON.stringify(meta, null, 2)}\n`);
  return meta;
}

/** n transactions (external_id, date, amount, item) over the profiles K-0000001 … of `profiles`. */
export function writeSalesCsv(file, n, profiles, seed = DEFAULT_SEED) {
  const started = Date.now();
  fs.rmSync(`${file}.meta.json`, { force: true });
  const r = new Rng(seed ^ 0x5a1e5);
  const out = new ChunkWriter(file);
  out.write('external_id,date,amount,item\r\n');
  const from = dayOf('2020-01-01');
  const to = dayOf('2025-12-31');
  for (let k = 0; k < n; k++) {
    // a few customers buy often: skew towards low ids of a random block
    const id = r.chance(0.3) ? r.int(1, Math.max(1, Math.floor(profiles / 20))) : r.int(1, profiles);
    const cents = Math.round(Math.exp(Math.log(500) + r.next() * (Math.log(5_000_000) - Math.log(500))));
    const item = r.pick(SALE_ITEMS);
    out.write(`K-${String(id).padStart(7, '0')},${isoDay(r.int(from, to))},${formatCents(cents)},${cell(r.chance(0.05) ? `${item}, Sonderpreis` : item)}\r\n`);
  }
  out.close();
  const meta = { complete: true, kind: 'sales', n, profiles, seed, generator: GENERATOR_VERSION, seconds: (Date.now() - started) / 1000, bytes: fs.statSync(file).size };
  fs.writeFileSync(`${file}.meta.json`, `${JSON.stringify(meta, null, 2)}\n`);
  return meta;
}

// ---------------------------------------------------------------------------------------------
// CLI

async function cli(argv) {
  const [what, out, nText, seedText] = argv;
  const usage = 'usage: node bench/generate.mjs db|csv|sales OUT N [SEED]   (sales: N transactions over BENCH_SALES_PROFILES profiles, default N)';
  const n = Number(nText);
  const seed = seedText === undefined ? DEFAULT_SEED : Number(seedText);
  if (!['db', 'csv', 'sales'].includes(what) || !out || !Number.isInteger(n) || n <= 0 || !Number.isInteger(seed)) {
    process.stderr.write(`${usage}\n`);
    process.exitCode = 2;
    return;
  }
  let meta;
  if (what === 'db') meta = await writeDatabase(out, n, seed, process.env.BENCH_ANCHOR || localToday());
  else if (what === 'csv') meta = writeCsv(out, n, seed);
  else meta = writeSalesCsv(out, n, Number(process.env.BENCH_SALES_PROFILES || n), seed);
  process.stderr.write(`${out}: ${meta.n} rows, ${(meta.bytes / 1048576).toFixed(1)} MiB in ${meta.seconds.toFixed(1)} s\n`);
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  await cli(process.argv.slice(2));
}
