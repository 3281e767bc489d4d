/** What every use case gets: the open file, the clock, and where changes come from. */
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
    today: () => on ?? localDate(new Date()),
    now: () => new Date().toISOString(),
  };
}

/** The local civil date of an instant (respects TZ). */
export function localDate(d: Date): string {
  const y = String(d.getFullYear()).padStart(4, '0');
  const m = String(d.getMonth() + 1).padStart(2, '0');
  const day = String(d.getDate()).padStart(2, '0');
  return `${y}-${m}-${day}`;
}
