/**
 * Ctrl-C (or a kill) during an import that commits in batches: the batches committed stay, so the
 * import stops at the next batch instead of dying in the middle, rolls the open batch back, and
 * says how far it got. A second signal ends the process at once (the open transaction is rolled
 * back by SQLite), as does any signal while nothing watches.
 */
const SIGNALS: NodeJS.Signals[] = ['SIGINT', 'SIGTERM', 'SIGHUP'];

export interface InterruptWatch {
  /** The signal received, or null. */
  readonly signal: NodeJS.Signals | null;
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
    stop,
  };
}

/** What an import that failed after committing some batches says about them. */
export function committedNote(rows: number): string {
  return rows > 0
    ? ` ${rows.toLocaleString('en')} row${rows === 1 ? ' was' : 's were'} imported before that (an import commits in batches); running the same import again goes on from there.`
    : '';
}

/** An import was asked to stop (Ctrl-C, a kill): thrown between batches, caught by the import. */
export class Interrupted extends Error {
  constructor(readonly signal: NodeJS.Signals) {
    super(`stopped by ${signal}`);
  }
}
