/**
 * Builds the command-line program: global options and every command. Commands are registered
 * from light modules; what they need (SQLite, renderers, inquirer, exceljs) loads when they run.
 */
import { Command, Option } from 'commander';
import { registerAdd } from './commands/add.js';
import { registerBirthdays } from './commands/birthdays.js';
import { registerExport } from './commands/export.js';
import { registerHistory } from './commands/history.js';
import { registerImport } from './commands/import.js';
import { registerList } from './commands/list.js';
import { registerMaintenance } from './commands/maintenance.js';
import { registerNote } from './commands/note.js';
import { registerRemind } from './commands/remind.js';
import { registerRemove } from './commands/remove.js';
import { registerSale } from './commands/sale.js';
import { registerSegment } from './commands/segment.js';
import { type Deps, examples } from './commands/shared.js';
import { registerShow } from './commands/show.js';
import { registerStats } from './commands/stats.js';
import { registerUpdate } from './commands/update.js';
import { FORMATS } from './ui/output.js';
import { VERSION } from './version.js';


/** Every command, in the order `--help` lists them, with the words that invoke it. */
const COMMANDS: { names: string[]; register: (program: Command, deps: Deps) => void }[] = [
  { names: ['add'], register: registerAdd },
  { names: ['update'], register: registerUpdate },
  { names: ['show'], register: registerShow },
  { names: ['list', 'ls'], register: registerList },
  { names: ['remove', 'rm', 'forget'], register: registerRemove },
  { names: ['note'], register: registerNote },
  { names: ['history'], register: registerHistory },
  { names: ['birthdays'], register: registerBirthdays },
  { names: ['remind'], register: registerRemind },
  { names: ['import'], register: registerImport },
  { names: ['export'], register: registerExport },
  { names: ['sale', 'sales'], register: registerSale },
  { names: ['segment'], register: registerSegment },
  { names: ['stats'], register: registerStats },
  { names: ['backup', 'check'], register: registerMaintenance },
];

/** Global options that take a value: their value is not the command word. */
const VALUE_OPTIONS = new Set(['--db', '--format', '--on']);

/** The first word of the command line that is not an option: the command. */
export function commandWord(args: readonly string[]): string | undefined {
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    if (a === '--') return args[i + 1];
    if (a.startsWith('-')) {
      if (VALUE_OPTIONS.has(a)) i++;
      continue;
    }
    return a;
  }
  return undefined;
}

/** `argv` are the user's arguments (without node and the script); without them, every command. */
export function createProgram(deps: Deps, argv?: readonly string[]): Command {
  const program = new Command();
  program
    .name('custfile')
    .description('A customer file in the terminal: companies, persons and key contacts, notes, history, birthdays and segments in one local SQLite file.')
    .version(VERSION, '-V, --version')
    .option('--db <path>', 'the customer file (default: $CUSTFILE_DB, else $XDG_DATA_HOME/custfile/customers.db)')
    .addOption(new Option('--format <format>', 'output format (default: table on a terminal, else csv for lists and json for single records)').choices([...FORMATS, 'xlsx', 'vcf', 'ics']))
    .option('--no-color', 'no colour (also NO_COLOR=1)')
    .option('-q, --quiet', 'no messages on stderr, only data and errors')
    .option('--no-input', 'never prompt; fail with exit 2 where a prompt would be needed')
    .option('--on <date>', "today's date for every date-relative command and filter (YYYY-MM-DD), e.g. for cron in another time zone")
    .showSuggestionAfterError(true)
    .enablePositionalOptions(false)
    .addHelpText('after', examples(
      'custfile add company --name "Elbwerk GmbH" --city Dresden --postcode 01067',
      'custfile add contact --company "Elbwerk GmbH" --name "Jens Koch" --role CEO --birthday 1976-02-29',
      'custfile list --city Dresden',
      'custfile show "Elbwerk GmbH"',
      'custfile update 1 --set revenue=3100000',
      'custfile history 1 --field revenue',
    ) + '\nExit codes: 0 done, 1 failure, 2 usage, 3 not found or ambiguous, 4 rejected input, 5 locked.\n');

  // A run names one command: register just that one (commander then parses ~20 options instead
  // of ~300). Help, `help CMD` and unknown words get every command, for the listing and suggestions.
  const word = argv ? commandWord(argv) : undefined;
  const only = word === undefined ? undefined : COMMANDS.find((c) => c.names.includes(word));
  for (const c of only ? [only] : COMMANDS) c.register(program, deps);

  program.configureOutput({
    writeOut: (s) => deps.stdout.write(s),
    writeErr: (s) => deps.stderr.write(s),
    outputError: (s, write) => write(`custfile: ${s.replace(/^error: /, '').trimEnd()}\n`),
  });
  program.exitOverride();
  for (const c of allCommands(program)) {
    c.exitOverride();
    c.configureOutput({
      writeOut: (s) => deps.stdout.write(s),
      writeErr: (s) => deps.stderr.write(s),
      outputError: (s, write) => write(`custfile: ${s.replace(/^error: /, '').trimEnd()}\n`),
    });
  }
  return program;
}

/**
 * `--tag -vip` as `--tag=-vip`: a value that starts with a dash stays the value of the option
 * before it. Commander reads the program's options first, so `-Vertrieb` was its `-V` (the version)
 * and `-quiet` its `-q`, and the command never saw the tag. Only options that take a value, up to
 * a `--`.
 */
export function attachDashValues(program: Command, args: readonly string[]): string[] {
  const takesValue = new Set<string>();
  for (const c of [program, ...allCommands(program)]) {
    for (const o of c.options) if ((o.required || o.optional) && o.long) takesValue.add(o.long);
  }
  const out: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    if (a === '--') {
      out.push(...args.slice(i));
      break;
    }
    const next = args[i + 1];
    if (takesValue.has(a) && next !== undefined && next.length > 1 && next.startsWith('-') && !takesValue.has(next)) {
      out.push(`${a}=${next}`);
      i++;
    } else {
      out.push(a);
    }
  }
  return out;
}

export function allCommands(root: Command): Command[] {
  const out: Command[] = [];
  const walk = (c: Command) => {
    for (const sub of c.commands) {
      out.push(sub);
      walk(sub);
    }
  };
  walk(root);
  return out;
}
