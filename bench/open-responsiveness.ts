/**
 * How long the thread that serves requests is held while a large file is opened. This opens the
 * 1,000,000-row × 20-column CSV of `npm run bench:data` with dataset:open, twice over: read in the
 * data worker (what `tickwork serve` and the desktop app do: DuckDB and the copy into typed arrays
 * run on the worker's thread, the Table comes back transferred) and read on the service's own
 * thread (what the CLI's one-shot commands do), and samples the event loop's delay meanwhile
 * (perf_hooks.monitorEventLoopDelay, 10 ms resolution): the longest stall and the 99th percentile
 * are how late a request (a click in the app) is answered.
 *
 *   npm run bench:responsive [-- --rows N]
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { monitorEventLoopDelay, performance } from 'node:perf_hooks';
import { inMemoryApi } from '../service/in-memory-transport.js';
import { createNodeService } from '../service/runtime.js';

const i = process.argv.indexOf('--rows');
const rows = i > 0 ? Number(process.argv[i + 1]) : 1_000_000;
const csv = join(tmpdir(), `tickwork-bench-${rows}.csv`);
if (!existsSync(csv)) {
  console.log(`writing ${csv} …`);
  const made = spawnSync(process.execPath, [join(process.cwd(), 'bench/make-large-csv.mjs'), csv, String(rows)], { stdio: 'inherit' });
  if (made.status !== 0) process.exit(1);
}

const services = { 'data worker': createNodeService({ readData: 'worker' }), 'service thread': createNodeService({ readData: 'here' }) };

async function once(where: keyof typeof services): Promise<{ ms: number; maxStall: number; p99: number; rows: number }> {
  const api = inMemoryApi(services[where]);
  const delay = monitorEventLoopDelay({ resolution: 10 });
  delay.enable();
  const t0 = performance.now();
  const summary = await api.openDataset({ source: { kind: 'file', path: csv } });
  const ms = performance.now() - t0;
  delay.disable();
  return { ms, maxStall: delay.max / 1e6, p99: delay.percentile(99) / 1e6, rows: summary.sample?.totalRows ?? summary.rows };
}

async function main(): Promise<void> {
  for (const where of ['data worker', 'service thread'] as const) {
    await once(where); // warm: DuckDB's first load
    const results = [await once(where), await once(where), await once(where)];
    results.sort((a, b) => a.ms - b.ms);
    const best = results[0];
    console.log(`read in the ${where}: open ${best.rows.toLocaleString()} rows in ${(best.ms / 1000).toFixed(2)} s (fastest of 3)`);
    for (const r of results) console.log(`  read ${(r.ms / 1000).toFixed(2)} s; event loop: longest stall ${r.maxStall.toFixed(0)} ms, p99 ${r.p99.toFixed(0)} ms`);
  }
  await Promise.all(Object.values(services).map((s) => s.dispose()));
}

void main();
