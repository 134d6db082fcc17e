/**
 * Where the service may write files it is asked to (exports, scored files). The desktop app and
 * the CLI write where the user pointed (a dialog, a flag); browser mode (`tickwork serve`) is
 * reached by a page holding the token, so it writes only under:
 *
 *   the workspace folder, the user's download folder, the folders the user opened data from
 *   (this session), the `--allow-dir` roots, and the service's own temporary folders.
 *
 * Paths are compared after resolving symbolic links of the part that exists, so a link inside an
 * allowed folder cannot lead out of it.
 */
import { realpathSync } from 'node:fs';
import { homedir } from 'node:os';
import { basename, dirname, isAbsolute, join, relative, resolve } from 'node:path';
import { TickworkError } from '../shared/errors.js';
import { inTempDir } from './temp-dirs.js';

/** The real path of `path`: symbolic links resolved in the longest part that exists. */
export function realTarget(path: string): string {
  const full = resolve(path);
  const rest: string[] = [];
  let at = full;
  for (;;) {
    try {
      return join(realpathSync(at), ...rest.reverse());
    } catch {
      const up = dirname(at);
      if (up === at) return full;
      rest.push(basename(at));
      at = up;
    }
  }
}

function inside(root: string, path: string): boolean {
  const rel = relative(root, path);
  return rel === '' || (!rel.startsWith('..') && !isAbsolute(rel));
}

export interface WriteRoots {
  workspace: string | null;
  /** The download folder (default ~/Downloads). */
  downloads?: string | null;
  /** --allow-dir roots. */
  allowed?: string[];
}

export class WritePolicy {
  readonly #roots: Map<string, string> | null;

  private constructor(roots: Map<string, string> | null) {
    this.#roots = roots;
  }

  /** The desktop app and the CLI: paths come from dialogs and flags. */
  static anywhere(): WritePolicy {
    return new WritePolicy(null);
  }

  /** Browser mode: only under these roots (plus folders data is opened from, and temp folders). */
  static within(roots: WriteRoots): WritePolicy {
    const policy = new WritePolicy(new Map());
    if (roots.workspace) policy.#add(roots.workspace, 'the workspace');
    const downloads = roots.downloads === undefined ? join(homedir(), 'Downloads') : roots.downloads;
    if (downloads) policy.#add(downloads, 'the download folder');
    for (const dir of roots.allowed ?? []) policy.#add(dir, '--allow-dir');
    return policy;
  }

  get restricted(): boolean {
    return this.#roots !== null;
  }

  #add(dir: string, why: string): void {
    this.#roots?.set(realTarget(dir), why);
  }

  /** A data file was opened: its folder may be written to (scored files next to the data). */
  openedFrom(file: string): void {
    if (this.#roots) this.#add(dirname(resolve(file)), 'a folder data was opened from');
  }

  /** Throws unless `path` may be written; `what` names the request ("the export", "the scored file"). */
  check(path: string, what: string): void {
    if (!this.#roots) return;
    const real = realTarget(path);
    if (inTempDir(resolve(path)) || inTempDir(real)) return;
    for (const root of this.#roots.keys()) if (inside(root, real)) return;
    const roots = [...this.#roots].map(([dir, why]) => `${dir} (${why})`).join(', ');
    throw new TickworkError(
      'unsupported',
      `In browser mode Tickwork writes only under the workspace, the download folder, folders you opened data from and --allow-dir folders; ` +
        `${resolve(path)} (${what}) is outside them${roots ? ` (${roots})` : ''}. Choose a path inside one of them, or restart with tickwork serve --allow-dir <folder>.`,
    );
  }
}
