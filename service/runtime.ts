/**
 * Where things are on disk, and a WorkbenchService wired for plain Node (worker threads).
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { BackendPreference } from '../shared/run-config.js';
import { nodeWorkerLauncher } from './node-worker.js';
import { inProcessReader, workerReader } from './data-reader.js';
import { WorkbenchService } from './workbench-service.js';
import type { WorkerLauncher } from './worker-protocol.js';
import { Workspace } from './workspace/workspace.js';
import type { WritePolicy } from './write-policy.js';

/** The package root: the nearest folder above this file whose package.json is Tickwork's. */
export function packageRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const manifest = join(dir, 'package.json');
    if (existsSync(manifest)) {
      try {
        if (JSON.parse(readFileSync(manifest, 'utf8')).name === 'tickwork') return dir;
      } catch {
        /* keep looking */
      }
    }
    const up = dirname(dir);
    if (up === dir) throw new Error('cannot find the Tickwork package root');
    dir = up;
  }
}

export function packageVersion(root = packageRoot()): string {
  return JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')).version as string;
}

export const paths = {
  datasets: (root = packageRoot()) => join(root, 'datasets'),
  workerScript: (root = packageRoot()) => join(root, 'dist', 'node', 'training-worker.cjs'),
  dataWorkerScript: (root = packageRoot()) => join(root, 'dist', 'node', 'data-worker.cjs'),
  renderer: (root = packageRoot()) => join(root, 'dist', 'renderer'),
  pytorchRecipe: (root = packageRoot()) => join(root, 'recipes', 'pytorch', 'train.py'),
};

export function workerScriptOrExplain(root = packageRoot()): string {
  return builtScript(paths.workerScript(root), 'training worker');
}

function builtScript(script: string, what: string): string {
  if (!existsSync(script)) throw new Error(`The ${what} is not built (${script} is missing). Run: npm run build`);
  return script;
}

/**
 * A service for plain Node. `workspace`: a folder to keep everything in (see
 * workspace/location.ts for the default the CLI uses), an open Workspace, or null/left out for a
 * workspace that keeps nothing.
 */
export function createNodeService(
  options: {
    backend?: BackendPreference;
    launchWorker?: WorkerLauncher;
    workspace?: string | Workspace | null;
    writes?: WritePolicy;
    /** 'worker' (default): files are read in the data worker; 'here': on this thread (a one-shot CLI command, which serves no requests). */
    readData?: 'worker' | 'here';
  } = {},
): WorkbenchService {
  const root = packageRoot();
  const given = options.workspace;
  const workspace = given instanceof Workspace ? given : given ? Workspace.open(given) : Workspace.inMemory();
  return new WorkbenchService({
    version: packageVersion(root),
    datasetsDir: paths.datasets(root),
    launchWorker: options.launchWorker ?? nodeWorkerLauncher(workerScriptOrExplain(root)),
    backend: options.backend,
    workspace,
    writes: options.writes,
    reader: options.readData === 'here' ? inProcessReader : workerReader(builtScript(paths.dataWorkerScript(root), 'data worker')),
  });
}
