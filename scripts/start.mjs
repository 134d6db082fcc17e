// `npm start`: build, then open the desktop app. Where the Electron runtime cannot be started
// (its binary is missing and cannot be downloaded), say so in one line and start browser mode.
import { spawn, spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { electronBinary } from './electron-binary.mjs';

const root = fileURLToPath(new URL('..', import.meta.url));
const run = (args) => spawnSync(process.execPath, args, { cwd: root, stdio: 'inherit' });

if (run(['scripts/build.mjs']).status !== 0) process.exit(1);

let binary = electronBinary();
if (!binary && process.env.TICKWORK_NO_ELECTRON !== '1') {
  // Electron downloads its binary on first use; try once, quietly.
  const attempt = spawnSync(process.execPath, ['-e', "require('electron')"], { cwd: root, stdio: 'ignore', timeout: 180_000 });
  if (attempt.status === 0) binary = electronBinary();
}

if (binary) {
  const child = spawn(binary, ['.'], { cwd: root, stdio: 'inherit' });
  child.on('exit', (code) => process.exit(code ?? 0));
} else {
  console.log('tickwork: the Electron runtime is not available here (its binary is missing and could not be downloaded) — starting browser mode instead.');
  const child = spawn(process.execPath, ['bin/tickwork.js', 'serve', ...process.argv.slice(2)], { cwd: root, stdio: 'inherit' });
  const forward = (signal) => child.kill(signal);
  process.on('SIGINT', forward);
  process.on('SIGTERM', forward);
  child.on('exit', (code) => process.exit(code ?? 0));
}
