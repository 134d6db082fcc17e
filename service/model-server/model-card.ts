/**
 * What GET /v1/models and GET /v1/models/<name> answer: a model's summary and its model card as
 * JSON (the same facts as the export's README.md): inputs with their training statistics,
 * outputs, labels, decision threshold, metrics, version, and a request example.
 */
import { createHash } from 'node:crypto';
import { exampleRow, type ExportBundle } from '../../models/io/export-folder.js';
import type { FeatureSpec } from '../../models/prep/preprocessing.js';
import { decisionThreshold } from '../../models/train/prediction.js';

export interface ModelSummary {
  name: string;
  task: string;
  labels: string[] | null;
  inputs: string[];
}

/** A short content hash of the model (architecture, weights and preprocessing): changes when any of them does. */
export function modelVersionId(bundle: ExportBundle): string {
  const hash = createHash('sha256');
  hash.update(JSON.stringify(bundle.artifacts.modelJson));
  hash.update(bundle.artifacts.weights);
  hash.update(JSON.stringify(bundle.preprocessing));
  return hash.digest('hex').slice(0, 16);
}

export function modelSummary(name: string, bundle: ExportBundle): ModelSummary {
  const p = bundle.preprocessing;
  return { name, task: p.task, labels: p.labels, inputs: p.inputs };
}

function inputCard(f: FeatureSpec): Record<string, unknown> {
  const missingShare = f.missingShare ?? null;
  switch (f.kind) {
    case 'numeric':
      return { name: f.name, kind: 'numeric', training: { mean: f.mean, std: f.std, min: f.min ?? null, max: f.max ?? null, missingShare }, missing: `filled with ${f.fill} (${f.impute})`, drift: f.bins ? 'psi' : 'missing share only (exported before training histograms were saved)' };
    case 'categorical':
      return { name: f.name, kind: 'categorical', categories: f.categories, other: f.other, training: { missingShare }, unseen: f.other ? 'encoded as "(other)"' : 'encoded as no category', drift: f.shares ? 'psi' : 'missing and unseen shares only' };
    case 'boolean':
      return { name: f.name, kind: 'boolean', trueValues: f.trueValues, training: { trueShare: f.fill, missingShare }, drift: 'psi' };
    case 'datetime':
      return { name: f.name, kind: 'datetime', parts: f.parts.map((p) => p.part), training: { missingShare }, drift: 'missing share only' };
  }
}


export function modelCardJson(name: string, bundle: ExportBundle): Record<string, unknown> {
  const { preprocessing: p, runConfig: c, metrics, artifacts } = bundle;
  return {
    name,
    task: p.task,
    target: p.target,
    labels: p.labels,
    ...(p.task === 'binary' ? { threshold: decisionThreshold(p), positiveLabel: p.labels?.[1] ?? null } : {}),
    inputs: p.features.map(inputCard),
    outputs:
      p.task === 'regression'
        ? { prediction: `the predicted ${p.target}, in its own units` }
        : { prediction: `one of the labels`, probabilities: `one per label, summing to 1` },
    metrics: metrics ? { train: metrics.train ?? null, validation: metrics.validation ?? null, test: metrics.test ?? null } : null,
    version: { id: modelVersionId(bundle), preprocessing: `${p.format} v${p.version}`, generatedBy: artifacts.modelJson.generatedBy ?? null },
    training: c
      ? { dataset: { name: c.dataset.name, rows: c.dataset.rows, sha256: c.dataset.sha256 }, optimizer: c.optimizer.name, lr: c.optimizer.lr, epochs: c.epochs, batchSize: c.batchSize, seed: c.seed }
      : null,
    endpoint: `/v1/models/${name}/predict`,
    example: { rows: [exampleRow(p)] },
  };
}
