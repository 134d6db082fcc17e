// Builds everything the app, the CLI and the tests run:
//   dist/node/{cli,training-worker}.cjs   Node bundles (CLI, browser-mode server, worker)
//   dist/node/model-server-worker.cjs     a scoring-service worker (tickwork serve-model)
//   dist/electron/{main,preload}.cjs      Electron main process and sandboxed preload
//   dist/renderer/                        the Svelte renderer (vite build)
//   dist/kernels/dense{,-relaxed}.wasm    the dense-network training kernel (AssemblyScript → WebAssembly SIMD,
//                                         and with relaxed SIMD's fused multiply-add), built with node and
//                                         electron; skipped when newer than its sources
// Dependencies stay external (loaded from node_modules), so tfjs finds its wasm files.
import { build } from 'esbuild';
import { build as viteBuild } from 'vite';
import { spawnSync } from 'node:child_process';
import { rmSync } from 'node:fs';
import { mkdir, readdir, rm, stat } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const only = process.argv.slice(2);
const want = (part) => only.length === 0 || only.includes(part);

const common = {
  absWorkingDir: root,
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'cjs',
  sourcemap: true,
  packages: 'external',
  logLevel: 'warning',
  // Source uses import.meta.url; in a CommonJS bundle it is derived from __filename.
  define: { 'import.meta.url': '__importMetaUrl' },
  banner: { js: "const __importMetaUrl = require('url').pathToFileURL(__filename).href;" },
};

/**
 * Compile models/train/dense/assembly to dist/kernels/dense.wasm (WebAssembly SIMD) and
 * dense-relaxed.wasm (SIMD + relaxed SIMD: fused multiply-add), unless they are newer than
 * every source.
 */
async function buildKernel() {
  const sources = `${root}models/train/dense/assembly`;
  const newest = Math.max(...(await Promise.all((await readdir(sources)).map(async (f) => (await stat(`${sources}/${f}`)).mtimeMs))));
  await mkdir(`${root}dist/kernels`, { recursive: true });
  const { default: asc } = await import('assemblyscript/asc');
  for (const [name, features] of [['dense', ['simd']], ['dense-relaxed', ['simd', 'relaxed-simd']]]) {
    const output = `${root}dist/kernels/${name}.wasm`;
    const built = await stat(output).then((s) => s.mtimeMs, () => 0);
    if (built > newest) continue;
    // -O3; no runtime (the kernel allocates nothing), memory imported from the loader, no abort import.
    const { error, stderr } = await asc.main(
      [`${sources}/index.ts`, '-O3', ...features.flatMap((f) => ['--enable', f]), '--runtime', 'stub', '--noAssert', '--importMemory', '--use', 'abort=', '-o', output],
      {},
    );
    if (error) throw new Error(`the dense kernel did not compile: ${error.message}\n${stderr.toString()}`);
  }
}

/**
 * Dependencies that stay in node_modules: native addons (DuckDB's bindings, not its JavaScript API:
 * bundled, it loads in ~28 ms instead of ~60 ms of resolving and compiling 40 files), and tfjs (it
 * finds its wasm files next to itself).
 */
const NODE_EXTERNAL = ['@duckdb/node-bindings', '@duckdb/node-bindings-*', '@tensorflow/*', 'better-sqlite3', 'onnxruntime-node', 'electron', 'bufferutil', 'utf-8-validate', 'esbuild', 'vite', 'playwright-core', '@playwright/*', 'assemblyscript'];

/**
 * V8's code cache of the CLI (bin/code-cache.cjs), written by one `inspect` of the bundled iris so
 * that the functions a command runs are in it too. Without it the CLI only starts slower.
 */
function writeCodeCache() {
  rmSync(`${root}dist/node/cli.cjs.v8cache`, { force: true });
  const run = spawnSync(process.execPath, [`${root}bin/tickwork.js`, 'inspect', '--data', 'iris', '--json', '--no-workspace'], {
    env: { ...process.env, TICKWORK_WRITE_CODE_CACHE: '1' },
    encoding: 'utf8',
    stdio: ['ignore', 'ignore', 'pipe'],
    timeout: 60_000, // a build (npm ci's prepare) never hangs on it
  });
  if (run.status !== 0) console.warn(`tickwork: no code cache for the CLI (it starts ~60 ms slower): ${run.stderr || run.error?.message}`);
}

const started = Date.now();
if (want('node') || want('electron')) await buildKernel();
if (want('node')) {
  await build({
    ...common,
    // Pure-JavaScript dependencies are bundled (Node's module loader took ~0.2 s of every CLI start
    // resolving and compiling zod, prom-client and the rest file by file); native and wasm ones stay outside.
    packages: undefined,
    external: NODE_EXTERNAL,
    // import() of a CommonJS dependency (DuckDB, tfjs) as require(): Node's ESM loader otherwise
    // parses the whole package to find its exports (~0.1 s for DuckDB's on every start).
    supported: { 'dynamic-import': false },
    // Whitespace and syntax only (names kept for stack traces): V8 parses half the text on every start.
    minifyWhitespace: true,
    minifySyntax: true,
    entryPoints: { cli: 'cli/main.ts', 'training-worker': 'service/training-worker.ts', 'data-worker': 'service/data-worker.ts', 'model-server-worker': 'service/model-server/worker-main.ts', 'bench-train-speed': 'bench/train-speed.ts', 'check-optimizers': 'scripts/check-optimizers.ts', 'bench-quality': 'bench/quality.ts', 'bench-run-table': 'bench/run-table.ts', 'bench-open-responsiveness': 'bench/open-responsiveness.ts' },
    outdir: 'dist/node',
    outExtension: { '.js': '.cjs' },
  });
  writeCodeCache();
}
if (want('electron')) {
  await build({
    ...common,
    entryPoints: { main: 'electron/main.ts', 'training-worker': 'service/training-worker.ts', 'data-worker': 'service/data-worker.ts' },
    outdir: 'dist/electron',
    outExtension: { '.js': '.cjs' },
    external: ['electron'],
  });
  // The sandboxed preload may only require 'electron': bundle everything else into it.
  await build({
    ...common,
    packages: undefined,
    entryPoints: { preload: 'electron/preload.ts' },
    outdir: 'dist/electron',
    outExtension: { '.js': '.cjs' },
    external: ['electron'],
    define: {},
    banner: {},
  });
}
if (want('renderer')) {
  await rm(`${root}/dist/renderer`, { recursive: true, force: true });
  await viteBuild({ configFile: `${root}/vite.config.ts`, logLevel: 'warn' });
}
console.log(`tickwork: built ${only.length ? only.join(', ') : 'node, electron, renderer'} in ${((Date.now() - started) / 1000).toFixed(1)} s`);
