// Bundles the compiled CLI (dist/bin.js, from tsc) into one CommonJS file, dist/cli/custfile.cjs,
// and trains a V8 code cache for it (dist/cli/custfile.cjs.cache, used by bin/custfile).
//
// A start reads one file instead of resolving ~60 ES modules: `custfile --help` went from ~2× the
// time of `node -e 0` to ~1.4× with the bundle alone. Commands still run lazily: each
// `await import()` of our own code becomes an init function called on first use, and the
// dependencies (SQLite, exceljs, inquirer) load from node_modules only when needed.
//
// bin/custfile compiles the bundle with vm.Script, where a dynamic import() has no loader (it
// would throw), so the bundle has none: chalk (ES-module-only) is bundled, and esbuild turns the
// import() of the other dependencies into require(), which all of them support.
//
// Bundled dependencies are those of the node_modules the build ran with: `prepare` rebuilds on
// every install, so the bundle and better-sqlite3's addon come from the same version.
import { spawnSync } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { build } from 'esbuild';

const pkg = JSON.parse(fs.readFileSync(new URL('./package.json', import.meta.url), 'utf8'));
// commander and better-sqlite3's JavaScript are on every start path (resolving and compiling
// better-sqlite3's 14 files cost ~5 ms), chalk is ES-module-only: bundle them. The rest loads from
// node_modules; so does `bindings`, which better-sqlite3 would use to find its addon, but
// storage/db.ts always hands it the addon (looking in better-sqlite3's folder, not the bundle's).
const BUNDLED = new Set(['commander', 'chalk', 'better-sqlite3']);
const external = [...Object.keys(pkg.dependencies).filter((d) => !BUNDLED.has(d)), 'bindings'];
const OUT = 'dist/cli/custfile.cjs';

/**
 * commander requires child_process at load time, for executable subcommands custfile never uses;
 * loading it pulls in net, dgram and the stream modules (~3 ms on every start). Its `spawn` is
 * looked up when called instead.
 */
const lazyChildProcess = {
  name: 'lazy-child-process',
  setup(b) {
    b.onResolve({ filter: /^(node:)?child_process$/ }, (args) =>
      /[\\/]commander[\\/]/.test(args.importer) ? { path: 'child_process', namespace: 'lazy-child-process' } : undefined);
    b.onLoad({ filter: /.*/, namespace: 'lazy-child-process' }, () => ({
      contents: "module.exports = { spawn: (...args) => require('node:child_process').spawn(...args) };",
      loader: 'js',
    }));
  },
};

fs.rmSync('dist/cli', { recursive: true, force: true });
const result = await build({
  entryPoints: ['dist/bin.js'],
  outfile: OUT,
  bundle: true,
  format: 'cjs',
  platform: 'node',
  target: 'node20',
  external,
  supported: { 'dynamic-import': false },
  plugins: [lazyChildProcess],
  write: false,
  logLevel: 'error',
});
let code = result.outputFiles[0].text;
if (/\bimport\s*\(/.test(code)) throw new Error(`${OUT} still has a dynamic import(), which fails under vm.Script in bin/custfile`);
// ASCII only, so Node reads it into a one-byte string (one non-ASCII character makes the whole
// ~490 KB source a two-byte string of twice the size, and costs a young-generation GC, ~2 ms of
// every start). esbuild escapes strings but leaves comments and regular expressions; a \uXXXX
// escape means the same character in both (and in an identifier).
code = code.replace(/[^\x00-\x7f]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
// the build's id, for bin/custfile to tell this bundle's cache from a stale one
code += `// custfile-build: ${crypto.createHash('sha256').update(code).digest('hex')}\n`;
fs.mkdirSync(path.dirname(OUT), { recursive: true });
fs.writeFileSync(OUT, code);

// a large CSV import parses on a second core, in a worker thread that loads this file (it is
// loaded by `new Worker`, not through bin/custfile's code cache)
await build({
  entryPoints: ['dist/app/import-worker.js'],
  outfile: 'dist/cli/import-worker.cjs',
  bundle: true,
  format: 'cjs',
  platform: 'node',
  target: 'node20',
  external,
  logLevel: 'error',
});

trainCodeCache();

/**
 * Runs the commands a start should be quick for, each adding the functions it compiled to the
 * cache (bin/custfile with CUSTFILE_CODE_CACHE=write), against a scratch file in a temp folder.
 * A cache left out only makes starts slower, so a failure here is a warning.
 */
function trainCodeCache() {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'custfile-build-'));
  const db = path.join(dir, 'train.db');
  const env = { ...process.env, HOME: dir, XDG_DATA_HOME: dir, CUSTFILE_DB: db, CUSTFILE_CODE_CACHE: 'write', NO_COLOR: '1' };
  delete env.CUSTFILE_DEBUG;
  const on = '2026-03-14';
  const where = "industry = 'Maschinenbau' and revenue >= 1000000 and tag = 'key-account'";
  const runs = [
    ['--help'],
    ['add', 'company', '--name', 'Elbwerk GmbH', '--city', 'Dresden', '--postcode', '01067', '--industry', 'Maschinenbau', '--set', 'revenue=3100000', '--tag', 'key-account'],
    ['add', 'contact', '--company', 'Elbwerk GmbH', '--name', 'Jens Koch', '--role', 'CEO', '--birthday', '1976-03-14'],
    ['add', 'person', '--first-name', 'Jürgen', '--last-name', 'Müller', '--email', 'jm@example.org', '--city', 'Görlitz', '--birthday', '--03-14'],
    ['update', '1', '--set', 'city=Leipzig'],
    ['show', '1'],
    ['list', '--limit', '20', '--city', 'Leipzig'],
    ['list', '--where', where, '--format', 'ndjson'],
    ['birthdays', '--within', '0d', '--on', on],
    ['birthdays', '--within', '14d', '--on', on, '--format', 'ndjson'],
  ];
  try {
    for (const args of runs) {
      const r = spawnSync(process.execPath, ['bin/custfile', ...args], { env, cwd: process.cwd(), encoding: 'utf8' });
      if (r.status !== 0) throw new Error(`\`custfile ${args.join(' ')}\` exited ${r.status}: ${r.stderr.trim()}`);
    }
    // the training runs open the database, which sets umask 077
    fs.chmodSync(`${OUT}.cache`, 0o644);
    const check = spawnSync(process.execPath, ['bin/custfile', '--version'], { env: { ...env, CUSTFILE_CODE_CACHE: 'check' }, encoding: 'utf8' });
    if (!check.stderr.includes('code cache accepted')) throw new Error(`the cache is not used: ${check.stderr.trim()}`);
  } catch (err) {
    fs.rmSync(`${OUT}.cache`, { force: true });
    console.warn(`build.mjs: no code cache for ${OUT} (starts will compile it): ${err.message}`);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
