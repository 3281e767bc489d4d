/** `custfile import FILE|- [--format csv|xlsx|vcf] [--key FIELD] [--on-conflict …] …` */
import type { Command } from 'commander';
import { Option } from 'commander';
import { UsageError } from '../errors.js';
import { formatImportReport, importFailure } from '../ui/import-report.js';
import { progressLine } from '../ui/progress.js';
import { type Deps, type Session, action, examples } from './shared.js';

/** The flags of `custfile import`, for profiles and for `--sales` alike. */
export interface ImportFlags {
  format?: string;
  key?: string;
  onConflict?: string;
  map?: string;
  dryRun?: boolean;
  atomic?: boolean;
  rejects?: string;
  delimiter?: string;
  encoding?: string;
  sheet?: string;
  dateFormat?: string;
  sales?: boolean;
}


/** At a terminal: for each column custfile does not know, ask where it goes. */
function unknownColumnsAsker(session: Session) {
  return async (headers: string[]): Promise<Record<string, string>> => {
    const { FIELDS } = await import('../domain/fields.js');
    // company (a contact's employer, found or made by name) and kind are --map targets too
    const fields = FIELDS.filter((f) => f.writable || f.name === 'name' || f.name === 'company' || f.name === 'kind')
      .map((f) => ({ value: f.name, name: `${f.name} — ${f.description}` }));
    const answers: Record<string, string> = {};
    for (const [i, header] of headers.entries()) {
      const rest = headers.length - i;
      const choice = await session.prompter.select(`Column "${header}" goes to:`, '--map', [
        { value: '', name: `custom field "${header}" (keep as is)` },
        ...(rest > 1 ? [{ value: '*', name: `custom fields, this one and the ${rest - 1} after it` }] : []),
        { value: '-', name: 'ignore this column' },
        ...fields,
      ], '');
      if (choice === '*') break;
      if (choice !== '') answers[header] = choice;
    }
    // the same answers without the questions, for the next import of such a file
    const spec = Object.entries(answers).map(([h, f]) => `${h}=${f}`).join(',');
    if (spec !== '') session.say(`The same without questions: --map '${spec.replace(/'/g, "'\\''")}'`);
    return answers;
  };
}

export function registerImport(program: Command, deps: Deps): void {
  program
    .command('import')
    .description('import profiles from CSV (Excel, Outlook, Google), xlsx or vCard; rows are matched on a key, so importing twice changes nothing')
    .argument('<file>', 'the file, or - for stdin')
    .addOption(new Option('--format <format>', 'file format (default: from the extension, else csv)').choices(['csv', 'xlsx', 'vcf']))
    .option('--key <field>', 'match rows to profiles on this field (default: external_id when the file has it, else email)')
    .addOption(new Option('--on-conflict <action>', 'when the key exists').choices(['update', 'skip', 'fail']).default('update'))
    .option('--map <spec>', "column mapping: 'Column=field,Col2=custom.x,Col3=-' (- ignores a column)")
    .option('--dry-run', 'report what would happen, write nothing')
    .option('--atomic', 'import nothing at all when any row is rejected')
    .option('--rejects <file>', 'write rejected rows here, as they were read, to fix and import again')
    .option('--delimiter <char>', 'CSV delimiter (default: detected among , ; tab |)')
    .option('--encoding <name>', 'file encoding (default: detected: BOM, UTF-8, else windows-1252)')
    .option('--sheet <name>', 'xlsx sheet (default: the first)')
    .option('--date-format <format>', 'dates such as DD/MM/YYYY or MM/DD/YYYY, when the file is ambiguous')
    .option('--sales', 'a sheet of transactions (key, date, amount, item) matched to profiles on --key; see custfile sale --help')
    .addHelpText('after', examples(
      'custfile import fixtures/customers.csv',
      'custfile import leads.csv --key email --rejects leads-rejected.csv',
      'custfile import kunden.csv --encoding windows-1252 --date-format DD.MM.YYYY',
      "custfile import export.csv --map 'Kundennr=external_id,Intern=-' --dry-run",
      'custfile import contacts.vcf',
      'custfile import sales-2026.csv --sales --key email --rejects sales-rejected.csv',
    ))
    .action(action(deps, async (session, file: string, flags: ImportFlags) => {
      if (flags.dryRun && flags.atomic) throw new UsageError('--dry-run and --atomic cannot be combined; --dry-run writes nothing anyway.');
      if (flags.sales) return (await import('./sale.js')).importSalesCommand(session, file, flags);
      const { importFile, historySource } = await import('../app/import-file.js');
      const { parseMapSpec } = await import('../domain/import-mapping.js');
      // a dry run writes nothing, so it creates no file either (it reads an empty one)
      const ctx = await session.context(flags.dryRun !== true, { source: historySource(file) });
      const progress = progressLine(session.deps.stderr, session.quiet);
      const report = await importFile(ctx, {
        file,
        format: inputFormat(session, flags),
        key: flags.key,
        onConflict: (flags.onConflict ?? 'update') as 'update' | 'skip' | 'fail',
        map: flags.map ? parseMapSpec(flags.map) : undefined,
        dryRun: flags.dryRun === true,
        atomic: flags.atomic === true,
        rejectsPath: flags.rejects,
        delimiter: flags.delimiter,
        encoding: flags.encoding,
        sheet: flags.sheet,
        dateFormat: flags.dateFormat,
        onProgress: progress.update,
        askUnknown: file !== '-' && session.prompter.canPrompt ? unknownColumnsAsker(session) : undefined,
        workerMinBytes: workerMinBytes(session.deps.env),
      });
      progress.done();
      await printImportReport(session, report, flags.atomic === true);
    }));
}

/** The report of a profile or sales import: JSON on stdout when asked, the summary on stderr, the exit code. */
export async function printImportReport(session: Session, report: Parameters<typeof formatImportReport>[0], atomic: boolean): Promise<void> {
  if (session.globals.format === 'json') {
    await session.out.write(`${JSON.stringify(report, null, 2)}\n`);
    await session.out.flush();
  }
  for (const line of formatImportReport(report)) session.say(line);
  const failure = importFailure(report, atomic);
  if (failure) throw failure;
}

/** CUSTFILE_WORKER_MIN_BYTES moves the size from which a CSV is parsed in a worker (tests use 0). */
function workerMinBytes(env: NodeJS.ProcessEnv): number | undefined {
  const n = Number(env.CUSTFILE_WORKER_MIN_BYTES);
  return env.CUSTFILE_WORKER_MIN_BYTES !== undefined && env.CUSTFILE_WORKER_MIN_BYTES !== '' && Number.isFinite(n) && n >= 0 ? n : undefined;
}

/**
 * The file's format. The program's own --format (the output's) is parsed first and takes the
 * flag wherever it stands, so `import F --format xlsx` arrives there: a file format (csv, xlsx,
 * vcf) given to import is the input's; json, ndjson and table stay the report's.
 */
export function inputFormat(session: Session, flags: ImportFlags): string | undefined {
  const global = session.globals.format;
  return flags.format ?? (global === 'csv' || global === 'xlsx' || global === 'vcf' ? global : undefined);
}
