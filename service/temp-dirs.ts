/**
 * Temporary folders of this process (browser-mode uploads and exports, the CLI's export scratch,
 * an in-memory workspace's models): `<os tmp>/tickwork-<kind>-<pid>-<random>`. Each is removed
 * when the process exits (normally, by process.exit, or by a signal the command handles), and
 * `sweepStaleTempDirs` — run when a service starts — removes those whose process is gone (a
 * crash, a kill -9), so nothing piles up in the temp folder.
 */
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { processAlive as alive } from '../models/process-alive.js';

const PATTERN = /^tickwork-([a-z]+)-(\d+)-/;
/** Kinds with their own cleanup elsewhere (DuckDB's spill folders: models/data/engine.ts). */
const NOT_OURS = new Set(['duckdb']);
const live = new Set<string>();
let hooked = false;

function hookExit(): void {
  if (hooked) return;
  hooked = true;
  process.on('exit', () => {
    for (const dir of live) rmSync(dir, { recursive: true, force: true });
  });
}

function prefix(kind: string): string {
  if (!/^[a-z]+$/.test(kind)) throw new Error(`temp folder kind must be lowercase letters, received "${kind}"`);
  return join(tmpdir(), `tickwork-${kind}-${process.pid}-`);
}

/** A fresh temporary folder, removed when the process exits (or earlier by `removeTempDir`). */
export async function makeTempDir(kind: string): Promise<string> {
  hookExit();
  const dir = await mkdtemp(prefix(kind));
  live.add(dir);
  return dir;
}

export function makeTempDirSync(kind: string): string {
  hookExit();
  const dir = mkdtempSync(prefix(kind));
  live.add(dir);
  return dir;
}

export async function removeTempDir(dir: string): Promise<void> {
  live.delete(dir);
  await rm(dir, { recursive: true, force: true });
}

export function removeTempDirSync(dir: string): void {
  live.delete(dir);
  rmSync(dir, { recursive: true, force: true });
}

/** Is `path` inside a temporary folder this process made? */
export function inTempDir(path: string): boolean {
  for (const dir of live) if (path === dir || path.startsWith(dir + '/') || path.startsWith(dir + '\\')) return true;
  return false;
}

/** Remove Tickwork temp folders left by processes that are gone; returns their names. */
export function sweepStaleTempDirs(root = tmpdir()): string[] {
  const removed: string[] = [];
  let names: string[];
  try {
    names = readdirSync(root);
  } catch {
    return removed;
  }
  for (const name of names) {
    const match = PATTERN.exec(name);
    if (!match || NOT_OURS.has(match[1])) continue;
    const pid = Number(match[2]);
    if (pid === process.pid || alive(pid)) continue;
    try {
      rmSync(join(root, name), { recursive: true, force: true });
      removed.push(name);
    } catch {
      // best effort: another user's folder, or one we cannot remove, is left to the system
    }
  }
  return removed;
}
