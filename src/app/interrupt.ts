/**
 * Ctrl-C (or a kill) during an import that commits in batches: the batches committed stay, so the
 * import stops at the next batch instead of dying in the middle, rolls the open batch back, and
 * says how far it got. A second signal ends the process at once (the open transaction is rolled
 * back by SQLite), as does any signal while nothing watches.
 */
import { AppError } from '../errors.js';

const SIGNALS: NodeJS.Signals[] = ['SIGINT', 'SIGTERM', 'SIGHUP'];

export interface InterruptWatch {
  /** The signal received, or null. */
  readonly signal: NodeJS.Signals | null;
  /**
   * Between two batches: lets the event loop handle a signal (rows read from a buffer never
   * reach it), then throws Interrupted if one came.
   */
  between(): Promise<void>;
  /** Stops watching: the next signal does what it always does. */
  stop(): void;
}

export function watchInterrupt(): InterruptWatch {
  let received: NodeJS.Signals | null = null;
  const onSignal = (signal: NodeJS.Signals) => {
    if (received !== null) {
      stop();
      process.kill(process.pid, signal);
      return;
    }
    received = signal;
  };
  const stop = () => {
    for (const s of SIGNALS) process.removeListener(s, onSignal);
  };
  for (const s of SIGNALS) process.on(s, onSignal);
  return {
    get signal() {
      return received;
    },
    async between() {
      await new Promise<void>((resolve) => setImmediate(resolve));
      if (received !== null) throw new Interrupted(received);
    },
    stop,
  };
}

/** What an import that failed after committing some batches says about them ('row' or 'sale'). */
export function committedNote(count: number, noun: 'row' | 'sale' = 'row'): string {
  return count > 0
    ? ` ${count.toLocaleString('en')} ${noun}${count === 1 ? ' was' : 's were'} imported before that (an import commits in batches); running the same import again goes on from there.`
    : '';
}

/** What an import stopped by a signal says. */
export function stoppedBy(signal: NodeJS.Signals, count: number, noun: 'row' | 'sale' = 'row'): string {
  return `Stopped by ${signal}.${count > 0 ? committedNote(count, noun) : ' Nothing was imported.'}`;
}

/**
 * A failure after some batches were committed (a lock held too long, a full disk): its message,
 * which says nothing was changed, says instead what is in.
 */
export function withCommitted(err: unknown, count: number, noun: 'row' | 'sale' = 'row'): unknown {
  if (err instanceof AppError && count > 0) {
    err.message = err.message.replace(/; nothing was changed(, and it is safe to try again later)?\.$/, '.') + committedNote(count, noun);
  }
  return err;
}

/** An import was asked to stop (Ctrl-C, a kill): thrown between batches, caught by the import. */
export class Interrupted extends Error {
  constructor(readonly signal: NodeJS.Signals) {
    super(`stopped by ${signal}`);
  }
}
