/**
 * The import summary for stderr (what happened to the rows, the first rejections), and the one
 * sentence that makes an import with rejected rows exit 4. For profiles and for `--sales`.
 */
import { InterruptedError, RejectedInputError } from '../errors.js';
import type { ImportFileReport } from '../app/import-file.js';

/** A sales import's report reads "recorded" and "already recorded" and may list ignored columns. */
type Report = ImportFileReport & { sales?: boolean; ignoredColumns?: string[] };

export function formatImportReport(r: Report): string[] {
  const lines: string[] = [];
  const rate = r.seconds > 0 ? Math.round(r.rows / r.seconds) : r.rows;
  const head = [
    `${r.file}: ${r.rows.toLocaleString('en')} row${r.rows === 1 ? '' : 's'}`,
    r.encoding ? `${r.encoding}${r.guessed ? ' (guessed)' : ''}` : null,
    r.delimiter ? `delimiter ${r.delimiter === '\t' ? 'tab' : `'${r.delimiter}'`}` : null,
    `key ${r.key}`,
  ].filter(Boolean).join(', ');
  lines.push(head);
  // a dry run, or --atomic with rejected rows: nothing was written, the counts are what would have been
  const would = r.dryRun || r.rolledBack === true;
  const counts = r.sales
    ? `${would ? 'would record' : 'recorded'} ${r.inserted} sale${r.inserted === 1 ? '' : 's'}, ${r.unchanged} already recorded, rejected ${r.rejected}`
    : `${would ? 'would insert' : 'inserted'} ${r.inserted}, ${would ? 'would update' : 'updated'} ${r.updated}, unchanged ${r.unchanged}, skipped ${r.skipped}, rejected ${r.rejected}` +
      (r.companiesCreated > 0 ? ` (${r.companiesCreated} ${r.companiesCreated === 1 ? 'company' : 'companies'} created for key contacts)` : '');
  lines.push(`${counts} in ${r.seconds.toFixed(2)} s (${rate.toLocaleString('en')} rows/s)${r.dryRun ? '; dry run, nothing was written' : ''}.`);
  if (r.ignoredColumns && r.ignoredColumns.length > 0) lines.push(`  ignored columns: ${r.ignoredColumns.join(', ')}`);
  if (r.repeated > 0) {
    const rows = `${r.repeated} row${r.repeated === 1 ? ' repeats' : 's repeat'} the ${r.key} of an earlier row`;
    lines.push(r.onConflict === 'update' || r.onConflict === undefined
      ? `  ${rows}: applied in file order, the later row wins (where they differ, every import of the file changes the profile twice).`
      : `  ${rows}: ${r.onConflict === 'skip' ? 'skipped' : 'rejected'} (--on-conflict ${r.onConflict}).`);
  }
  for (const rej of r.rejections) lines.push(`  line ${rej.line}: ${rej.reason}`);
  if (r.rejected > r.rejections.length) lines.push(`  … and ${r.rejected - r.rejections.length} more`);
  return lines;
}

/** Exit 4 for an import that stopped or rejected rows; null when every row went in. */
export function importFailure(r: Report, atomic: boolean): RejectedInputError | null {
  if (r.stopped) return r.interrupted ? new InterruptedError(r.stopped) : new RejectedInputError(r.stopped);
  if (r.rejected === 0) return null;
  return new RejectedInputError(
    `${r.rejected} row${r.rejected === 1 ? ' was' : 's were'} rejected${r.rejectsPath ? ` and written to ${r.rejectsPath}` : '; pass --rejects FILE to keep them for fixing'}${atomic ? '; with --atomic nothing was imported' : ''}.`,
  );
}
