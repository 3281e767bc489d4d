#!/usr/bin/env node
/**
 * `npm run bench`: the speed targets of the issues, measured side by side on this machine.
 *
 * Every figure is the MEDIAN of several whole-process runs (fewer for the slow ones). Ratio
 * targets interleave the two commands (A B A B …) so load from other processes hits both alike,
 * and divide the medians. Data comes from bench/generate.mjs (seeded, cached under bench/out/).
 * A target whose command or tool is missing prints "skipped: <reason>"; a command that fails
 * prints its stderr line and the bench goes on. Results: a table on stdout and
 * bench/out/results.json.
 *
 * Environment:
 *   BENCH_QUICK=1            100k profiles instead of 1M (and 10k instead of 100k)
 *   BENCH_SIZES=big[,small]  explicit sizes, e.g. 200000,20000
 *   BENCH_ONLY=id,id         run only these targets (ids in the table, e.g. help,show,import)
 *   BENCH_RUNS=n             runs per fast figure (default 7; slow figures use fewer)
 *   BENCH_SEED=n             the generator's seed
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { DEFAULT_SEED, OUT_DIR, ROOT, ensureCsv, ensureDatabase, ensureSalesCsv, localToday, setAppRoot } from './generate.mjs';

// ---------------------------------------------------------------------------------------------
// Set-up

const QUICK = process.env.BENCH_QUICK === '1';
const [BIG, SMALL] = (() => {
  if (process.env.BENCH_SIZES) {
    const parts = process.env.BENCH_SIZES.split(',').map((s) => Number(s.trim()));
    const big = parts[0];
    if (!Number.isInteger(big) || big <= 0) throw new Error('BENCH_SIZES must be like 1000000,100000');
    return [big, Number.isInteger(parts[1]) && parts[1] > 0 ? parts[1] : Math.max(1, Math.round(big / 10))];
  }
  return QUICK ? [100_000, 10_000] : [1_000_000, 100_000];
})();
const SEED = process.env.BENCH_SEED ? Number(process.env.BENCH_SEED) : DEFAULT_SEED;
const RUNS = process.env.BENCH_RUNS ? Math.max(1, Number(process.env.BENCH_RUNS)) : 7;
/** Pairs for the start-up ratios: each run is ~0.1 s and 2 cores are noisy, so take more. */
const PAIRS = process.env.BENCH_RUNS ? RUNS : 15;
const ONLY = process.env.BENCH_ONLY ? new Set(process.env.BENCH_ONLY.split(',').map((s) => s.trim())) : null;
const ANCHOR = localToday();
const CORES = os.availableParallelism();
const NODE = process.execPath;
// per process: two benches at once (or a bench and a test run) must not share scratch files
const WORK = path.join(OUT_DIR, `work-${process.pid}`);
const label = (n) => (n % 1_000_000 === 0 ? `${n / 1_000_000}M` : n % 1000 === 0 ? `${n / 1000}k` : String(n));

fs.mkdirSync(OUT_DIR, { recursive: true });
fs.rmSync(WORK, { recursive: true, force: true });
fs.mkdirSync(WORK, { recursive: true });
const DEVNULL = fs.openSync('/dev/null', 'w');
process.on('exit', () => fs.rmSync(WORK, { recursive: true, force: true }));

/**
 * The build under test, copied once: other people rebuilding dist/ during a 15-minute run
 * (build.mjs empties dist/cli/ first) must not make a command fail or change mid-run.
 * node_modules is linked, not copied.
 */
function snapshotBuild() {
  const app = path.join(WORK, 'app');
  fs.mkdirSync(app, { recursive: true });
  fs.cpSync(path.join(ROOT, 'dist'), path.join(app, 'dist'), { recursive: true });
  fs.cpSync(path.join(ROOT, 'bin'), path.join(app, 'bin'), { recursive: true });
  fs.copyFileSync(path.join(ROOT, 'package.json'), path.join(app, 'package.json'));
  fs.symlinkSync(path.join(ROOT, 'node_modules'), path.join(app, 'node_modules'), 'dir');
  return app;
}
const APP = fs.existsSync(path.join(ROOT, 'dist')) ? snapshotBuild() : ROOT;
setAppRoot(APP);
const BIN = path.join(APP, 'bin/custfile');
process.on('SIGINT', () => process.exit(130));

const ENV = { ...process.env, NO_COLOR: '1', XDG_DATA_HOME: path.join(WORK, 'xdg'), CUSTFILE_DEBUG: '' };
delete ENV.CUSTFILE_DB;
delete ENV.FORCE_COLOR;

const log = (s) => process.stderr.write(`${s}\n`);
const which = (tool) => spawnSync('sh', ['-c', `command -v ${tool}`], { encoding: 'utf8' }).status === 0;

// ---------------------------------------------------------------------------------------------
// Running and timing

