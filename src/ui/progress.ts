/**
 * The progress line of a long import: on a terminal only, once the work has run for a second,
 * rewritten in place and wiped at the end. Never in pipes, cron mails or with --quiet.
 */
import type { WritableLike } from './output.js';

export interface Progress {
  update(rows: number): void;
  done(): void;
}

export function progressLine(stderr: WritableLike, quiet: boolean, now: () => number = Date.now): Progress {
  const started = now();
  let shown = false;
  return {
    update(rows) {
      if (!stderr.isTTY || quiet || now() - started < 1000) return;
      shown = true;
      const seconds = (now() - started) / 1000;
      stderr.write(`\r${rows.toLocaleString('en')} rows, ${Math.round(rows / seconds).toLocaleString('en')} rows/s …   `);
    },
    done() {
      if (shown) stderr.write('\r\u001b[K');
    },
  };
}
