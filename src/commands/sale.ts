/**
 * `custfile sale REF AMOUNT [--date D] [--item TEXT]`, `custfile sales [REF] [--since D] [--limit N]`,
 * and the run of `custfile import FILE --sales` (import.ts dispatches here).
 */
import type { Command } from 'commander';
import { UsageError } from '../errors.js';
import { progressLine } from '../ui/progress.js';
import { type ImportFlags, inputFormat, printImportReport } from './import.js';
import { type Deps, type Session, action, examples, parsePositiveInt } from './shared.js';

export function registerSale(program: Command, deps: Deps): void {
  program
    .command('sale')
    .description("record a transaction: what a customer bought, when, for how much (a negative amount is a refund); it updates the profile's sales_total, sales_count and last_sale")
    .argument('<ref>', 'id, external id, e-mail or unambiguous name')
    .argument('<amount>', 'exact decimal: 1499.90, 1.499,90, or -20 for a refund')
    .option('--date <date>', 'when (YYYY-MM-DD, or -3d); default today; not in the future')
    .option('--item <text>', 'what was sold')
    .addHelpText('after', examples(
      'custfile sale "Elbwerk GmbH" 1499.90 --item "Service contract 2026"',
      'custfile sale anna@example.org 89,00 --date 2026-11-20 --item "Gift voucher"',
      'custfile sale 12 -89.00 --item "Refund: gift voucher"',
      'custfile --format json sale 12 250',
    ))
    .action(action(deps, async (session, ref: string, amount: string, opts: { date?: string; item?: string }) => {
      const ctx = await session.context(true);
      const { recordSale } = await import('../app/sales.js');
      const { formatCents } = await import('../domain/values.js');
      const { sale, summary } = recordSale(ctx, { ref, amount, date: opts.date, item: opts.item });
      if (session.globals.format === 'json' || session.globals.format === 'ndjson') {
        const { saleJson } = await import('../ui/views.js');
        await session.out.write(`${JSON.stringify(saleJson(sale))}\n`);
        await session.out.flush();
      }
      session.say(
        `Recorded ${formatCents(sale.amount_cents)} on ${sale.date} for #${sale.profile_id} ${sale.profile_name ?? ''}; ` +
          `its sales: ${summary.sales_count} totalling ${formatCents(summary.sales_total_cents)}, last ${summary.last_sale ?? '-'}.`,
      );
    }));

  program
    .command('sales')
    .description("transactions, newest first: one profile's, or everyone's (a table on a terminal, CSV when piped)")
    .argument('[ref]', 'id, external id, e-mail or unambiguous name')
    .option('--since <date>', 'sales on or after a date, or within a span: 30d, 6m, 1y')
    .option('--limit <n>', 'at most N sales', parsePositiveInt('--limit'))
    .addHelpText('after', examples(
      'custfile sales "Elbwerk GmbH"',
      'custfile sales --since 30d',
      'custfile sales --since 2026-01-01 --format json | jq "map(.amount) | add"',
      'custfile sales --format csv > sales.csv   # import again with: custfile import sales.csv --sales --key id',
    ))
    .action(action(deps, async (session, ref: string | undefined, opts: { since?: string; limit?: number }) => {
      const format = session.format('csv');
      const ctx = await session.context(false);
      const { listSales } = await import('../app/sales.js');
      const { renderList } = await import('../ui/render.js');
      const rows = listSales(ctx, { ref, since: opts.since, limit: opts.limit });
      const { saleListView } = await import('../ui/views.js');
      await renderList(rows, saleListView(), format, session.out, { color: session.color, emptyMessage: 'No sales recorded.' });
    }));
}

/** `custfile import FILE --sales`: the same report, rejects and exit codes as the profile import. */
export async function importSalesCommand(session: Session, file: string, flags: ImportFlags): Promise<void> {
  if (flags.onConflict !== undefined && flags.onConflict !== 'update') {
    throw new UsageError('--on-conflict does not apply to --sales: a sale already recorded is left as it is.');
  }
  const { historySource } = await import('../app/import-file.js');
  const { importSalesFile } = await import('../app/import-sales.js');
  const { parseMapSpec } = await import('../domain/import-mapping.js');
  const ctx = await session.context(flags.dryRun !== true, { source: historySource(file) });
  const progress = progressLine(session.deps.stderr, session.quiet);
  const report = await importSalesFile(ctx, {
    file,
    format: inputFormat(session, flags),
    key: flags.key,
    map: flags.map ? parseMapSpec(flags.map) : undefined,
    dateFormat: flags.dateFormat,
    dryRun: flags.dryRun === true,
    atomic: flags.atomic === true,
    rejectsPath: flags.rejects,
    delimiter: flags.delimiter,
    encoding: flags.encoding,
    sheet: flags.sheet,
    onProgress: progress.update,
  });
  progress.done();
  await printImportReport(session, report, flags.atomic === true);
}
