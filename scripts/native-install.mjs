// `npm run native:install -- cpu|gpu`: install the optional native TensorFlow backend.
// Its install step downloads libtensorflow (needs internet); on failure nothing else changes.
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';

const which = process.argv[2];
const pkg = which === 'gpu' ? '@tensorflow/tfjs-node-gpu' : which === 'cpu' ? '@tensorflow/tfjs-node' : null;
if (!pkg) {
  console.error('usage: npm run native:install -- cpu|gpu');
  process.exit(2);
}
const version = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')).optionalDependencies[pkg];
console.log(`Installing ${pkg}@${version} (downloads libtensorflow)…`);
const r = spawnSync('npm', ['install', `${pkg}@${version}`, '--no-save', '--foreground-scripts', `--allow-scripts=${pkg}`], {
  stdio: 'inherit',
  shell: process.platform === 'win32',
});
if (r.status !== 0) {
  console.error(`\n${pkg} could not be installed (see above). Tickwork keeps using the wasm backend.`);
  process.exit(1);
}
console.log(`${pkg} installed. Check with: npx tickwork train --data iris --target species --out /tmp/iris --backend tensorflow`);
