/**
 * Questions at a terminal (inquirer, loaded only when a question is asked). Where there is no
 * terminal, or with --no-input, every question is a UsageError naming the flag to pass instead.
 */
import { UsageError } from '../errors.js';
import { terminalSafe } from './terminal-text.js';

export interface Prompter {
  readonly canPrompt: boolean;
  /** Asks for text; `flag` names what to pass when there is no terminal. */
  input(message: string, flag: string, options?: { required?: boolean; default?: string }): Promise<string>;
  confirm(message: string, flag: string, defaultAnswer?: boolean): Promise<boolean>;
  /** One of `choices` (value, label). */
  select(message: string, flag: string, choices: { value: string; name: string }[], defaultValue?: string): Promise<string>;
}

function noTerminal(flag: string, what: string): UsageError {
  return new UsageError(`${what} needs ${flag} when not running interactively.`);
}

/** What a prompt accepts: anything, or (required) something besides blanks. */
export function answerCheck(required: boolean): (value: string) => true | string {
  return (value) => !required || value.trim() !== '' || 'An answer is needed here.';
}

export function terminalPrompter(canPrompt: boolean, what: () => string): Prompter {
  return {
    canPrompt,
    async input(message, flag, options = {}) {
      if (!canPrompt) throw noTerminal(flag, what());
      const { input } = await import('@inquirer/prompts');
      // blanks are no answer either (inquirer's `required` took "   ", and the name check failed after the prompts)
      return input({
        message: terminalSafe(message),
        default: options.default,
        validate: answerCheck(options.required ?? false),
      });
    },
    async confirm(message, flag, defaultAnswer = false) {
      if (!canPrompt) throw noTerminal(flag, what());
      const { confirm } = await import('@inquirer/prompts');
      return confirm({ message: terminalSafe(message), default: defaultAnswer });
    },
    async select(message, flag, choices, defaultValue) {
      if (!canPrompt) throw noTerminal(flag, what());
      const { select } = await import('@inquirer/prompts');
      return select({ message: terminalSafe(message), choices, default: defaultValue, pageSize: 15 });
    },
  };
}
