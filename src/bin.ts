/**
 * The entry point, and the only place that prints an error and sets the exit code.
 */
import { CommanderError } from 'commander';
import { AppError, ExitCode } from './errors.js';
import { attachDashValues, createProgram } from './program.js';
import { OutputClosed, type WritableLike } from './ui/output.js';
import { terminalSafe } from './ui/terminal-text.js';

function isBrokenPipe(err: unknown): boolean {
  return err instanceof OutputClosed || (err as NodeJS.ErrnoException | null)?.code === 'EPIPE';
}

/** Maps any failure to an exit code and prints one sentence (the stack only with CUSTFILE_DEBUG=1). */
export function reportError(err: unknown, stderr: NodeJS.WritableStream, debug: boolean): number {
  if (isBrokenPipe(err)) return ExitCode.ok;
  if (err instanceof CommanderError) {
    // commander has printed its message already; --help and --version are not failures
    if (err.code === 'commander.helpDisplayed' || err.code === 'commander.version' || err.code === 'commander.help' || err.exitCode === 0) return ExitCode.ok;
    return ExitCode.usage;
  }
  if (err instanceof AppError) {
    stderr.write(`custfile: ${terminalSafe(err.message)}\n`);
    if (debug && err.stack) stderr.write(`${err.stack}\n`);
    return err.exitCode;
  }
  const message = err instanceof Error ? err.message : String(err);
  stderr.write(`custfile: unexpected failure: ${terminalSafe(message)}${debug ? '' : ' (run with CUSTFILE_DEBUG=1 for details)'}\n`);
  if (debug && err instanceof Error && err.stack) stderr.write(`${err.stack}\n`);
  return ExitCode.failure;
}

/**
 * process.stderr, made on its first use: when stderr is a pipe, making it loads `net` and builds a
 * socket (~1.3 ms), and most runs never write a message.
 */
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
