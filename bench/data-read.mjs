#!/usr/bin/env node
/**
 * Data benchmark (issue 3): a 1,000,000-row × 20-column CSV (~140 MB), timed through
 * `tickwork inspect --json` (stream, type, profile, data check) with the peak memory of that
 * process; and — when a Python with pandas is on this machine — `pandas.read_csv` + `describe()`
 * on the same file, with the ratio. Fastest of 3 runs each.
 *
 *   npm run bench:data [-- rows]
 */
import { spawnSync } from 'node:child_process';
import { existsSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const rows = Number(process.argv[2] ?? 1_000_000);
const csv = join(tmpdir(), `tickwork-bench-${rows}.csv`);
if (!existsSync(csv)) {
  console.log(`writing ${csv} …`);
  const made = spawnSync(process.execPath, [join(root, 'bench/make-large-csv.mjs'), csv, String(rows)], { stdio: 'inherit' });
  if (made.status !== 0) process.exit(1);
}
const bytes = statSync(csv).size;
console.log(`file: ${csv}, ${rows.toLocaleString('en-US')} rows × 20 columns, ${(bytes / 2 ** 20).toFixed(0)} MB`);

// The numeric data itself: 17 numeric columns as float64 (the two category columns and the label aside).
const numericBytes = rows * 17 * 8;

function run(cmd, args) {
  const t0 = process.hrtime.bigint();
  const r = spawnSync(cmd, args, { encoding: 'utf8', maxBuffer: 64 * 2 ** 20 });
  const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
  return { ...r, seconds };
}

let best = null;
for (let i = 0; i < 3; i++) {
  const r = run(process.execPath, ['--require', join(root, 'bench/report-rss.cjs'), join(root, 'bin/tickwork.js'), 'inspect', '--data', csv, '--json']);
  if (r.status !== 0) {
    console.error(r.stderr);
    process.exit(1);
  }
  const rss = Number(/max-rss-kb (\d+)/.exec(r.stderr)?.[1] ?? NaN) * 1024;
  const summary = JSON.parse(r.stdout.trim().split('\n').at(-1));
  if (summary.rows !== rows) throw new Error(`inspect read ${summary.rows} rows, expected ${rows}`);
  if (!best || r.seconds < best.seconds) best = { seconds: r.seconds, rss };
}
const baseline = run(process.execPath, ['--require', join(root, 'bench/report-rss.cjs'), join(root, 'bin/tickwork.js'), 'datasets']);
const baseRss = Number(/max-rss-kb (\d+)/.exec(baseline.stderr)?.[1] ?? NaN) * 1024;
const mb = (n) => `${(n / 2 ** 20).toFixed(0)} MB`;
console.log(`tickwork inspect: ${best.seconds.toFixed(2)} s (${(bytes / 2 ** 20 / best.seconds).toFixed(0)} MB/s), peak RSS ${mb(best.rss)}`);
console.log(
  `  memory above an idle CLI (${mb(baseRss)}): ${mb(best.rss - baseRss)} = ${((best.rss - baseRss) / numericBytes).toFixed(2)}× the numeric data (${mb(numericBytes)} as float64); target ≤ ~2×`,
);

const python = ['python3', 'python'].find((p) => spawnSync(p, ['-c', 'import pandas'], { encoding: 'utf8' }).status === 0);
if (!python) {
  console.log('pandas: skipped — no Python with pandas on this machine, so no ratio is printed.');
} else {
  const script = `import sys, time, pandas as pd\nt = time.perf_counter()\ndf = pd.read_csv(sys.argv[1])\nd = df.describe(include='all')\nprint(time.perf_counter() - t)`;
  let fastest = Infinity;
  for (let i = 0; i < 3; i++) {
    const r = run(python, ['-c', script, csv]);
    if (r.status !== 0) {
      console.error(r.stderr);
      process.exit(1);
    }
    fastest = Math.min(fastest, r.seconds);
  }
  console.log(`pandas read_csv + describe: ${fastest.toFixed(2)} s (process wall time, incl. interpreter start)`);
  console.log(`ratio tickwork / pandas: ${(best.seconds / fastest).toFixed(2)} (target ≤ 1)`);
}
