// How long openCsvSource takes to hand out every row of a CSV file: sniffing, decoding, parsing,
// one await a row as an import reads them. Each run is a fresh process (the first parse of a
// process is what an import pays, JIT warm-up included), builds interleaved (A B A B …) so that
// load from other processes hits them alike; prints the median and the fastest wall clock and
// the median CPU time (user + system, GC threads included).
//
//   npm run build && node bench/csv-parse-time.mjs FILE [RUNS] DIST [DIST …]
//   node bench/csv-parse-time.mjs bench/out/csv-100k-s20240229-g3.csv 7 /path/to/old/dist dist
//
// A DIST is a `dist` folder from `npm run build`; for an older commit, build it in a worktree
// whose node_modules resolve (a symlink to this checkout's will do). `decode:DIST` times only
// sniffing and decoding the text (sniff.ts), the floor under any parser.
import { execFileSync } from 'node:child_process';
import path from 'node:path';

const [file, runsArg, ...dists] = process.argv.slice(2);

if (process.env.CSV_PARSE_TIME_CHILD) {
  const decodeOnly = dists[0].startsWith('decode:');
  const dist = path.resolve(dists[0].replace(/^decode:/, ''));
  const { openCsvSource } = await import(`${dist}/io/csv-source.js`);
  const { sniffCsv } = await import(`${dist}/io/sniff.js`);
  const { openInput } = await import(`${dist}/io/files.js`);
  const t0 = performance.now();
  const c0 = process.cpuUsage();
  let rows = 0;
  let chars = 0;
  if (decodeOnly) {
    const sniffed = await sniffCsv(openInput(file), {});
    for await (const chunk of sniffed.stream) chars += chunk.length;
  } else {
    const source = await openCsvSource(openInput(file), file, {});
    for await (const row of source.rows) {
      rows++;
      chars += row.raw.length;
    }
  }
  const cpu = process.cpuUsage(c0);
  console.log(JSON.stringify({ rows, chars, wall: performance.now() - t0, cpu: (cpu.user + cpu.system) / 1000 }));
} else {
  if (!file || dists.length === 0) {
    console.error('usage: node bench/csv-parse-time.mjs FILE [RUNS] DIST [DIST …]');
    process.exit(2);
  }
  const runs = Number(runsArg) || 5;
  const results = dists.map(() => []);
  for (let r = 0; r < runs; r++) {
    dists.forEach((dist, k) => {
      const out = execFileSync(process.execPath, [new URL(import.meta.url).pathname, file, '1', dist], {
        env: { ...process.env, CSV_PARSE_TIME_CHILD: '1' },
      });
      results[k].push(JSON.parse(out.toString()));
    });
  }
  const median = (xs) => [...xs].sort((a, b) => a - b)[xs.length >> 1];
  dists.forEach((dist, k) => {
    const res = results[k];
    const wall = res.map((x) => x.wall);
    console.log(
      `${dist}: ${res[0].rows} rows, wall median ${median(wall).toFixed(0)} ms (fastest ${Math.min(...wall).toFixed(0)}), ` +
        `CPU median ${median(res.map((x) => x.cpu)).toFixed(0)} ms; all ${wall.map((w) => w.toFixed(0)).join(' ')}`,
    );
  });
}
