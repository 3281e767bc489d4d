/**
 * The entry point, and the only place that prints an error and sets the exit code.
 */
import { ExitCode, UsageError } from './errors.js';
import { attachDashValues, createProgram } from './program.js';
import { reportError } from './report-error.js';
import type { WritableLike } from './ui/output.js';

function lazyStderr(): WritableLike {
  const get = () => process.stderr;
  const isatty = () => process.getBuiltinModule('node:tty').isatty(2);
  return {
    write: (chunk) => get().write(chunk),
    once: (event, listener) => get().once(event, listener),
    on: (event, listener) => get().on(event, listener),
    off: (event, listener) => get().off(event, listener),
    get isTTY() {
      return isatty();
    },
    get columns() {
      return isatty() ? get().columns : undefined;
    },
  };
}

async function main(): Promise<void> {
  const debug = process.env.CUSTFILE_DEBUG === '1';
  // `custfile list | head -1`: the reader went away; end quietly
  process.stdout.on('error', (err: NodeJS.ErrnoException) => {
    if (err.code === 'EPIPE') process.exit(ExitCode.ok);
  });
  try {
    const args = process.argv.slice(2);
    // Node reads arguments as UTF-8 and makes U+FFFD of what is not: a Latin-1 "ü" from a terminal
    // set to ISO-8859-1 would be stored as "�" for good
    const garbled = args.findIndex((a) => a.includes('\uFFFD'));
    if (garbled >= 0) {
      throw new UsageError(`argument ${garbled + 1} ("${args[garbled]!.slice(0, 40)}") is not valid UTF-8; set the terminal to UTF-8 (e.g. LANG=de_DE.UTF-8), or import the text from a file with --encoding.`);
    }
    const program = createProgram({
      stdout: process.stdout,
      stderr: lazyStderr(),
      // not process.stdin.isTTY: making stdin's stream loads fs streams and readline (~1.5 ms),
      // and only the commands that may prompt ask
      get stdinIsTTY() {
        return process.getBuiltinModule('node:tty').isatty(0);
      },
      env: process.env,
    }, args);
    await program.parseAsync([...process.argv.slice(0, 2), ...attachDashValues(program, args)]);
  } catch (err) {
    process.exitCode = reportError(err, process.stderr, debug);
  }
}

void main();
