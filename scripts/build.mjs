// Builds everything the app, the CLI and the tests run:
//   dist/node/{cli,training-worker}.cjs   Node bundles (CLI, browser-mode server, worker)
//   dist/node/model-server-worker.cjs     a scoring-service worker (tickwork serve-model)
//   dist/electron/{main,preload}.cjs      Electron main process and sandboxed preload
//   dist/renderer/                        the Svelte renderer (vite build)
// Dependencies stay external (loaded from node_modules), so tfjs finds its wasm files.
import { build } from 'esbuild';
import { build as viteBuild } from 'vite';
import { rm } from 'node:fs/promises';
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

const started = Date.now();
if (want('node')) {
  await build({
    ...common,
    entryPoints: { cli: 'cli/main.ts', 'training-worker': 'service/training-worker.ts', 'model-server-worker': 'service/model-server/worker-main.ts', 'bench-train-speed': 'bench/train-speed.ts', 'check-optimizers': 'scripts/check-optimizers.ts', 'bench-quality': 'bench/quality.ts', 'bench-run-table': 'bench/run-table.ts' },
    outdir: 'dist/node',
    outExtension: { '.js': '.cjs' },
  });
}
if (want('electron')) {
  await build({
    ...common,
    entryPoints: { main: 'electron/main.ts', 'training-worker': 'service/training-worker.ts' },
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
