/**
 * Renderer smoothness bench: builds bench/ui (the real Live and Compare panels fed by a synthetic
 * stream at the brief's rates, with 100,000 steps preloaded), opens it in Chromium and records
 * every long task (> 50 ms) for 10 s of streaming. Prints the figures; exits 0 either way (a
 * bench, not a test). Usage: npm run bench:ui [-- --seconds 10]
 */
import { build } from 'vite';
import { createServer } from 'node:http';
import { readFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { extname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from '@playwright/test';

const root = fileURLToPath(new URL('..', import.meta.url));
const seconds = Number(process.argv[process.argv.indexOf('--seconds') + 1]) || 10;
/** CPU slowdowns to measure at: 1 (this machine, page alone) and 4 (Chromium's throttling: a slower machine, or the page sharing cores with training). */
const RATES = [1, 4];
/** --profile: also print the 15 functions with the most self time while streaming (CDP profiler). */
const profile = process.argv.includes('--profile');
const out = join(root, 'dist/bench-ui');

await build({ configFile: join(root, 'bench/ui/vite.config.ts') });

const types = { '.html': 'text/html', '.js': 'text/javascript', '.css': 'text/css' };
const server = createServer(async (req, res) => {
  const path = join(out, new URL(req.url ?? '/', 'http://x').pathname.replace(/^\/$/, '/index.html'));
  try {
    const body = await readFile(path);
    res.writeHead(200, { 'content-type': types[extname(path)] ?? 'application/octet-stream' }).end(body);
  } catch {
    res.writeHead(404).end();
  }
});
await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
const url = `http://127.0.0.1:${server.address().port}/index.html`;

const system = ['/usr/bin/chromium', '/usr/bin/chromium-browser', '/usr/bin/google-chrome'].find((p) => existsSync(p));
const browser = await chromium.launch({ executablePath: process.env.TICKWORK_CHROMIUM ?? system, args: ['--no-sandbox', '--disable-dev-shm-usage'] });
async function measure(rate) {
  const page = await browser.newPage({ viewport: { width: 1440, height: 900 } });
  const cdp = await page.context().newCDPSession(page);
  await page.goto(url);
  await page.waitForFunction(() => 'bench' in globalThis);
  const preloadStart = Date.now();
  await page.evaluate(() => globalThis.bench.preload());
  const preloadMs = Date.now() - preloadStart;
  const pointsAfterPreload = await page.evaluate(() => globalThis.bench.points());
  // Let the preload's last redraws settle, then watch.
  await page.waitForTimeout(1000);
  await cdp.send('Emulation.setCPUThrottlingRate', { rate });
  if (profile) {
    await cdp.send('Profiler.enable');
    await cdp.send('Profiler.setSamplingInterval', { interval: 200 });
    await cdp.send('Profiler.start');
  }
  const result = await page.evaluate(async (s) => {
    const tasks = [];
    const observer = new PerformanceObserver((list) => list.getEntries().forEach((e) => tasks.push(e.duration)));
    observer.observe({ type: 'longtask', buffered: false });
    let frames = 0;
    let counting = true;
    const tick = () => {
      frames++;
      if (counting) requestAnimationFrame(tick);
    };
    requestAnimationFrame(tick);
    await globalThis.bench.stream(s);
    await new Promise((r) => setTimeout(r, 300));
    counting = false;
    observer.disconnect();
    return { tasks, frames, points: globalThis.bench.points() };
  }, seconds);
  if (profile) {
    const { profile: p } = await cdp.send('Profiler.stop');
    const self = new Map();
    const dt = new Map(p.nodes.map((n) => [n.id, 0]));
    p.samples.forEach((id, i) => dt.set(id, dt.get(id) + (p.timeDeltas[i] ?? 0)));
    for (const n of p.nodes) {
      const key = `${n.callFrame.functionName || '(anonymous)'} ${n.callFrame.url.split('/').pop()}:${n.callFrame.lineNumber}`;
      self.set(key, (self.get(key) ?? 0) + dt.get(n.id));
    }
    const top = [...self].filter(([k]) => !k.startsWith('(idle)') && !k.startsWith('(program)')).sort((a, b) => b[1] - a[1]).slice(0, 15);
    console.log('  self time while streaming:');
    for (const [k, us] of top) console.log(`    ${(us / 1000).toFixed(0).padStart(6)} ms  ${k}`);
    // Who calls the top three (by self time through that caller).
    const parent = new Map();
    for (const n of p.nodes) for (const c of n.children ?? []) parent.set(c, n);
    const label = (n) => `${n.callFrame.functionName || '(anonymous)'}:${n.callFrame.lineNumber}`;
    for (const [k] of top.slice(0, 3)) {
      const callers = new Map();
      for (const n of p.nodes) {
        if (!k.startsWith(`${n.callFrame.functionName || '(anonymous)'} `) || !dt.get(n.id)) continue;
        let chain = [];
        for (let q = parent.get(n.id), d = 0; q && d < 4; q = parent.get(q.id), d++) chain.push(label(q));
        const key = chain.join(' < ');
        callers.set(key, (callers.get(key) ?? 0) + dt.get(n.id));
      }
      const best = [...callers].sort((a, b) => b[1] - a[1]).slice(0, 3);
      console.log(`  callers of ${k}: ${best.map(([c, us]) => `${(us / 1000).toFixed(0)} ms ← ${c}`).join(' | ')}`);
    }
  }
  await page.close();
  const sorted = [...result.tasks].sort((a, b) => b - a);
  const total = result.tasks.reduce((a, b) => a + b, 0);
  console.log(`CPU ${rate}× slower:`);
  console.log(`  preload: 100,000 steps in ${(preloadMs / 1000).toFixed(1)} s; the loss chart holds ${pointsAfterPreload} points after it (${result.points} at the end: step series are thinned 2:1 past 2,000 points)`);
  console.log(`  long tasks > 50 ms: ${result.tasks.length}; worst ${sorted[0]?.toFixed(0) ?? 0} ms; next ${sorted.slice(1, 4).map((t) => t.toFixed(0)).join(', ') || '—'} ms; ${total.toFixed(0)} ms blocked in all`);
  console.log(`  frames: ${result.frames} in ${(seconds + 0.3).toFixed(1)} s (${(result.frames / (seconds + 0.3)).toFixed(0)} fps)`);
  return { count: result.tasks.length, worst: sorted[0] ?? 0, blocked: total, fps: result.frames / (seconds + 0.3) };
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const RUNS = 3;

try {
  console.log(`renderer smoothness: ${seconds} s of progress at 10 events/s, an epoch with results every 1 s, a decision surface every 250 ms`);
  const summary = [];
  for (const rate of RATES) {
    const runs = [];
    for (let i = 0; i < RUNS; i++) runs.push(await measure(rate));
    summary.push({ rate, runs });
  }
  console.log(`\nmedian of ${RUNS} runs (a 2-core machine is noisy):`);
  for (const { rate, runs } of summary) {
    const count = median(runs.map((r) => r.count));
    console.log(
      `  CPU ${rate}×: ${count} long task(s) > 50 ms, worst ${median(runs.map((r) => r.worst)).toFixed(0)} ms, ` +
        `${median(runs.map((r) => r.blocked)).toFixed(0)} ms blocked, ${median(runs.map((r) => r.fps)).toFixed(0)} fps — target ${count === 0 ? 'met' : 'NOT met'}`,
    );
  }
} finally {
  await browser.close();
  server.close();
}
