/**
 * Every failure a user can meet is one of these. Each carries its exit code (SPEC.md "Exit codes")
 * and a message that is one plain sentence naming the file, line or field at fault. Only bin.ts
 * prints them and sets the exit code.
 */
export const ExitCode = {
  ok: 0,
  failure: 1,
  usage: 2,
  notFound: 3,
  rejected: 4,
  locked: 5,
  /** Stopped by Ctrl-C (128 + SIGINT), as shells report it. */
  interrupted: 130,
} as const;
export type ExitCode = (typeof ExitCode)[keyof typeof ExitCode];

export class AppError extends Error {
  readonly exitCode: ExitCode;
  constructor(message: string, exitCode: ExitCode, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
    this.exitCode = exitCode;
  }
}

/** The database or a file could not be read or written (exit 1). */
export class FileError extends AppError {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, ExitCode.failure, options);
  }
}

/** Something is wrong inside the database file (exit 1): `check` findings, a newer schema. */
export class DatabaseError extends AppError {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, ExitCode.failure, options);
  }
}

/** Unknown option, a bad flag value, a prompt needed where there is no terminal (exit 2). */
export class UsageError extends AppError {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, ExitCode.usage, options);
  }
}

/** A field value that does not validate, e.g. `birthday` 2026-02-30 (exit 2). */
export class ValidationError extends UsageError {
  readonly field: string;
  constructor(field: string, problem: string) {
    super(`${field}: ${problem}`);
    this.field = field;
  }
}

/** An unknown REF, segment or record (exit 3). */
export class NotFoundError extends AppError {
  constructor(message: string) {
    super(message, ExitCode.notFound);
  }
}

/** A REF that matches more than one profile (exit 3); the message lists the candidates. */
export class AmbiguousRefError extends AppError {
  readonly candidates: readonly { id: number; label: string }[];
  constructor(ref: string, candidates: readonly { id: number; label: string }[], hint = 'use the id instead') {
    const list = candidates.map((c) => `#${c.id} ${c.label}`).join('; ');
    super(
      `"${ref}" matches ${candidates.length} profiles (${list}); ${hint}.`,
      ExitCode.notFound,
    );
    this.candidates = candidates;
  }
}

/** Rejected input: import rows that failed validation, a `--where` that does not parse (exit 4). */
export class RejectedInputError extends AppError {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, ExitCode.rejected, options);
  }
}

/** Ctrl-C or a kill stopped a command that could stop cleanly (an import between batches): exit 130. */
export class InterruptedError extends AppError {
  constructor(message: string) {
    super(message, ExitCode.interrupted);
  }
}

/** The database stayed locked by another process past the busy timeout (exit 5). */
export class LockedError extends AppError {
  constructor(path: string, options?: { cause?: unknown }) {
    super(
      `${path} is locked by another process; nothing was changed, and it is safe to try again later.`,
      ExitCode.locked,
      options,
    );
  }
}

/** An error sent across a thread by its name and message, as the same kind again. */
export function errorFromName(name: string, message: string): Error {
  switch (name) {
    case 'RejectedInputError':
      return new RejectedInputError(message);
    case 'FileError':
      return new FileError(message);
    case 'UsageError':
    case 'ValidationError':
      return new UsageError(message);
    case 'DatabaseError':
      return new DatabaseError(message);
    default:
      return new Error(message);
  }
}
