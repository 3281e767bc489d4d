/**
 * The first schema.
 *
 * Companies and persons share one `profiles` table: two thirds of the fields (contact data,
 * address, lifecycle, tags, custom fields, follow-ups, derived sales) belong to both kinds, and
 * every reading command (REF lookup, list, filters, export, stats) works across both. A column
 * that belongs to the other kind is NULL, which SQLite stores in no space. Two tables would make
 * every one of those queries a UNION and every filter compile twice.
 *
 * Money is integer cents (`revenue_cents`, `amount_cents`): sums are exact. Birthdays are text
 * (`YYYY-MM-DD` or `--MM-DD`) with a generated month-day number and an index on it, so a
 * birthday window is an index range, not a scan. Tags live in the profile as a JSON array (what
 * users read) and in `profile_tags` (what filters look up), kept in step by triggers. The derived
 * sales fields are kept in step with `sales` by triggers, so every path that writes a sale (the
 * command, an import, a cascade of `forget`) keeps them right.
 */
import type { Migration } from './runner.js';

export const initial: Migration = {
  version: 10,
  name: 'initial',
  up: `
CREATE TABLE profiles (
  id               INTEGER PRIMARY KEY,
  kind             TEXT NOT NULL CHECK (kind IN ('company', 'person')),
  external_id      TEXT UNIQUE,
  name             TEXT NOT NULL,
  company_id       INTEGER REFERENCES profiles(id) ON DELETE SET NULL,
  role             TEXT,
  decision_maker   INTEGER CHECK (decision_maker IN (0, 1)),
  first_name       TEXT,
  last_name        TEXT,
  birthday         TEXT,
  profession       TEXT,
  household        TEXT,
  income_band      TEXT,
  legal_form       TEXT,
  industry         TEXT,
  revenue_cents    INTEGER,
  headcount        INTEGER,
  website          TEXT,
  financial_status TEXT,
  email            TEXT,
  phone            TEXT,
  street           TEXT,
  postcode         TEXT,
  city             TEXT,
  region           TEXT,
  country          TEXT,
  lifecycle        TEXT,
  tags             TEXT NOT NULL DEFAULT '[]',
  source           TEXT,
  customer_since   TEXT,
  next_contact     TEXT,
  reviewed_at      TEXT,
  notes            TEXT,
  custom           TEXT NOT NULL DEFAULT '{}',
  sales_total_cents INTEGER NOT NULL DEFAULT 0,
  sales_count      INTEGER NOT NULL DEFAULT 0,
  last_sale        TEXT,
  created_at       TEXT NOT NULL,
  updated_at       TEXT NOT NULL,
  -- month*100+day of the birthday, whatever its year: 229 for 29 February
  birthday_md      INTEGER GENERATED ALWAYS AS (
    CASE WHEN birthday IS NULL THEN NULL
         ELSE CAST(substr(birthday, -5, 2) AS INTEGER) * 100 + CAST(substr(birthday, -2) AS INTEGER) END
  ) VIRTUAL,
  -- the day a profile was last looked after: reviewed, or changed
  fresh_on         TEXT GENERATED ALWAYS AS (max(coalesce(reviewed_at, ''), substr(updated_at, 1, 10))) VIRTUAL
);
CREATE INDEX profiles_email ON profiles (email COLLATE NOCASE);
CREATE INDEX profiles_name ON profiles (name COLLATE NOCASE);
CREATE INDEX profiles_city ON profiles (city COLLATE NOCASE);
CREATE INDEX profiles_industry ON profiles (industry COLLATE NOCASE);
CREATE INDEX profiles_company ON profiles (company_id) WHERE company_id IS NOT NULL;
CREATE INDEX profiles_birthday_md ON profiles (birthday_md) WHERE birthday_md IS NOT NULL;
CREATE INDEX profiles_next_contact ON profiles (next_contact) WHERE next_contact IS NOT NULL;
CREATE INDEX profiles_fresh_on ON profiles (fresh_on);

CREATE TABLE profile_tags (
  tag        TEXT NOT NULL COLLATE NOCASE,
  profile_id INTEGER NOT NULL REFERENCES profiles(id) ON DELETE CASCADE,
  PRIMARY KEY (tag, profile_id)
) WITHOUT ROWID;
CREATE INDEX profile_tags_profile ON profile_tags (profile_id);

CREATE TRIGGER profiles_tags_insert AFTER INSERT ON profiles WHEN new.tags <> '[]' BEGIN
  INSERT OR IGNORE INTO profile_tags (tag, profile_id) SELECT value, new.id FROM json_each(new.tags);
END;
CREATE TRIGGER profiles_tags_update AFTER UPDATE OF tags ON profiles WHEN new.tags IS NOT old.tags BEGIN
  DELETE FROM profile_tags WHERE profile_id = new.id;
  INSERT OR IGNORE INTO profile_tags (tag, profile_id) SELECT value, new.id FROM json_each(new.tags);
END;

CREATE TABLE communications (
  id         INTEGER PRIMARY KEY,
  profile_id INTEGER NOT NULL REFERENCES profiles(id) ON DELETE CASCADE,
  at         TEXT NOT NULL,
  channel    TEXT NOT NULL,
  body       TEXT NOT NULL,
  source     TEXT NOT NULL,
  created_at TEXT NOT NULL
);
CREATE INDEX communications_profile ON communications (profile_id, at);

CREATE TABLE sales (
  id           INTEGER PRIMARY KEY,
  profile_id   INTEGER NOT NULL REFERENCES profiles(id) ON DELETE CASCADE,
  date         TEXT NOT NULL,
  amount_cents INTEGER NOT NULL,
  item         TEXT,
  source       TEXT NOT NULL,
  created_at   TEXT NOT NULL
);
CREATE INDEX sales_profile ON sales (profile_id, date);
CREATE INDEX sales_date ON sales (date);

CREATE TRIGGER sales_insert AFTER INSERT ON sales BEGIN
  UPDATE profiles SET
    sales_total_cents = sales_total_cents + new.amount_cents,
    sales_count = sales_count + 1,
    last_sale = CASE WHEN last_sale IS NULL OR new.date > last_sale THEN new.date ELSE last_sale END
  WHERE id = new.profile_id;
END;
CREATE TRIGGER sales_delete AFTER DELETE ON sales BEGIN
  UPDATE profiles SET
    sales_total_cents = sales_total_cents - old.amount_cents,
    sales_count = sales_count - 1,
    last_sale = (SELECT max(date) FROM sales WHERE profile_id = old.profile_id)
  WHERE id = old.profile_id;
END;
CREATE TRIGGER sales_update AFTER UPDATE ON sales BEGIN
  UPDATE profiles SET
    sales_total_cents = (SELECT coalesce(sum(amount_cents), 0) FROM sales WHERE profile_id = profiles.id),
    sales_count = (SELECT count(*) FROM sales WHERE profile_id = profiles.id),
    last_sale = (SELECT max(date) FROM sales WHERE profile_id = profiles.id)
  WHERE id IN (old.profile_id, new.profile_id);
END;

-- Field-level history. No foreign key: \`remove\` keeps a profile's history (with its deletion);
-- only \`forget\` erases it.
CREATE TABLE history (
  id         INTEGER PRIMARY KEY,
  profile_id INTEGER NOT NULL,
  action     TEXT NOT NULL CHECK (action IN ('create', 'update', 'delete')),
  field      TEXT NOT NULL,
  old_value  TEXT,
  new_value  TEXT,
  at         TEXT NOT NULL,
  source     TEXT NOT NULL
);
CREATE INDEX history_profile ON history (profile_id, id);
CREATE INDEX history_at ON history (at);
CREATE INDEX history_field ON history (field, at);

CREATE TABLE segments (
  name       TEXT PRIMARY KEY,
  expr       TEXT NOT NULL,
  created_at TEXT NOT NULL,
  updated_at TEXT NOT NULL
);
`,
};
