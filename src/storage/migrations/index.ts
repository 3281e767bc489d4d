import { initial } from './0010-initial.js';
import { birthdayLookup } from './0020-birthday-lookup.js';
import { importFingerprint } from './0030-import-fingerprint.js';
import { retiredIds } from './0040-retired-ids.js';
import { composedText } from './0050-composed-text.js';
import type { Migration } from './runner.js';

/** Every schema step, oldest first. Add new ones at the end, numbered in tens. */
export const MIGRATIONS: readonly Migration[] = [initial, birthdayLookup, importFingerprint, retiredIds, composedText];
