/**
 * How a failure reaches the user: one sentence on stderr (control characters shown, not sent),
 * the stack only with CUSTFILE_DEBUG=1, and the exit code SPEC.md gives it.
 */
import { CommanderError } from 'commander';
import { AppError, ExitCode } from './errors.js';
import { OutputClosed } from './ui/output.js';
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
  // Ctrl-C or Ctrl-D at a prompt (inquirer's ExitPromptError): the user's choice, not a failure
  if (err instanceof Error && (err.name === 'ExitPromptError' || err.name === 'AbortPromptError' || err.name === 'CancelPromptError')) {
    stderr.write('custfile: cancelled; nothing was written.\n');
    return ExitCode.interrupted;
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
