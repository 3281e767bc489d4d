/**
 * What every command shares: its dependencies (streams, environment, clock), the global options,
 * the store opened on demand, the output format and colour, and the common FILTERS flags.
 * Kept light: `custfile --help` loads this file but neither SQLite nor any renderer.
 */
import os from 'node:os';
import type { Command } from 'commander';
import { UsageError } from '../errors.js';
import type { AppContext, Clock } from '../app/context.js';
import type { FilterOptions } from '../app/filters.js';
import { isIsoDate, localDateOf } from '../domain/dates.js';
import type { Store } from '../storage/store.js';
import { type Format, type WritableLike, FORMATS, Output, colorWanted, resolveFormat } from '../ui/output.js';
import { type Prompter, terminalPrompter } from '../ui/prompter.js';
import { terminalSafe } from '../ui/terminal-text.js';

export interface Deps {
  stdout: WritableLike;
  stderr: WritableLike;
  stdinIsTTY: boolean;
  env: NodeJS.ProcessEnv;
  platform?: NodeJS.Platform;
  home?: string;
  /** The wall clock; tests pass a fixed one. */
  now?: () => Date;
  /** Replaces the terminal prompter (tests). */
  prompter?: Prompter;
}

export interface GlobalOptions {
  db?: string;
  format?: string;
  color: boolean;
  quiet?: boolean;
  input: boolean;
  on?: string;
}

/** One command's run: opened lazily, closed by `finish`. */
export class Session {
  private store: Store | null = null;
  readonly out: Output;
  readonly globals: GlobalOptions;

  constructor(readonly command: Command, readonly deps: Deps) {
    this.globals = command.optsWithGlobals() as GlobalOptions;
    this.out = new Output(deps.stdout);
  }

  get color(): boolean {
    return colorWanted(this.deps.stdout, this.deps.env, !this.globals.color);
  }

  get quiet(): boolean {
    return this.globals.quiet === true;
  }

  /** A message for the user on stderr (suppressed by --quiet); names in it cannot drive the terminal. */
  say(message: string): void {
    if (!this.quiet) this.deps.stderr.write(`${terminalSafe(message)}\n`);
  }

  /**
   * A notice of something custfile did on its own (permissions were tightened). --quiet hides it
   * too: `remind -q` from cron must print nothing when nothing is due (SPEC: only data and errors).
   */
  notice(message: string): void {
    this.say(message);
  }

  format(fallback: Format = 'csv', allowed: readonly string[] = FORMATS): Format {
    return resolveFormat(this.globals.format, this.deps.stdout.isTTY === true, fallback, allowed);
  }

  get prompter(): Prompter {
    if (this.deps.prompter) return this.deps.prompter;
    const canPrompt = this.globals.input && this.deps.stdinIsTTY && this.deps.stdout.isTTY === true && this.deps.env.CI !== 'true';
    return terminalPrompter(canPrompt, () => `custfile ${commandPath(this.command)}`);
  }

  async dbPath(): Promise<string> {
    const { resolveDbPath } = await import('../app/db-location.js');
    return resolveDbPath(this.globals.db, this.deps.env, this.deps.platform ?? process.platform, this.deps.home ?? os.homedir());
  }

  async openStore(write: boolean): Promise<Store> {
    if (this.store) return this.store;
    const { openStore } = await import('../storage/store.js');
    this.store = openStore(await this.dbPath(), { write, notice: (m) => this.notice(m) });
    return this.store;
  }

  /** The clock; `on` (a command's --on, else the global --on) replaces today's date. */
  clock(onFlag?: string): Clock {
    const on = onFlag ?? this.globals.on;
    // up to 9899: windows and spans counted from it stay within four-digit years
    if (on !== undefined && (!isIsoDate(on) || on > '9899-12-31' || on < '1000-01-01')) {
      throw new UsageError(`--on must be a date such as 2026-11-22 (from 1000-01-01 to 9899-12-31), not "${on}".`);
    }
    const now = this.deps.now ?? (() => new Date());
    return {
      today: () => on ?? localDateOf(now()),
      now: () => now().toISOString(),
    };
  }

  async context(write: boolean, options: { on?: string; source?: string } = {}): Promise<AppContext> {
    const clock = this.clock(options.on);
    return { store: await this.openStore(write), clock, source: options.source ?? 'cli' };
  }

  finish(): void {
    this.store?.close();
    this.store = null;
  }
}

export function commandPath(command: Command): string {
  const names: string[] = [];
  for (let c: Command | null = command; c && c.parent; c = c.parent) names.unshift(c.name());
  return names.join(' ');
}

/** Wraps an action: a Session for the run, closed whatever happens. */
export function action<A extends unknown[]>(deps: Deps, run: (session: Session, ...args: A) => Promise<void>) {
  return async (...args: unknown[]): Promise<void> => {
    const command = args[args.length - 1] as Command;
    const session = new Session(command, deps);
    try {
      await run(session, ...(args.slice(0, -1) as A));
      // a write that failed after the last flush (stdout on a full disk) fails the command
      await session.out.settle();
    } finally {
      session.finish();
    }
  };
}

/**
 * The FILTERS of SPEC.md, on every command that reads many profiles. Each may be given more than
 * once, and all of them must hold (`--tag vip --tag b2b` as `--tag vip,b2b`): a repeated option
 * that silently kept only its last value widened a mailing's export.
 */
export function addFilterOptions(command: Command): Command {
  return command
    .option('--where <expr>', "filter expression, e.g. \"city = 'Dresden' and revenue > 1000000\" (repeatable: all must hold)", collect)
    .option('--segment <name>', 'a saved segment (repeatable)', collect)
    .option('--kind <kind>', 'company or person', collect)
    .option('--tag <tags>', 'has these tags (comma-separated or repeated: all of them)', collect)
    .option('--city <city>', 'in this city', collect)
    .option('--industry <industry>', 'in this industry', collect)
    .option('--lifecycle <stage>', 'at this lifecycle stage', collect);
}

export function filterOptions(opts: Record<string, unknown>): FilterOptions {
  const pick = (k: string): string[] | undefined => {
    const v = opts[k];
    return typeof v === 'string' ? [v] : Array.isArray(v) ? (v as string[]) : undefined;
  };
  return {
    where: pick('where'),
    segment: pick('segment'),
    kind: pick('kind'),
    tag: pick('tag'),
    city: pick('city'),
    industry: pick('industry'),
    lifecycle: pick('lifecycle'),
  };
}

export function collect(value: string, previous: string[] = []): string[] {
  return [...previous, value];
}

export function parsePositiveInt(flag: string) {
  return (value: string): number => {
    const n = Number(value);
    // past 2^53 a number is no longer whole in JavaScript, and SQLite takes no LIMIT past 2^63
    if (!/^\d+$/.test(value.trim()) || !Number.isSafeInteger(n)) throw new UsageError(`${flag} must be a whole number up to ${Number.MAX_SAFE_INTEGER}, not "${value}".`);
    return n;
  };
}

export function examples(...lines: string[]): string {
  return `\nExamples:\n${lines.map((l) => `  $ ${l}`).join('\n')}\n`;
}
