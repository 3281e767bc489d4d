/** What every use case gets: the open file, the clock, and where changes come from. */
import { localDateOf } from '../domain/dates.js';
import type { Store } from '../storage/store.js';

export interface Clock {
  /** Today's local civil date, `YYYY-MM-DD`. */
  today(): string;
  /** The current instant, ISO 8601 UTC. */
  now(): string;
}

export interface AppContext {
  store: Store;
  clock: Clock;
  /** History source of changes: `cli`, or `import:<file>`. */
  source: string;
}

/** The system clock; `on` (from `--on`) replaces today's date. */
export function systemClock(on?: string): Clock {
  return {
    today: () => on ?? localDateOf(new Date()),
    now: () => new Date().toISOString(),
  };
}

