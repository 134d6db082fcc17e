/**
 * Importing a run trained elsewhere: a Tickwork export folder (or zip) written by the PyTorch
 * recipe (`tickwork export --format pytorch` → `train.py … --out OUT`) becomes a run of the
 * workspace, next to the local ones and marked `imported`: its settings (run-config.json), where
 * and how it was trained (run-config.json's `trainedBy`), every epoch's metrics (history.jsonl),
 * its final metrics (metrics.json) and its model, which predicts and exports like any other.
 */
import { randomUUID } from 'node:crypto';
import { resolve } from 'node:path';
import { z } from 'zod';
import { epochRecordSchema, type EpochRecord, type RunSummary } from '../shared/contract.js';
import { TickworkError } from '../shared/errors.js';
import { runConfigSchema } from '../shared/run-config.js';
import { bestEpoch } from '../shared/monitor.js';
import { summarizeNetwork } from '../shared/network.js';
import { exportFiles, readExportFolder } from '../models/io/export-folder.js';
import { typicalFromSpec } from '../models/prep/surface.js';
import type { ModelRegistry } from './model-registry.js';
import { defaultRunName, type RunStore } from './workspace/run-store.js';

/** What train.py writes under `trainedBy` (the parts a run shows; the rest is kept in the config). */
const trainedBySchema = z
  .object({
    tool: z.string(),
    torch: z.string().optional(),
    host: z.string().optional(),
    device: z.string().optional(),
    worldSize: z.number().int().optional(),
    status: z.string().optional(),
    message: z.string().optional(),
    startedAt: z.string().optional(),
    finishedAt: z.string().optional(),
  })
  .passthrough();

/** history.jsonl: one epoch per line (train.py adds lr and seconds, which the run table does not keep). */
async function readHistory(path: string): Promise<EpochRecord[]> {
  const files = await exportFiles(path);
  const label = files.label;
  const bytes = await files.read('history.jsonl');
  if (!bytes) return [];
  const text = new TextDecoder().decode(bytes);
  const history: EpochRecord[] = [];
  for (const [i, line] of text.split('\n').entries()) {
    if (line.trim() === '') continue;
    let parsed: unknown;
    try {
      parsed = JSON.parse(line);
    } catch {
      throw new TickworkError('bad_data', `history.jsonl in ${label}, line ${i + 1}, is not JSON. Write the folder again with train.py, or remove history.jsonl.`);
    }
    const record = epochRecordSchema.safeParse(parsed);
    if (!record.success) {
      throw new TickworkError('bad_data', `history.jsonl in ${label}, line ${i + 1}, is not an epoch record (epoch, step, train, validation).`);
    }
    history.push(record.data);
  }
  return history;
}

export async function importRun(
  path: string,
  deps: { store: RunStore; models: ModelRegistry; version: string; datasetIdOf: (sha256: string) => string | null },
): Promise<RunSummary> {
  const dir = resolve(path);
  const bundle = await readExportFolder(dir);
  if (!bundle.runConfig) {
    throw new TickworkError(
      'bad_data',
      `${dir} has no run-config.json, so it holds a model but not a run. Load it as a model instead (Predict → Load exported model, or tickwork predict --model ${path}).`,
    );
  }
  const config = runConfigSchema.safeParse(bundle.runConfig);
  if (!config.success) {
    const issue = config.error.issues[0];
    throw new TickworkError('bad_data', `run-config.json in ${dir} is not a Tickwork run's settings (${issue.path.join('.') || 'the file'}: ${issue.message}).`);
  }
  const trainedBy = trainedBySchema.safeParse((bundle.runConfig as { trainedBy?: unknown }).trainedBy);
  if (!trainedBy.success) {
    throw new TickworkError(
      'bad_data',
      `${dir} is an export of a run trained in Tickwork (its run-config.json has no "trainedBy"): it is already in the workspace it was trained in. ` +
        'Load it as a model instead, or import the folder train.py wrote (its --out).',
    );
  }
  const by = trainedBy.data;
  const history = await readHistory(dir);
  const { preprocessing } = bundle;
  const status = by.status === 'failed' ? 'failed' : 'completed';
  const where = [by.tool === 'pytorch' ? `PyTorch${by.torch ? ` ${by.torch}` : ''}` : by.tool, by.device, by.host ? `on ${by.host}` : null, by.worldSize && by.worldSize > 1 ? `${by.worldSize} ranks` : null]
    .filter(Boolean)
    .join(', ');
  const runId = randomUUID();
  const startedAt = by.startedAt && !Number.isNaN(Date.parse(by.startedAt)) ? new Date(by.startedAt).toISOString() : new Date().toISOString();
  const finishedAt = by.finishedAt && !Number.isNaN(Date.parse(by.finishedAt)) ? new Date(by.finishedAt).toISOString() : startedAt;
  const summary: RunSummary = {
    runId,
    seq: 0,
    name: '',
    tags: ['imported'],
    notes: '',
    origin: 'imported',
    datasetId: deps.datasetIdOf(config.data.dataset.sha256) ?? '',
    datasetName: config.data.dataset.name,
    status: 'preparing',
    message: 'importing',
    config: config.data,
    backend: null,
    history: [],
    events: [],
    results: null,
    metrics: bundle.metrics,
    warnings: [],
    baselines: null,
    importance: null,
    versions: { tickwork: deps.version, ...(by.torch ? { torch: by.torch } : {}) },
    modelId: null,
    raceId: null,
    group: null,
    parameters: summarizeNetwork(config.data.model, config.data.task, preprocessing.encoded.length, preprocessing.labels?.length ?? 1).trainable,
    startedAt,
    finishedAt: null,
  };
  const { seq } = deps.store.insert(summary, preprocessing, 'imported');
  const renamed = `${defaultRunName(seq, config.data)} · ${by.tool}`;
  deps.store.update(runId, { name: renamed });
  for (const record of history) deps.store.commitEpoch(runId, record, [], null);
  const { modelId, saved } = deps.models.registerRun(
    {
      runId,
      config: config.data,
      preprocessing,
      artifacts: bundle.artifacts,
      metrics: bundle.metrics,
      typical: typicalFromSpec(preprocessing),
      test: null,
      source: `${renamed} (trained elsewhere: ${where || by.tool}; imported from ${dir})`,
      split: bundle.split,
    },
    'imported',
  );
  const notSaved = await saved;
  if (notSaved) {
    deps.store.delete(runId);
    throw new TickworkError('io', `${dir} could not be imported: ${notSaved}`);
  }
  deps.store.finish(runId, {
    status,
    message: `trained elsewhere (${where || by.tool}): ${by.message ?? status}`,
    finishedAt,
    metrics: bundle.metrics,
    results: null,
    modelId,
    best: bestEpoch(history, config.data.earlyStopping),
    backend: null,
    versions: summary.versions,
    warnings: [],
    baselines: null,
  });
  return deps.store.get(runId);
}