const TIME_BIN = fs.existsSync('/usr/bin/time') && spawnSync('/usr/bin/time', ['-v', 'true']).status === 0 ? '/usr/bin/time' : null;
const MEM_FILE = path.join(WORK, 'time-v.txt');

/**
 * Runs one process and times it (wall clock around spawn and wait). `out` is 'null' (stdout to
 * /dev/null) or 'pipe'. With `mem`, runs it under `/usr/bin/time -v` and reads "Maximum resident
 * set size". Returns { ms, code, stderr, stdout, rssKiB }.
 */
function run(argv, { out = 'null', mem = false, cwd = WORK, input } = {}) {
  let cmd = argv[0];
  let args = argv.slice(1);
  if (mem && TIME_BIN) {
    fs.rmSync(MEM_FILE, { force: true });
    args = ['-v', '-o', MEM_FILE, cmd, ...args];
    cmd = TIME_BIN;
  }
  const t0 = process.hrtime.bigint();
  const r = spawnSync(cmd, args, {
    cwd,
    env: ENV,
    stdio: [input === undefined ? 'ignore' : 'pipe', out === 'null' ? DEVNULL : 'pipe', 'pipe'],
    input,
    maxBuffer: 1 << 30,
    encoding: 'utf8',
  });
  const ms = Number(process.hrtime.bigint() - t0) / 1e6;
  let rssKiB = null;
  if (mem && TIME_BIN) {
    const m = /Maximum resident set size \(kbytes\): (\d+)/.exec(fs.existsSync(MEM_FILE) ? fs.readFileSync(MEM_FILE, 'utf8') : '');
    if (m) rssKiB = Number(m[1]);
  }
  if (r.error) return { ms, code: -1, stderr: String(r.error.message), stdout: '', rssKiB };
  return { ms, code: r.status ?? -1, stderr: r.stderr ?? '', stdout: r.stdout ?? '', rssKiB };
}

const custfile = (db, ...args) => (db ? [NODE, BIN, '--db', db, ...args] : [NODE, BIN, ...args]);

class CommandFailed extends Error {}

/** The line of stderr that says what went wrong: custfile's own sentence, else an Error line. */
function firstLine(text) {
  const lines = text
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l && !l.startsWith('Command being timed'));
  return lines.find((l) => l.startsWith('custfile:')) ?? lines.find((l) => /^(\w*Error|Error)\b/.test(l)) ?? lines[0] ?? '(no message)';
}

/** Runs `make(i)` → argv and checks the exit code; throws CommandFailed with the stderr line. */
function runChecked(make, i, opts = {}) {
  const argv = make(i);
  opts.before?.(i);
  const r = run(argv, opts);
  const ok = opts.okCodes ?? [0];
  if (!ok.includes(r.code)) {
    // the command as a user would type it: no node, no bin path, no --db path
    const words = argv[0] === NODE && argv[1] === BIN ? ['custfile', ...argv.slice(argv[2] === '--db' ? 4 : 2)] : argv;
    const shown = words.map((a) => (a.startsWith(WORK) ? path.relative(WORK, a) : a.startsWith(ROOT) ? path.relative(ROOT, a) : a)).join(' ');
    throw new CommandFailed(`\`${shown}\` exited ${r.code}: ${firstLine(r.stderr)}`);
  }
  opts.after?.(i, r);
  return r;
}

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};

/**
 * Times one command: `warmup` unmeasured runs, then up to `runs` runs, stopping early (after at
 * least one) once `budgetMs` is spent. Returns { median, runs: [ms], results }.
 */
function measure(make, { runs = RUNS, warmup = 1, budgetMs = 60_000, ...opts } = {}) {
  for (let i = 0; i < warmup; i++) runChecked(make, -1 - i, opts);
  const times = [];
  const results = [];
  const start = Date.now();
  for (let i = 0; i < runs; i++) {
    const r = runChecked(make, i, opts);
    times.push(r.ms);
    results.push(r);
    if (Date.now() - start > budgetMs) break;
  }
  return { median: median(times), runs: times, results };
}

/** Times two commands interleaved, A B A B …; returns both measurements. */
function measurePair(makeA, makeB, { runs = RUNS, warmup = 1, budgetMs = 60_000, optsA = {}, optsB = {} } = {}) {
  for (let i = 0; i < warmup; i++) {
    runChecked(makeA, -1 - i, optsA);
    runChecked(makeB, -1 - i, optsB);
  }
  const a = { runs: [], results: [] };
  const b = { runs: [], results: [] };
  const start = Date.now();
  for (let i = 0; i < runs; i++) {
    const ra = runChecked(makeA, i, optsA);
    const rb = runChecked(makeB, i, optsB);
    a.runs.push(ra.ms);
    a.results.push(ra);
    b.runs.push(rb.ms);
    b.results.push(rb);
    if (Date.now() - start > budgetMs) break;
  }
  a.median = median(a.runs);
  b.median = median(b.runs);
  return { a, b };
}

