// Where the Electron binary is, without triggering electron's download-on-first-use.
// Returns null when it is not installed (offline machines, CI).
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createRequire } from 'node:module';

export function electronBinary() {
  const require = createRequire(import.meta.url);
  let dir;
  try {
    dir = join(require.resolve('electron/package.json'), '..');
  } catch {
    return null;
  }
  const pathFile = join(dir, 'path.txt');
  if (!existsSync(pathFile)) return null;
  const relative = readFileSync(pathFile, 'utf8').trim();
  const base = process.env.ELECTRON_OVERRIDE_DIST_PATH ?? join(dir, 'dist');
  const binary = join(base, relative);
  return existsSync(binary) ? binary : null;
}
