/** The import summary for stderr: what happened to the rows, and the first rejections. */
import type { ImportFileReport } from '../app/import-file.js';

export function formatImportReport(r: ImportFileReport): string[] {
  const lines: string[] = [];
  const rate = r.seconds > 0 ? Math.round(r.rows / r.seconds) : r.rows;
  const head = [
    `${r.file}: ${r.rows.toLocaleString('en')} rows`,
    r.encoding ? `${r.encoding}${r.guessed ? ' (guessed)' : ''}` : null,
    r.delimiter ? `delimiter ${r.delimiter === '\t' ? 'tab' : `'${r.delimiter}'`}` : null,
    `key ${r.key}`,
  ].filter(Boolean).join(', ');
  lines.push(head);
  lines.push(
    `${r.dryRun ? 'would insert' : 'inserted'} ${r.inserted}, ${r.dryRun ? 'would update' : 'updated'} ${r.updated}, unchanged ${r.unchanged}, skipped ${r.skipped}, rejected ${r.rejected}` +
      (r.companiesCreated > 0 ? ` (${r.companiesCreated} companies created for key contacts)` : '') +
      ` in ${r.seconds.toFixed(2)} s (${rate.toLocaleString('en')} rows/s)${r.dryRun ? '; dry run, nothing was written' : ''}.`,
  );
  for (const rej of r.rejections) lines.push(`  line ${rej.line}: ${rej.reason}`);
  if (r.rejected > r.rejections.length) lines.push(`  … and ${r.rejected - r.rejections.length} more`);
  return lines;
}