// ---------------------------------------------------------------------------------------------
// What exists

const helpCache = new Map();
/** The `--help` text of a command, or null when custfile does not know it (exit code ≠ 0). */
function helpOf(cmd) {
  if (!helpCache.has(cmd)) {
    const r = run(custfile(null, ...cmd.split(' '), '--help'), { out: 'pipe' });
    helpCache.set(cmd, r.code === 0 ? r.stdout : null);
  }
  return helpCache.get(cmd);
}
/** null when `cmd` exists (and has every flag), else the reason to skip. */
function missing(cmd, ...flags) {
  const help = helpOf(cmd);
  if (help === null) return `\`custfile ${cmd}\` does not exist yet`;
  for (const f of flags) if (!help.includes(f)) return `\`custfile ${cmd}\` has no ${f} yet`;
  return null;
}

let sqlite3State;
/** null when the sqlite3 CLI is there (installed with apt-get when missing and possible). */
function sqlite3Missing() {
  if (sqlite3State === undefined) {
    if (!which('sqlite3') && which('apt-get')) {
      log('sqlite3 CLI missing; trying apt-get install -y sqlite3 …');
      spawnSync('sh', ['-c', 'apt-get install -y sqlite3 >/dev/null 2>&1 || (apt-get update >/dev/null 2>&1 && apt-get install -y sqlite3 >/dev/null 2>&1)']);
    }
    sqlite3State = which('sqlite3') ? null : 'the sqlite3 CLI is not installed (apt-get install sqlite3)';
  }
  return sqlite3State;
}
const timeMissing = () => (TIME_BIN ? null : '/usr/bin/time is not installed (apt-get install time)');

// ---------------------------------------------------------------------------------------------
// Data, made on first use

const memo = (f) => {
  let v;
  let done = false;
  return async () => {
    if (!done) {
      v = await f();
      done = true;
    }
    return v;
  };
};
const progress = (s) => log(`  … ${s}`);
const bigDb = memo(() => ensureDatabase(BIG, SEED, ANCHOR, progress));
/** The xlsx target is stated for 100k rows: that size whatever BENCH_SIZES says (at most BIG). */
const XLSX_N = Math.min(100_000, BIG);
const xlsxDb = memo(() => ensureDatabase(XLSX_N, SEED, ANCHOR, progress));
/** khard's comparison is stated for 10k people. */
const khardDb = memo(() => ensureDatabase(Math.min(10_000, BIG), SEED, ANCHOR, progress));
const bigCsv = memo(() => ensureCsv(BIG, SEED, progress));
const smallCsv = memo(() => ensureCsv(SMALL, SEED, progress));
const salesCsv = memo(() => ensureSalesCsv(BIG, BIG, SEED, progress));

function copyDb(from, to) {
  for (const f of [to, `${to}-wal`, `${to}-shm`]) fs.rmSync(f, { force: true });
  fs.copyFileSync(from, to);
  for (const ext of ['-wal', '-shm']) if (fs.existsSync(from + ext)) fs.copyFileSync(from + ext, to + ext);
}
const freshFile = (f) => {
  for (const x of [f, `${f}-wal`, `${f}-shm`, `${f}-journal`]) fs.rmSync(x, { force: true });
};
const workCopy = memo(async () => {
  const { path: src } = await bigDb();
  const dst = path.join(WORK, `write-${label(BIG)}.db`);
  copyDb(src, dst);
  return dst;
});

/** The three-condition `--where` of issue 5 and the same query as plain SQL for sqlite3. */
const WHERE = {
  expr: "industry = 'Maschinenbau' and revenue >= 1000000 and revenue <= 50000000 and tag = 'key-account'",
  sql: `SELECT p.* FROM profiles p WHERE p.industry = 'Maschinenbau' COLLATE NOCASE
    AND p.revenue_cents >= 100000000 AND p.revenue_cents <= 5000000000
    AND EXISTS (SELECT 1 FROM profile_tags t WHERE t.profile_id = p.id AND t.tag = 'key-account')
    ORDER BY p.id`,
};
const LIST_CITY = 'Dresden';

// ---------------------------------------------------------------------------------------------
// Targets

const results = [];
const shared = { profileImportRowsPerSec: null };
const fmtMs = (ms) => (ms >= 10_000 ? `${(ms / 1000).toFixed(1)} s` : ms >= 1000 ? `${(ms / 1000).toFixed(2)} s` : `${ms.toFixed(0)} ms`);
const fmtMiB = (kib) => `${(kib / 1024).toFixed(0)} MiB`;
const fmtRate = (r) => `${Math.round(r).toLocaleString('en-US')} rows/s`;

