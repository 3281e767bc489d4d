/** `custfile export [FILTERS] [--format csv|xlsx|json|ndjson|vcf|ics] [--out FILE|-] [--excel]` */
import path from 'node:path';
import type { Command } from 'commander';
import { UsageError } from '../errors.js';
import { type Deps, type Session, action, addFilterOptions, examples, filterOptions } from './shared.js';

const EXPORT_FORMATS = ['csv', 'xlsx', 'json', 'ndjson', 'vcf', 'ics'] as const;
type ExportFormat = (typeof EXPORT_FORMATS)[number];

interface ExportFlags {
  out?: string;
  excel?: boolean;
  subject?: string;
  sort?: string;
  leapDay?: string;
  [key: string]: unknown;
}

function exportFormat(session: Session, out: string | undefined): ExportFormat {
  const flag = session.globals.format;
  if (flag !== undefined) {
    if (!(EXPORT_FORMATS as readonly string[]).includes(flag)) throw new UsageError(`--format for export must be one of ${EXPORT_FORMATS.join(', ')}, not "${flag}".`);
    return flag as ExportFormat;
  }
  const ext = out && out !== '-' ? path.extname(out).slice(1).toLowerCase() : '';
  if ((EXPORT_FORMATS as readonly string[]).includes(ext)) return ext as ExportFormat;
  if (ext === 'vcard') return 'vcf';
  if (ext === 'jsonl') return 'ndjson';
  return 'csv';
}

export function registerExport(program: Command, deps: Deps): void {
  const command = program
    .command('export')
    .description('export profiles for mailings, spreadsheets, address books and calendars');
  addFilterOptions(command)
    .option('--out <file>', 'write to this file (default: stdout, also -)')
    .option('--excel', 'CSV that a European Excel opens directly: BOM, ; and CRLF')
    .option('--subject <ref>', "one person's own data with notes, sales and history, as JSON (GDPR Art. 15/20)", (value: string, previous?: string) => {
      // one subject a call: a second one silently won
      if (previous !== undefined) throw new UsageError('--subject names one person; export each with its own call.');
      return value;
    })
    .option('--sort <fields>', 'order of the rows, e.g. name or -revenue')
    .option('--leap-day <rule>', 'ics: 29 February birthdays in common years on feb28 (default) or mar1')
    .addHelpText('after', examples(
      'custfile export --tag newsletter --out mailing.csv --excel',
      'custfile export --kind company --format xlsx --out companies.xlsx',
      'custfile export --format vcf --out contacts.vcf',
      'custfile export --format ics --out birthdays.ics',
      'custfile export --subject anna@example.org --format json --out anna.json',
      "custfile export --where \"lifecycle = 'customer'\" --format ndjson | jq .email",
    ))
    .action(action(deps, async (session, flags: ExportFlags) => {
      const format = exportFormat(session, flags.out);
      const ctx = await session.context(false);
      const { namesStdout } = await import('../io/files.js');
      const toStdout = flags.out === undefined || namesStdout(flags.out);
      if (format === 'xlsx' && toStdout && session.deps.stdout.isTTY) {
        throw new UsageError('an xlsx export to a terminal makes no sense; pass --out FILE.xlsx.');
      }
      const { Output } = await import('../ui/output.js');
      const { openExportFile } = await import('../app/export-profiles.js');
      // written beside the file and put in its place only when whole: a failed export leaves an earlier file as it was
      const file = toStdout ? null : openExportFile(ctx, flags.out!);
      const stream = file === null ? session.deps.stdout : file.stream;
      const out = file === null ? session.out : new Output(stream as never, flags.out);
      /** Writes the export; the number of profiles, or null for a document (subject, calendar). */
      const write = async (): Promise<number | null> => {
        if (flags.subject !== undefined) {
          if (format !== 'json' && format !== 'ndjson') throw new UsageError('--subject exports JSON; pass --format json.');
          const { exportSubject } = await import('../app/export-profiles.js');
          const { subjectJson } = await import('../ui/views.js');
          await out.write(`${JSON.stringify(subjectJson(exportSubject(ctx, flags.subject)), null, format === 'json' ? 2 : undefined)}\n`);
          await out.flush();
          return null;
        }
        const filters = filterOptions(flags);
        if (format === 'ics') {
          const { birthdaysIcs } = await import('../app/export-ics.js');
          const { parseLeapDayRule } = await import('../domain/birthdays.js');
          const leap = flags.leapDay !== undefined ? parseLeapDayRule(flags.leapDay) : undefined;
          await out.write(birthdaysIcs(ctx, filters, leap));
          await out.flush();
          return null;
        }
        const { exportProfiles } = await import('../app/export-profiles.js');
        const data = exportProfiles(ctx, filters, flags.sort);
        // one read snapshot, ended however the writing ends (a row limit, a closed pipe)
        try {
          if (format === 'xlsx') {
            const { checkXlsxRows, writeXlsx } = await import('../io/xlsx-writer.js');
            const { xlsxColumns } = await import('../ui/views.js');
            checkXlsxRows(data.count());
            return await writeXlsx(data.rows, xlsxColumns(data.customKeys), stream as never, toStdout ? 'standard output' : flags.out!);
          }
          if (format === 'vcf') {
            const { profileToVcard } = await import('../io/vcard.js');
            let written = 0;
            for (const p of data.rows) {
              await out.write(profileToVcard(p, data.companyOf(p)));
              written++;
            }
            await out.flush();
            return written;
          }
          const csv = flags.excel ? { bom: true, delimiter: ';', eol: '\r\n' } : {};
          if (format === 'csv') {
            // SQLite writes the lines: the whole file, so the time that matters
            const { renderCsvFromSqlite } = await import('../ui/render.js');
            const { csvColumns } = await import('../ui/records.js');
            return await renderCsvFromSqlite(data.csv(csv.delimiter ?? ',', csv.eol ?? '\n'), csvColumns(data.customKeys), data.byId, out, csv);
          }
          const { renderList } = await import('../ui/render.js');
          const { profileListView } = await import('../ui/views.js');
          return await renderList(data.rows, profileListView(data.customKeys), format, out, { color: false });
        } finally {
          data.close();
        }
      };
      try {
        const written = await write();
        if (file !== null) {
          await file.commit();
          if (written !== null) session.say(`Exported ${written} profile${written === 1 ? '' : 's'} to ${flags.out}.`);
        }
      } finally {
        file?.abort();
      }
    }));
}
