/**
 * Every command explains itself: a description and an Examples block in --help, and a line in
 * the README's command reference.
 */
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { allCommands, createProgram } from '../../src/program.js';

function fakeStream() {
  let text = '';
  return {
    write: (s: string) => {
      text += s;
      return true;
    },
    once: () => undefined,
    on: () => undefined,
    isTTY: false,
    get text() {
      return text;
    },
  };
}

function program() {
  const stdout = fakeStream();
  const stderr = fakeStream();
  const p = createProgram({ stdout, stderr, stdinIsTTY: false, env: {} });
  return { p, stdout, stderr };
}

describe('help', () => {
  const { p } = program();
  const commands = allCommands(p);

  it('has commands to check', () => {
    expect(commands.length).toBeGreaterThan(10);
  });

  for (const command of commands) {
    const name = (() => {
      const parts: string[] = [];
      for (let c: typeof command | null = command; c && c.parent; c = c.parent as typeof command | null) parts.unshift(c.name());
      return parts.join(' ');
    })();
    it(`custfile ${name} has a description and examples`, () => {
      expect(command.description().length, name).toBeGreaterThan(10);
      const out = fakeStream();
      command.configureOutput({ writeOut: (s) => out.write(s), writeErr: (s) => out.write(s) });
      command.outputHelp();
      expect(out.text, name).toMatch(/Examples:\n\s+\$ custfile /);
    });
  }

  it('the README names every top-level command', () => {
    const readme = fs.readFileSync(path.join(__dirname, '..', '..', 'README.md'), 'utf8');
    for (const command of p.commands) {
      expect(readme, command.name()).toContain(`custfile ${command.name()}`);
    }
  });
});