function record(t, fig) {
  const entry = { id: fig.id ?? t.id, issue: t.issue, title: fig.title ?? t.title, ...fig };
  results.push(entry);
  const mark = entry.status === 'PASS' ? 'PASS' : entry.status === 'FAIL' ? 'FAIL' : entry.status;
  log(`  ${mark.padEnd(5)} ${entry.title}: ${entry.shown ?? ''}${entry.reason ? entry.reason : ''}`);
}

/** A ratio figure: A's median over B's median, at most `limit`. */
function ratioFigure(id, title, pair, limit, bName, extra = {}) {
  const ratio = pair.a.median / pair.b.median;
  return {
    id,
    title,
    status: ratio <= limit ? 'PASS' : 'FAIL',
    value_ms: pair.a.median,
    baseline_ms: pair.b.median,
    baseline: bName,
    ratio,
    limit: `≤ ${limit}×`,
    runs_ms: pair.a.runs,
    baseline_runs_ms: pair.b.runs,
    shown: `${fmtMs(pair.a.median)} vs ${fmtMs(pair.b.median)} → ${ratio.toFixed(2)}×`,
    ...extra,
  };
}
function absFigure(id, title, m, limitMs, extra = {}) {
  return {
    id,
    title,
    status: m.median < limitMs ? 'PASS' : 'FAIL',
    value_ms: m.median,
    limit: `< ${fmtMs(limitMs)}`,
    runs_ms: m.runs,
    shown: fmtMs(m.median),
    ...extra,
  };
}

const NODE_E0 = () => [NODE, '-e', '0'];
let baseline = null;

