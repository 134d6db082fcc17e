#!/usr/bin/env node
/**
 * Data benchmark (issues 3 and 16): `tickwork inspect --json` as a whole process — read, type,
 * profile and check (DuckDB) — against pandas (`read_csv` + `describe(include='all')`, the
 * process's wall time including the interpreter's start), on the same 1,000,000-row × 20-column
 * CSV (~140 MB), measured interleaved (tickwork, pandas, tickwork, …) so that a busy machine
 * slows both alike; fastest of N each, with the peak memory of each process and the ratio.
 * Then the same file as Parquet (DuckDB's COPY), and with --large a 10,000,000-row file
 * (~1.5 GB; written on first use): time and peak memory of one inspect.
 *
 *   npm run bench:data [-- --runs 3] [-- --large] [-- --rows N]
 */
import { spawnSync } from 'node:child_process';
import { existsSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const args = process.argv.slice(2);
const flag = (name, fallback) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? (args[i + 1] && !args[i + 1].startsWith('--') ? args[i + 1] : true) : fallback;
};
const rows = Number(flag('rows', 1_000_000));
const runs = Number(flag('runs', 3));
const large = flag('large', false) === true;

function ensureCsv(n) {
  const csv = join(tmpdir(), `tickwork-bench-${n}.csv`);
  if (!existsSync(csv)) {
    console.log(`writing ${csv} …`);
    const made = spawnSync(process.execPath, [join(root, 'bench/make-large-csv.mjs'), csv, String(n)], { stdio: 'inherit' });
    if (made.status !== 0) process.exit(1);
  }
  return csv;
}

function timed(cmd, argv, env = {}) {
  const t0 = process.hrtime.bigint();
  const r = spawnSync('/usr/bin/time', ['-f', 'max-rss-kb %M', cmd, ...argv], { encoding: 'utf8', maxBuffer: 64 * 2 ** 20, env: { ...process.env, ...env } });
  const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
  if (r.status !== 0) {
    console.error(r.stderr);
    throw new Error(`${cmd} ${argv.join(' ')} failed`);
  }
  const rss = Number(/max-rss-kb (\d+)/.exec(r.stderr)?.[1] ?? NaN) * 1024;
  return { ...r, seconds, rss };
}

const hasTime = spawnSync('/usr/bin/time', ['-f', '%M', 'true']).status === 0;
if (!hasTime) {
  console.error('bench:data needs /usr/bin/time (GNU time) for the peak memory of each process: apt-get install time');
  process.exit(1);
}

function inspect(file, expectRows) {
  const r = timed(process.execPath, [join(root, 'bin/tickwork.js'), 'inspect', '--data', file, '--json']);
  const summary = JSON.parse(r.stdout.trim().split('\n').at(-1));
  const total = summary.sampledFrom ?? summary.rows;
  if (total !== expectRows) throw new Error(`inspect read ${total} rows of ${file}, expected ${expectRows}`);
  return r;
}

const python = ['/usr/bin/python3', 'python3', 'python'].find((p) => spawnSync(p, ['-c', 'import pandas'], { encoding: 'utf8' }).status === 0);
const pandasCsv = `import sys, pandas as pd\ndf = pd.read_csv(sys.argv[1])\nd = df.describe(include='all')`;
const mb = (n) => `${(n / 2 ** 20).toFixed(0)} MB`;
const s = (x) => `${x.seconds.toFixed(2)} s`;
const best = (list) => list.reduce((a, b) => (b.seconds < a.seconds ? b : a));

const csv = ensureCsv(rows);
console.log(`file: ${csv}, ${rows.toLocaleString('en-US')} rows × 20 columns, ${mb(statSync(csv).size)}`);
const ours = [];
const theirs = [];
for (let i = 0; i < runs; i++) {
  ours.push(inspect(csv, rows));
  if (python) theirs.push(timed(python, ['-c', pandasCsv, csv]));
}
const t = best(ours);
console.log(`tickwork inspect (CSV): fastest ${s(t)} of ${runs} (${ours.map(s).join(', ')}), peak RSS ${mb(Math.max(...ours.map((r) => r.rss)))}`);
if (!python) console.log('pandas: skipped — no Python with pandas on this machine (apt-get install python3-pandas), so no ratio is printed.');
else {
  const p = best(theirs);
  console.log(`pandas read_csv + describe: fastest ${s(p)} of ${runs} (${theirs.map(s).join(', ')}), peak RSS ${mb(Math.max(...theirs.map((r) => r.rss)))}`);
  console.log(`ratio tickwork / pandas (fastest of each): ${(t.seconds / p.seconds).toFixed(2)} (goal ≤ 0.8)`);
}

// The same rows as Parquet.
const parquet = csv.replace(/\.csv$/, '.parquet');
if (!existsSync(parquet)) {
  const made = spawnSync(process.execPath, [join(root, 'bench/make-parquet.mjs'), csv, parquet], { stdio: 'inherit' });
  if (made.status !== 0) process.exit(1);
}
const pq = [];
for (let i = 0; i < runs; i++) pq.push(inspect(parquet, rows));
console.log(`tickwork inspect (Parquet, ${mb(statSync(parquet).size)}): fastest ${s(best(pq))} of ${runs}, peak RSS ${mb(Math.max(...pq.map((r) => r.rss)))}`);
if (python && spawnSync(python, ['-c', 'import pyarrow'], { encoding: 'utf8' }).status === 0) {
  const pp = best(Array.from({ length: runs }, () => timed(python, ['-c', `import sys, pandas as pd\nd = pd.read_parquet(sys.argv[1]).describe(include='all')`, parquet])));
  console.log(`pandas read_parquet + describe: ${s(pp)}; ratio ${(best(pq).seconds / pp.seconds).toFixed(2)}`);
} else console.log('pandas read_parquet: skipped — this Python has no pyarrow.');

if (large) {
  const n = 10_000_000;
  const big = ensureCsv(n);
  const r = inspect(big, n);
  console.log(`tickwork inspect (${n.toLocaleString('en-US')} rows, ${mb(statSync(big).size)}): ${s(r)}, peak RSS ${mb(r.rss)} (goal < 2048 MB); training would use a sample of 2,000,000`);
} else console.log('10,000,000-row file: skipped (add --large; it writes a 1.5 GB file on first use and takes a minute or more).');
