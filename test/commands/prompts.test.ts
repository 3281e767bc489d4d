/**
 * The questions a terminal user is asked, answered by a fake prompter in-process: `add` asks for
 * the name it lacks, `remove` and `forget` ask before deleting, `import` asks where unknown
 * columns go. (Without a terminal each of these is exit 2 naming the flag: test/e2e.)
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createProgram } from '../../src/program.js';
import { type Prompter, answerCheck } from '../../src/ui/prompter.js';

function sink() {
  let text = '';
  return { write: (s: string) => ((text += s), true), once: () => undefined, on: () => undefined, off: () => undefined, isTTY: false, get text() { return text; } };
}

/** Answers in order; records the questions. */
function fakePrompter(answers: (string | boolean)[]): Prompter & { asked: string[] } {
  const asked: string[] = [];
  const next = (message: string) => {
    asked.push(message);
    if (answers.length === 0) throw new Error(`unexpected question: ${message}`);
    return answers.shift()!;
  };
  return {
    canPrompt: true,
    asked,
    input: async (message) => String(next(message)),
    confirm: async (message) => next(message) === true,
    select: async (message) => String(next(message)),
  };
}

let dir: string;
let db: string;
beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'custfile-prompts-'));
  db = path.join(dir, 'c.db');
});
afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

async function run(args: string[], prompter: Prompter) {
  const stdout = sink();
  const stderr = sink();
  const program = createProgram({ stdout, stderr, stdinIsTTY: true, env: {}, prompter }, args);
  await program.parseAsync(['node', 'custfile', '--db', db, ...args]);
  return { stdout: stdout.text, stderr: stderr.text };
}

const rows = (sql: string) => {
  const conn = new Database(db, { readonly: true });
  try {
    return conn.prepare(sql).all();
  } finally {
    conn.close();
  }
};

describe('prompts at a terminal', () => {
  it('add person asks for first and last name when neither is given', async () => {
    const p = fakePrompter(['Käthe', 'Kruse']);
    const r = await run(['add', 'person', '--city', 'Dresden'], p);
    expect(p.asked).toEqual(['First name:', 'Last name:']);
    expect(r.stdout.trim()).toBe('1');
    expect(rows('SELECT name, city FROM profiles')).toEqual([{ name: 'Käthe Kruse', city: 'Dresden' }]);
  });

  it('a bad flag value fails before anything is asked (the answers were thrown away after)', async () => {
    for (const args of [['add', 'person', '--email', 'foo'], ['add', 'person', '--birthday', '2020-02-30'], ['add', 'company', '--revenue', 'lots']]) {
      const p = fakePrompter(['Käthe', 'Kruse']);
      await expect(run(args, p)).rejects.toThrow(/email|birthday|revenue/);
      expect(p.asked, args.join(' ')).toEqual([]);
    }
  });

  it('add company asks for the name; add contact for the company too', async () => {
    await run(['add', 'company'], fakePrompter(['Elbwerk GmbH']));
    const p = fakePrompter(['Elbwerk GmbH', 'Jens', 'Koch']);
    await run(['add', 'contact', '--role', 'CEO'], p);
    expect(p.asked[0]).toMatch(/^Company/);
    expect(rows('SELECT name, company_id, role FROM profiles ORDER BY id')).toEqual([
      { name: 'Elbwerk GmbH', company_id: null, role: null },
      { name: 'Jens Koch', company_id: 1, role: 'CEO' },
    ]);
  });

  it('remove and forget ask first; no keeps the profile', async () => {
    await run(['add', 'person', '--name', 'Anna Müller'], fakePrompter([]));
    const no = fakePrompter([false]);
    const kept = await run(['remove', '1'], no);
    expect(no.asked).toEqual(['Remove person #1 Anna Müller?']);
    expect(kept.stderr).toMatch(/Nothing removed/);
    expect(rows('SELECT count(*) AS n FROM profiles')).toEqual([{ n: 1 }]);
    await run(['forget', '1'], fakePrompter([true]));
    expect(rows('SELECT count(*) AS n FROM profiles')).toEqual([{ n: 0 }]);
    expect(rows('SELECT count(*) AS n FROM history')).toEqual([{ n: 0 }]);
  });

  it('import asks where unknown columns go', async () => {
    const file = path.join(dir, 'u.csv');
    fs.writeFileSync(file, 'email,last_name,Lieblingsfarbe,Kontostand\na@example.org,A,rot,12\n');
    const p = fakePrompter(['-', 'custom.balance']);
    await run(['import', file], p);
    expect(p.asked).toEqual(['Column "Lieblingsfarbe" goes to:', 'Column "Kontostand" goes to:']);
    expect(rows('SELECT custom FROM profiles')).toEqual([{ custom: '{"balance":"12"}' }]);
  });

  it('import: the rest as custom fields in one answer, a column as the company, and the --map that says it all', async () => {
    const file = path.join(dir, 'v.csv');
    fs.writeFileSync(file, 'email,last_name,Arbeitsstelle,Farbe,Zahl,Tier\na@example.org,A,Elbwerk GmbH,rot,12,Hund\n');
    const p = fakePrompter(['company', '*']);
    const r = await run(['import', file], p);
    expect(p.asked).toEqual(['Column "Arbeitsstelle" goes to:', 'Column "Farbe" goes to:']);
    expect(r.stderr).toContain("The same without questions: --map 'Arbeitsstelle=company'");
    expect(rows("SELECT p.custom, c.name AS company FROM profiles p JOIN profiles c ON c.id = p.company_id WHERE p.kind = 'person'"))
      .toEqual([{ custom: '{"Farbe":"rot","Zahl":"12","Tier":"Hund"}', company: 'Elbwerk GmbH' }]);
  });
});

describe('answerCheck', () => {
  it('a required answer needs more than blanks', () => {
    expect(answerCheck(true)('   ')).toBe('An answer is needed here.');
    expect(answerCheck(true)('')).toBe('An answer is needed here.');
    expect(answerCheck(true)(' Kruse ')).toBe(true);
    expect(answerCheck(false)('')).toBe(true);
  });
});