const TARGETS = [
  // ----- issue 2: the core
  {
    id: 'help',
    issue: 2,
    title: 'custfile --help vs node -e 0',
    async run(t) {
      const pair = measurePair(() => custfile(null, '--help'), NODE_E0, { runs: PAIRS, warmup: 2 });
      record(t, ratioFigure(t.id, t.title, pair, 1.4, 'node -e 0'));
    },
  },
  {
    id: 'show',
    issue: 2,
    title: `custfile show REF on ${label(BIG)} vs node -e 0`,
    skip: () => missing('show'),
    async run(t) {
      const { path: db, meta } = await bigDb();
      const ref = meta.refs.company.external_id;
      const pair = measurePair(() => custfile(db, 'show', ref), NODE_E0, { runs: PAIRS, warmup: 2 });
      record(t, ratioFigure(t.id, t.title, pair, 1.7, 'node -e 0', { command: `custfile show ${ref}` }));
    },
  },
  {
    id: 'list-city',
    issue: 2,
    title: `custfile list --limit 20 --city ${LIST_CITY} on ${label(BIG)} vs node -e 0`,
    skip: () => missing('list'),
    async run(t) {
      const { path: db } = await bigDb();
      const pair = measurePair(() => custfile(db, 'list', '--limit', '20', '--city', LIST_CITY), NODE_E0, { runs: PAIRS, warmup: 2 });
      record(t, ratioFigure(t.id, t.title, pair, 2, 'node -e 0'));
    },
  },
  {
    id: 'add',
    issue: 2,
    title: `custfile add person on ${label(BIG)} vs node -e 0`,
    skip: () => missing('add person'),
    async run(t) {
      const db = await workCopy();
      const stamp = Date.now().toString(36);
      const pair = measurePair(
        (i) => custfile(db, 'add', 'person', '--first-name', 'Bänch', '--last-name', `Nutzer ${stamp}${i + 2}`, '--email', `bench.${stamp}.${i + 2}@example.org`, '--city', 'Görlitz', '--postcode', '02826'),
        NODE_E0,
        { runs: PAIRS, warmup: 2 },
      );
      record(t, ratioFigure(t.id, t.title, pair, 2, 'node -e 0'));
    },
  },
  {
    id: 'update',
    issue: 2,
    title: `custfile update REF --set city=… on ${label(BIG)} vs node -e 0`,
    skip: () => missing('update'),
    async run(t) {
      const db = await workCopy();
      const { meta } = await bigDb();
      const ref = meta.refs.person.external_id;
      // alternate the value, so every run really changes the field (and writes history)
      const pair = measurePair((i) => custfile(db, 'update', ref, '--set', `city=${i % 2 ? 'Leipzig' : 'Görlitz'}`), NODE_E0, { runs: PAIRS, warmup: 2 });
      record(t, ratioFigure(t.id, t.title, pair, 2, 'node -e 0', { command: `custfile update ${ref} --set city=…` }));
    },
  },

  // ----- issue 4: birthdays and reminders
  {
    id: 'birthdays-today',
    issue: 4,
    title: `custfile birthdays --within 0d on ${label(BIG)} vs node -e 0`,
    skip: () => missing('birthdays', '--within'),
    async run(t) {
      const { path: db } = await bigDb();
      const pair = measurePair(() => custfile(db, 'birthdays', '--within', '0d'), NODE_E0, { runs: PAIRS, warmup: 2 });
      const rows = run(custfile(db, 'birthdays', '--within', '0d', '--format', 'ndjson'), { out: 'pipe' }).stdout.split('\n').filter(Boolean).length;
      record(t, ratioFigure(t.id, t.title, pair, 1.7, 'node -e 0', { rows }));
    },
  },
  {
    id: 'birthdays-14d',
    issue: 4,
    title: `custfile birthdays --within 14d --format ndjson on ${label(BIG)}`,
    skip: () => missing('birthdays', '--within'),
    async run(t) {
      const { path: db } = await bigDb();
      const m = measure(() => custfile(db, 'birthdays', '--within', '14d', '--format', 'ndjson'), { warmup: 1 });
      const rows = run(custfile(db, 'birthdays', '--within', '14d', '--format', 'ndjson'), { out: 'pipe' }).stdout.split('\n').filter(Boolean).length;
      record(t, absFigure(t.id, t.title, m, 500, { rows, shown: `${fmtMs(m.median)} (${rows} rows)` }));
    },
  },
  {
    id: 'remind',
    issue: 4,
    title: `custfile remind --within 7d on ${label(BIG)}`,
    skip: () => missing('remind', '--within'),
    async run(t) {
      const { path: db } = await bigDb();
      const m = measure(() => custfile(db, 'remind', '--within', '7d'), { warmup: 1 });
      const lines = run(custfile(db, 'remind', '--within', '7d'), { out: 'pipe' }).stdout.split('\n').length - 1;
      record(t, absFigure(t.id, t.title, m, 500, { output_lines: lines, shown: `${fmtMs(m.median)} (${lines} lines)` }));
    },
  },
  {
    id: 'khard',
    issue: 4,
    title: 'birthdays on 10k profiles vs khard birthdays (≥ 30× faster)',
    skip: () => missing('birthdays', '--within') ?? (which('khard') ? null : 'khard is not installed (apt-get install khard)'),
    async run(t) {
      const { path: db } = await khardDb();
      // the same people as vCards, one file each, as khard keeps an address book
      const dir = path.join(WORK, 'khard');
      const book = path.join(dir, 'book');
      fs.mkdirSync(book, { recursive: true });
      const vcf = run(custfile(db, 'export', '--format', 'vcf'), { out: 'pipe' }).stdout;
      const cards = vcf.split(/(?=BEGIN:VCARD)/).filter((c) => c.startsWith('BEGIN:VCARD'));
      cards.forEach((card, i) => fs.writeFileSync(path.join(book, `${i}.vcf`), card));
      const conf = path.join(dir, 'khard.conf');
      fs.writeFileSync(conf, `[addressbooks]\n[[bench]]\npath = ${book}\n\n[general]\ndefault_action = list\neditor = true\nmerge_editor = true\n`);
      const theirs = ['khard', '-c', conf, 'birthdays'];
      const ours = custfile(db, 'birthdays', '--within', '1y');
      const check = run(theirs, { out: 'pipe' });
      if (check.code !== 0) throw new CommandFailed(`khard birthdays exited ${check.code}: ${firstLine(check.stderr)}`);
      const theirRows = check.stdout.split('\n').filter(Boolean).length;
      const ourRows = run(custfile(db, 'birthdays', '--within', '1y', '--format', 'ndjson'), { out: 'pipe' }).stdout.split('\n').filter(Boolean).length;
      const pair = measurePair(() => ours, () => theirs, { runs: 5, warmup: 1 });
      const speedup = pair.b.median / pair.a.median;
      record(t, {
        id: t.id,
        title: t.title,
        status: speedup >= 30 ? 'PASS' : 'FAIL',
        value_ms: pair.a.median,
        baseline_ms: pair.b.median,
        baseline: 'khard birthdays',
        ratio: speedup,
        limit: '≥ 30×',
        runs_ms: pair.a.runs,
        baseline_runs_ms: pair.b.runs,
        cards: cards.length,
        our_rows: ourRows,
        khard_lines: theirRows,
        shown: `${fmtMs(pair.a.median)} vs ${fmtMs(pair.b.median)} → ${speedup.toFixed(1)}× faster (${cards.length} vCards; ${ourRows} birthdays vs ${theirRows} lines)`,
      });
    },
  },

  // ----- issue 3: import and export
  {
    id: 'import',
    issue: 3,
    title: `import of the ${label(BIG)}-row CSV vs sqlite3 .import`,
    skip: () => missing('import') ?? sqlite3Missing(),
    async run(t) {
      const { path: csv } = await bigCsv();
      const ours = path.join(WORK, 'import.db');
      const theirs = path.join(WORK, 'sqlite3-import.db');
      // our import into a fresh file each run; sqlite3's .import into a fresh table of a fresh file
      const pair = measurePair(
        () => custfile(ours, 'import', csv),
        () => ['sqlite3', theirs, '.mode csv', `.import '${csv}' customers`],
        {
          runs: 3,
          warmup: 0,
          budgetMs: 240_000,
          optsA: { before: () => freshFile(ours), mem: true, okCodes: [0, 4] },
          optsB: { before: () => freshFile(theirs), mem: true },
        },
      );
      const ratio = ratioFigure(t.id, t.title, pair, 2.5, 'sqlite3 .import');
      const r0 = pair.a.results[0];
      const rejected = r0.code === 4 ? ` (exit 4: ${firstLine(r0.stderr)})` : '';
      ratio.shown += rejected;
      ratio.stderr_summary = firstLine(r0.stderr);
      record(t, ratio);
      shared.profileImportRowsPerSec = BIG / (pair.a.median / 1000);
      shared.importedDb = ours;
      shared.sqliteImportMs = pair.b.median;
      shared.importRssKiB = Math.max(...pair.a.results.map((r) => r.rssKiB ?? 0)) || null;
      record(t, {
        id: 'import-rate',
        title: `import of ${label(BIG)} rows: rate`,
        status: 'INFO',
        value: shared.profileImportRowsPerSec,
        shown: fmtRate(shared.profileImportRowsPerSec),
      });

      // re-import of the same unchanged file into the file just imported
      try {
        const re = measure(() => custfile(ours, 'import', csv), { runs: 3, warmup: 0, budgetMs: 180_000, okCodes: [0, 4] });
        const rr = re.median / shared.sqliteImportMs;
        record(t, {
          id: 'reimport',
          title: `re-import of the same ${label(BIG)} CSV vs sqlite3 .import`,
          status: rr <= 2 ? 'PASS' : 'FAIL',
          value_ms: re.median,
          baseline_ms: shared.sqliteImportMs,
          baseline: 'sqlite3 .import',
          ratio: rr,
          limit: '≤ 2×',
          runs_ms: re.runs,
          stderr_summary: firstLine(re.results[0].stderr),
          shown: `${fmtMs(re.median)} vs ${fmtMs(shared.sqliteImportMs)} → ${rr.toFixed(2)}×`,
        });
      } catch (err) {
        record(t, { id: 'reimport', title: `re-import of the same ${label(BIG)} CSV`, status: 'ERROR', reason: err.message });
      }

      // peak memory, and its growth from the small to the big file
      if (timeMissing()) {
        record(t, { id: 'import-mem', title: 'import peak memory', status: 'SKIP', reason: `skipped: ${timeMissing()}` });
        return;
      }
      const rss = shared.importRssKiB;
      record(t, {
        id: 'import-mem',
        title: `import of ${label(BIG)} rows: peak memory`,
        status: rss !== null && rss <= 200 * 1024 ? 'PASS' : 'FAIL',
        value_kib: rss,
        limit: '≤ 200 MiB',
        shown: rss === null ? 'not measured' : fmtMiB(rss),
      });
      const { path: small } = await smallCsv();
      const smallDbFile = path.join(WORK, 'import-small.db');
      const s = measure(() => custfile(smallDbFile, 'import', small), { runs: 1, warmup: 0, before: () => freshFile(smallDbFile), mem: true, okCodes: [0, 4] });
      const smallRss = s.results[0].rssKiB;
      const growth = rss && smallRss ? rss / smallRss : null;
      record(t, {
        id: 'import-mem-flat',
        title: `import peak memory ${label(BIG)} vs ${label(SMALL)}`,
        status: growth !== null && growth <= 1.25 ? 'PASS' : 'FAIL',
        value_kib: rss,
        baseline_kib: smallRss,
        ratio: growth,
        limit: '≤ 1.25×',
        shown: `${fmtMiB(rss ?? 0)} vs ${fmtMiB(smallRss ?? 0)} → ${growth === null ? '?' : growth.toFixed(2)}×`,
      });
    },
  },
  {
    id: 'export-csv',
    issue: 3,
    title: `export --format csv of ${label(BIG)} vs sqlite3 .once`,
    skip: () => missing('export') ?? sqlite3Missing(),
    async run(t) {
      const { path: db } = await bigDb();
      const ours = path.join(WORK, 'export.csv');
      const theirs = path.join(WORK, 'sqlite3-export.csv');
      const pair = measurePair(
        () => custfile(db, 'export', '--format', 'csv', '--out', ours),
        () => ['sqlite3', '-header', '-csv', db, `.once '${theirs}'`, 'SELECT * FROM profiles'],
        { runs: 3, warmup: 0, budgetMs: 120_000 },
      );
      const bytes = fs.existsSync(ours) ? fs.statSync(ours).size : 0;
      fs.rmSync(ours, { force: true });
      fs.rmSync(theirs, { force: true });
      record(t, ratioFigure(t.id, t.title, pair, 2, 'sqlite3 .once', { bytes }));
    },
  },
  {
    id: 'export-xlsx',
    issue: 3,
    title: `export --format xlsx of ${label(XLSX_N)}`,
    skip: () => missing('export', 'xlsx'),
    async run(t) {
      const { path: db } = await xlsxDb();
      const out = path.join(WORK, 'export.xlsx');
      const m = measure(() => custfile(db, 'export', '--format', 'xlsx', '--out', out), { runs: 3, warmup: 0, mem: true, budgetMs: 60_000 });
      fs.rmSync(out, { force: true });
      record(t, absFigure(t.id, t.title, m, 3000));
      const rss = TIME_BIN ? Math.max(...m.results.map((r) => r.rssKiB ?? 0)) : null;
      record(t, {
        id: 'export-xlsx-mem',
        title: `export --format xlsx of ${label(XLSX_N)}: peak memory`,
        status: rss === null ? 'SKIP' : rss < 250 * 1024 ? 'PASS' : 'FAIL',
        value_kib: rss,
        limit: '< 250 MiB',
        shown: rss === null ? '' : fmtMiB(rss),
        reason: rss === null ? `skipped: ${timeMissing()}` : undefined,
      });
    },
  },

  // ----- issue 5: filters, segments, stats, sales
  {
    id: 'where-full',
    issue: 5,
    title: `list --where (3 conditions) --format ndjson on ${label(BIG)}`,
    skip: () => missing('list', '--where'),
    async run(t) {
      const { path: db } = await bigDb();
      const m = measure(() => custfile(db, 'list', '--where', WHERE.expr, '--format', 'ndjson'), { warmup: 1 });
      const rows = run(custfile(db, 'list', '--where', WHERE.expr, '--format', 'ndjson'), { out: 'pipe' }).stdout.split('\n').filter(Boolean).length;
      record(t, absFigure(t.id, t.title, m, 1500, { rows, where: WHERE.expr, shown: `${fmtMs(m.median)} (${rows} rows)` }));
      shared.whereFull = m;
    },
  },
  {
    id: 'where-limit',
    issue: 5,
    title: `list --where (3 conditions) --limit 20 on ${label(BIG)}`,
    skip: () => missing('list', '--where'),
    async run(t) {
      const { path: db } = await bigDb();
      const m = measure(() => custfile(db, 'list', '--where', WHERE.expr, '--format', 'ndjson', '--limit', '20'), { warmup: 1 });
      record(t, absFigure(t.id, t.title, m, 250));
    },
  },
  {
    id: 'where-sqlite3',
    issue: 5,
    title: `list --where --format ndjson vs the same query in sqlite3 -json`,
    skip: () => missing('list', '--where') ?? sqlite3Missing(),
    async run(t) {
      const { path: db } = await bigDb();
      const pair = measurePair(
        () => custfile(db, 'list', '--where', WHERE.expr, '--format', 'ndjson'),
        () => ['sqlite3', '-json', db, WHERE.sql],
        { warmup: 1 },
      );
      const sqlRows = (() => {
        try {
          return JSON.parse(run(['sqlite3', '-json', db, WHERE.sql], { out: 'pipe' }).stdout || '[]').length;
        } catch {
          return null;
        }
      })();
      record(t, ratioFigure(t.id, t.title, pair, 2, 'sqlite3 -json', { sqlite3_rows: sqlRows, sql: WHERE.sql.replace(/\s+/g, ' ') }));
    },
  },
  {
    id: 'stats',
    issue: 5,
    title: `stats --by industry on ${label(BIG)}`,
    skip: () => missing('stats', '--by'),
    async run(t) {
      const { path: db } = await bigDb();
      const m = measure(() => custfile(db, 'stats', '--by', 'industry'), { warmup: 1 });
      record(t, absFigure(t.id, t.title, m, 1000));
    },
  },
  {
    id: 'import-sales',
    issue: 5,
    title: `import --sales of ${label(BIG)} transactions vs the profile import's rate`,
    skip: () => missing('import', '--sales'),
    async run(t) {
      const { path: src } = await bigDb();
      const { path: csv } = await salesCsv();
      const db = path.join(WORK, 'sales.db');
      const m = measure(() => custfile(db, 'import', csv, '--sales', '--key', 'external_id'), {
        runs: 3,
        warmup: 0,
        budgetMs: 180_000,
        okCodes: [0, 4],
        before: () => copyDb(src, db),
      });
      const rate = BIG / (m.median / 1000);
      const base = shared.profileImportRowsPerSec;
      record(t, {
        id: t.id,
        title: t.title,
        status: base === null ? 'INFO' : rate >= base ? 'PASS' : 'FAIL',
        value_ms: m.median,
        value: rate,
        baseline: base === null ? 'profile import not measured' : 'profile import rows/s',
        ratio: base === null ? null : rate / base,
        limit: '≥ 1× profile import rate',
        runs_ms: m.runs,
        stderr_summary: firstLine(m.results[0].stderr),
        shown: `${fmtMs(m.median)} = ${fmtRate(rate)}${base === null ? ' (no profile-import rate to compare)' : ` vs ${fmtRate(base)} → ${(rate / base).toFixed(2)}×`}`,
      });
    },
  },
];

