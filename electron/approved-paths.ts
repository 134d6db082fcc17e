/**
 * The files and folders the desktop app's page may name in a request: only those the user chose
 * in this session (like VS Code's main process, which takes paths from its dialogs and the user,
 * never from the page). A path is approved for reading when it came from an open dialog, a file
 * dropped on the window or File → Open Recent; for writing (and reading) when it came from a save
 * dialog. A request naming any other path is refused before it reaches the service, with a
 * message saying how to choose the file. No Electron import: unit-tested without Electron.
 */
import { resolve } from 'node:path';
import { parseRequest, type RequestChannel, type RequestParsedInput } from '../shared/contract.js';

export type Access = 'read' | 'write';

/** One path a request names: the field (as the contract names it), the path, and what the service does with it. */
export interface NamedPath {
  field: string;
  path: string;
  access: Access;
}

type Source = RequestParsedInput<'dataset:open'>['source'] | undefined;
const fileOf = (field: string, source: Source): NamedPath[] => (source?.kind === 'file' ? [{ field, path: source.path, access: 'read' }] : []);

/**
 * Every request channel whose input names a file or folder, and where (test/unit/approved-paths.test.ts
 * checks the contract for fields that look like paths, so a new one cannot be missed).
 */
const PATH_FIELDS: { [C in RequestChannel]?: (input: RequestParsedInput<C>) => NamedPath[] } = {
  'dataset:open': (i) => fileOf('source.path', i.source),
  'training:start': (i) => fileOf('testSource.path', i.testSource),
  'training:plan': (i) => fileOf('testSource.path', i.testSource),
  'training:lr-find': (i) => fileOf('testSource.path', i.testSource),
  'race:start': (i) => fileOf('testSource.path', i.testSource),
  'model:load': (i) => [{ field: 'dir', path: i.dir, access: 'read' }],
  'model:explain': (i) => [{ field: 'input', path: i.input, access: 'read' }],
  'model:score-file': (i) => [
    { field: 'input', path: i.input, access: 'read' },
    { field: 'output', path: i.output, access: 'write' },
  ],
  'model:export': (i) => [{ field: 'dir', path: i.dir, access: 'write' }],
  'model:export-recipe': (i) => [{ field: 'dir', path: i.dir, access: 'write' }],
  'run:import': (i) => [{ field: 'dir', path: i.dir, access: 'read' }],
};

export const PATH_CHANNELS = Object.keys(PATH_FIELDS) as RequestChannel[];

/** The paths a request names, read from its validated input; [] when it names none or is not valid (the dispatcher then says why). */
export function namedPaths(channel: RequestChannel, input: unknown): NamedPath[] {
  const fields = PATH_FIELDS[channel] as ((input: unknown) => NamedPath[]) | undefined;
  if (!fields) return [];
  let parsed: unknown;
  try {
    parsed = parseRequest(channel, input);
  } catch {
    return [];
  }
  return fields(parsed);
}

const MAX_APPROVED = 10_000;

export class ApprovedPaths {
  readonly #read = new Set<string>();
  readonly #write = new Set<string>();

  /** The user chose `path`: for reading (open dialog, drop, recent file) or for writing (save dialog). */
  approve(path: string, access: Access): void {
    if (typeof path !== 'string' || path === '') return;
    const set = access === 'write' ? this.#write : this.#read;
    if (set.size >= MAX_APPROVED) set.delete(set.values().next().value!);
    set.add(resolve(path));
  }

  isApproved(path: string, access: Access): boolean {
    const key = resolve(path);
    return this.#write.has(key) || (access === 'read' && this.#read.has(key));
  }

  /** Why this request may not run (the first path the user did not choose), or null when every path it names was chosen. */
  refusal(channel: RequestChannel, input: unknown): string | null {
    for (const named of namedPaths(channel, input)) {
      if (this.isApproved(named.path, named.access)) continue;
      const how =
        named.access === 'write'
          ? 'Tickwork writes only where you chose in its save dialog in this session: choose the place again with the dialog.'
          : 'Tickwork opens only files and folders you chose in its dialogs, dropped on the window or picked from File → Open Recent in this session: choose it that way.';
      return `${channel}: ${named.field}: refused: ${JSON.stringify(named.path)} was not chosen by you. ${how}`;
    }
    return null;
  }
}
