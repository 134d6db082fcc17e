/**
 * How long the thread that serves requests is held while a large file is opened: the service
 * reads datasets in its own process (DuckDB parses, types and profiles on its native threads; the
 * JavaScript side turns the result into the Table chunk by chunk). This opens the 1,000,000-row ×
 * 20-column CSV of `npm run bench:data` with readTableFile — what dataset:open runs — and samples
 * the event loop's delay meanwhile (perf_hooks.monitorEventLoopDelay, 10 ms resolution): the
 * longest stall and the 99th percentile are how late a request (a click in the app) is answered.
 *
 *   npm run bench:responsive [-- --rows N]
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { monitorEventLoopDelay, performance } from 'node:perf_hooks';
import { readTableFile } from '../models/data/read.js';

const i = process.argv.indexOf('--rows');
const rows = i > 0 ? Number(process.argv[i + 1]) : 1_000_000;
const csv = join(tmpdir(), `tickwork-bench-${rows}.csv`);
if (!existsSync(csv)) {
  console.log(`writing ${csv} …`);
  const made = spawnSync(process.execPath, [join(process.cwd(), 'bench/make-large-csv.mjs'), csv, String(rows)], { stdio: 'inherit' });
  if (made.status !== 0) process.exit(1);
}

async function once(): Promise<{ ms: number; maxStall: number; p99: number; rows: number }> {
  const delay = monitorEventLoopDelay({ resolution: 10 });
  delay.enable();
  const t0 = performance.now();
  const { table } = await readTableFile(csv);
  const ms = performance.now() - t0;
  delay.disable();
  return { ms, maxStall: delay.max / 1e6, p99: delay.percentile(99) / 1e6, rows: table.stats?.rows ?? table.rowCount };
}

async function main(): Promise<void> {
  await once(); // warm: DuckDB's first load
  const results = [await once(), await once(), await once()];
  results.sort((a, b) => a.ms - b.ms);
  const best = results[0];
  console.log(`open ${best.rows.toLocaleString()} rows: ${(best.ms / 1000).toFixed(2)} s (fastest of 3)`);
  for (const r of results) console.log(`  read ${(r.ms / 1000).toFixed(2)} s; event loop: longest stall ${r.maxStall.toFixed(0)} ms, p99 ${r.p99.toFixed(0)} ms`);
}

void main();