// ---------------------------------------------------------------------------------------------
// Main

function printTable() {
  const rows = [['issue', 'figure', 'measured', 'target', 'result']];
  for (const r of results) {
    rows.push([
      `#${r.issue}`,
      r.title,
      r.status === 'SKIP' || r.status === 'ERROR' ? r.reason ?? '' : r.shown ?? '',
      r.limit ?? '',
      r.status,
    ]);
  }
  const widths = rows[0].map((_, c) => Math.min(c === 2 ? 70 : 80, Math.max(...rows.map((r) => String(r[c]).length))));
  const line = (r) => r.map((cell, c) => String(cell).slice(0, widths[c]).padEnd(widths[c])).join('  ').trimEnd();
  const out = [line(rows[0]), widths.map((w) => '-'.repeat(w)).join('  ')];
  for (const r of rows.slice(1)) out.push(line(r));
  process.stdout.write(`${out.join('\n')}\n`);
}

async function main() {
  const started = Date.now();
  const cpus = os.cpus();
  log(`custfile bench — ${CORES} cores (os.availableParallelism()), ${cpus[0]?.model ?? 'unknown cpu'}, node ${process.version}`);
  log(`sizes: ${label(BIG)} profiles (small: ${label(SMALL)}), seed ${SEED}, runs per fast figure ${RUNS} (median); load average ${os.loadavg().map((l) => l.toFixed(2)).join(" ")}`);
  if (!fs.existsSync(path.join(APP, 'dist/bin.js'))) {
    log('dist/ is missing: run `npm run bench` (it builds first) or `npx tsc -p .`');
    process.exitCode = 1;
    return;
  }
  // the baseline, once on its own (the ratio figures also measure it side by side)
  const b = measure(NODE_E0, { runs: 11, warmup: 2 });
  baseline = b.median;
  log(`baseline: node -e 0 = ${fmtMs(baseline)} (median of ${b.runs.length})`);

  for (const t of TARGETS) {
    if (ONLY && !ONLY.has(t.id)) continue;
    const reason = t.skip?.();
    if (reason) {
      record(t, { status: 'SKIP', reason: `skipped: ${reason}` });
      continue;
    }
    log(`[${t.id}] ${t.title}`);
    try {
      await t.run(t);
    } catch (err) {
      const message = err instanceof CommandFailed ? err.message : `${err?.message ?? err}`;
      log(`  ! ${t.id}: ${message}`);
      if (!(err instanceof CommandFailed) && process.env.BENCH_DEBUG) log(err.stack);
      record(t, { status: 'ERROR', reason: message });
    }
  }


  process.stdout.write(`\ncustfile bench: ${CORES} cores, node ${process.version}, ${label(BIG)} profiles, node -e 0 = ${fmtMs(baseline)}\n\n`);
  printTable();
  const counts = results.reduce((acc, r) => ((acc[r.status] = (acc[r.status] ?? 0) + 1), acc), {});
  process.stdout.write(`\n${Object.entries(counts).map(([k, v]) => `${v} ${k}`).join(', ')} — ${((Date.now() - started) / 1000).toFixed(0)} s\n`);

  const report = {
    date: new Date().toISOString(),
    machine: {
      cores: CORES,
      cpu: cpus[0]?.model ?? null,
      memory_mib: Math.round(os.totalmem() / 1048576),
      loadavg: os.loadavg(),
      platform: `${process.platform} ${os.release()}`,
      node: process.version,
    },
    sizes: { big: BIG, small: SMALL, seed: SEED, anchor: ANCHOR },
    baseline: { command: 'node -e 0', median_ms: baseline, runs_ms: b.runs },
    results,
  };
  // results.json is the latest run; results-<size>.json keeps a quick run from replacing the 1M figures
  for (const name of ['results.json', `results-${label(BIG)}${ONLY ? '-partial' : ''}.json`]) {
    fs.writeFileSync(path.join(OUT_DIR, name), `${JSON.stringify(report, null, 2)}\n`);
  }
  process.stdout.write(`results: ${path.relative(process.cwd(), path.join(OUT_DIR, 'results.json'))}\n`);
  fs.rmSync(WORK, { recursive: true, force: true });
}

await main();
