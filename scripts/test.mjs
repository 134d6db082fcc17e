// `npm test`: type-check, the Electron security scan, build, unit + integration (Vitest), end-to-end in Chromium
// (Playwright, browser mode), and the Electron tests (skipped, with the reason, where no
// Electron binary exists). Ends with one summary line: "tests: N passed, N failed, N skipped".
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const bin = (name) => `${root}node_modules/.bin/${name}`;
mkdirSync(`${root}test-results`, { recursive: true });
const totals = { passed: 0, failed: 0, skipped: 0 };
let ok = true;

function step(title, command, args, env = {}) {
  console.log(`\n▶ ${title}`);
  const started = Date.now();
  const r = spawnSync(command, args, { cwd: root, stdio: 'inherit', env: { ...process.env, ...env } });
  console.log(`  ${title}: ${r.status === 0 ? 'ok' : `FAILED (exit ${r.status})`} in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  if (r.status !== 0) ok = false;
  return r.status === 0;
}

function countVitest(file) {
  if (!existsSync(file)) return;
  const report = JSON.parse(readFileSync(file, 'utf8'));
  totals.passed += report.numPassedTests ?? 0;
  totals.failed += (report.numFailedTests ?? 0);
  totals.skipped += (report.numPendingTests ?? 0) + (report.numTodoTests ?? 0);
}

function countPlaywright(file) {
  if (!existsSync(file)) return;
  const { stats } = JSON.parse(readFileSync(file, 'utf8'));
  totals.passed += (stats.expected ?? 0) + (stats.flaky ?? 0);
  totals.failed += stats.unexpected ?? 0;
  totals.skipped += stats.skipped ?? 0;
}

const typed =
  step('type-check node', bin('tsc'), ['-p', 'tsconfig.node.json']) &&
  step('type-check web', bin('tsc'), ['-p', 'tsconfig.web.json']) &&
  step('type-check shared', bin('tsc'), ['-p', 'tsconfig.shared.json']) &&
  step('svelte-check', bin('svelte-check'), ['--tsconfig', 'tsconfig.web.json', '--threshold', 'error', '--output', 'human']);
// The Electron security scan (offline, ~2 s): fails on any HIGH or MEDIUM electronegativity finding.
if (step('Electron security scan (electronegativity)', process.execPath, ['scripts/electronegativity.mjs'])) totals.passed += 1;
else totals.failed += 1;
const built = typed && step('build', process.execPath, ['scripts/build.mjs']);
if (built) {
  step('unit + integration tests (Vitest)', bin('vitest'), ['run', '--reporter=default', '--reporter=json', '--outputFile.json=test-results/vitest.json']);
  countVitest(`${root}test-results/vitest.json`);
  step('end-to-end tests in Chromium, browser mode (Playwright)', bin('playwright'), ['test', '--reporter=list,json'], {
    PLAYWRIGHT_JSON_OUTPUT_NAME: 'test-results/playwright.json',
  });
  countPlaywright(`${root}test-results/playwright.json`);
  step('Electron tests (Playwright _electron)', bin('playwright'), ['test', '-c', 'playwright.electron.config.ts', '--reporter=list,json'], {
    PLAYWRIGHT_JSON_OUTPUT_NAME: 'test-results/playwright-electron.json',
  });
  countPlaywright(`${root}test-results/playwright-electron.json`);
}
if (!ok && totals.failed === 0) totals.failed = 1; // a failed type-check or build counts as a failure
console.log(`\ntests: ${totals.passed} passed, ${totals.failed} failed, ${totals.skipped} skipped`);
process.exit(ok ? 0 : 1);
