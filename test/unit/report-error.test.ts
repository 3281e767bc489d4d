import { describe, expect, it } from 'vitest';
import { FileError, LockedError } from '../../src/errors.js';
import { reportError } from '../../src/report-error.js';

function report(err: unknown, debug = false): { code: number; text: string } {
  let text = '';
  const stderr = { write: (s: string) => ((text += s), true) } as unknown as NodeJS.WritableStream;
  return { code: reportError(err, stderr, debug), text };
}

describe('reportError', () => {
  it('an AppError is its sentence and its exit code', () => {
    expect(report(new FileError('x.csv cannot be read.'))).toEqual({ code: 1, text: 'custfile: x.csv cannot be read.\n' });
    expect(report(new LockedError('/tmp/c.db')).code).toBe(5);
  });

  it.each(['ExitPromptError', 'AbortPromptError'])('Ctrl-C or Ctrl-D at a prompt (%s) is a cancel, exit 130, not an unexpected failure', (name) => {
    const err = Object.assign(new Error('User force closed the prompt with SIGINT'), { name });
    expect(report(err)).toEqual({ code: 130, text: 'custfile: cancelled; nothing was written.\n' });
  });

  it('anything else is an unexpected failure without a stack, unless debugging; control characters are shown', () => {
    const plain = report(new Error('boom \u001b[2J'));
    expect(plain).toEqual({ code: 1, text: 'custfile: unexpected failure: boom ^[[2J (run with CUSTFILE_DEBUG=1 for details)\n' });
    expect(report(new Error('boom'), true).text).toMatch(/\n\s+at /);
  });
});
