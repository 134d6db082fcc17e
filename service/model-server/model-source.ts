/**
 * Which models to serve, from what the user typed after --model:
 *
 *   ./iris-model          an export folder: served as "iris-model"
 *   ./churn.zip           an export zip: served as "churn"
 *   fraud=./exports/v3    the same, under the name before "="
 *   run:ID                a run of the workspace (resolveRunModel, below)
 *
 * A name goes into URLs (/v1/models/<name>/predict) and metric labels, so it is kept to
 * letters, digits, ".", "_" and "-".
 */
import { basename, resolve } from 'node:path';
import { TickworkError } from '../../shared/errors.js';
import type { ModelRef } from './protocol.js';
import { inMemoryApi } from '../in-memory-transport.js';
import { createNodeService } from '../runtime.js';
import { workspaceDir } from '../workspace/location.js';
import { Workspace } from '../workspace/workspace.js';

const NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;

/**
 * Where the export of a workspace run lies: the run's model folder in the workspace (for an
 * interrupted run, the folder written from its last checkpoint). Served as "run-<id prefix>".
 */
export async function resolveRunModel(runId: string, workspace: string | null): Promise<{ path: string; name: string }> {
  const opened = Workspace.open(workspaceDir({ flag: workspace ?? undefined }));
  const service = createNodeService({ workspace: opened });
  try {
    const info = await inMemoryApi(service).loadModel({ dir: `run:${runId}` });
    const stored = opened.model(info.modelId);
    if (!stored) throw new TickworkError('not_found', `The model of run ${runId} has no folder in the workspace; export it (tickwork runs export ${runId} --out DIR) and serve that.`);
    return { path: stored.dir, name: `run-${(info.runId ?? runId).slice(0, 8)}` };
  } finally {
    await service.dispose();
  }
}

/** A name from a folder or zip file name: ".zip" dropped, other characters turned into "-". */
export function defaultModelName(path: string): string {
  const base = basename(resolve(path)).replace(/\.zip$/i, '');
  const name = base.replace(/[^A-Za-z0-9._-]+/g, '-').replace(/^[^A-Za-z0-9]+/, '').slice(0, 64);
  return name || 'model';
}

/** One --model value → the name it is served under and the path to read. */
export async function resolveModelSource(spec: string, workspace: string | null = null): Promise<ModelRef> {
  const value = spec.trim();
  if (value === '') throw new TickworkError('invalid_input', '--model needs an export folder or .zip (or NAME=PATH).');
  const named = /^([^=\\/]+)=(.+)$/.exec(value);
  const [name, target] = named ? [named[1], named[2]] : [null, value];
  if (name !== null && !NAME.test(name)) {
    throw new TickworkError('invalid_input', `--model ${value}: the name "${name}" may hold only letters, digits, ".", "_" and "-" (it becomes part of the URL), up to 64 characters.`);
  }
  if (target.startsWith('run:')) {
    const run = await resolveRunModel(target.slice(4), workspace);
    return { name: name ?? run.name, path: run.path };
  }
  return { name: name ?? defaultModelName(target), path: resolve(target) };
}

/** Resolve every --model and check that no two share a name. */
export async function resolveModelSources(specs: string[], workspace: string | null = null): Promise<ModelRef[]> {
  if (specs.length === 0) throw new TickworkError('invalid_input', 'serve-model needs --model <export folder or .zip> (repeat it to serve several).');
  const refs: ModelRef[] = [];
  for (const spec of specs) refs.push(await resolveModelSource(spec, workspace));
  const seen = new Map<string, string>();
  for (const ref of refs) {
    const other = seen.get(ref.name);
    if (other !== undefined) {
      throw new TickworkError('invalid_input', `Two models would be served as "${ref.name}" (${other} and ${ref.path}). Name one of them: --model other-name=${ref.path}.`);
    }
    seen.set(ref.name, ref.path);
  }
  return refs;
}
