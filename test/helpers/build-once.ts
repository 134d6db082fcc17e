import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

/** Vitest global setup: make sure dist/node (CLI + training worker) is current. */
export default function setup(): void {
  const root = fileURLToPath(new URL('../..', import.meta.url));
  const result = spawnSync(process.execPath, ['scripts/build.mjs', 'node'], { cwd: root, encoding: 'utf8' });
  if (result.status !== 0) throw new Error(`build failed:\n${result.stdout}\n${result.stderr}`);
}
