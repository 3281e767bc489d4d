/** custfile's version (`--version`); import fingerprints depend on it (app/import-profiles.ts `settleMapping`). */
export const VERSION = '0.1.0';
