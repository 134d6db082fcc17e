/**
 * Runs in the workspace database: a run is recorded when it starts, each epoch is committed as it
 * ends (with its step series so far and its checkpoint), events as they happen, and the outcome
 * when it ends. Reading back gives the run table (rows without histories) or one run in full.
 */
import { hostname } from 'node:os';
import type { BestEpoch, EpochRecord, RunEventPayload, RunResults, RunRow, RunStatus, RunSummary, SplitMetrics } from '../../shared/contract.js';
import { isActive } from '../../shared/contract.js';
import { TickworkError } from '../../shared/errors.js';
import { describeNetwork } from '../../shared/network.js';
import type { RunConfig } from '../../shared/run-config.js';
import type { ModelArtifactsData } from '../../models/io/model-files.js';
import type { PreprocessingSpec } from '../../models/prep/preprocessing.js';
import type { Db } from './database.js';

export interface StepPoint {
  step: number;
  /** null where the loop did not read the loss back that step. */
  loss: number | null;
  lr: number;
  gradNorm: number | null;
}

/** What ends a run. */
export interface RunOutcome {
  status: RunStatus;
  message: string;
  finishedAt: string;
  metrics: SplitMetrics | null;
  results: RunResults | null;
  modelId: string | null;
  best: BestEpoch | null;
  backend: RunSummary['backend'];
  versions: Record<string, string>;
  warnings: RunSummary['warnings'];
  baselines: RunSummary['baselines'];
}

interface RunRecord {
  id: string;
  seq: number;
  name: string;
  dataset_id: string | null;
  dataset_name: string;
  race_id: string | null;
  status: RunStatus;
  message: string;
  config_json: string;
  preprocessing_json: string | null;
  backend_json: string | null;
  versions_json: string;
  parameters: number;
  started_at: string;
  finished_at: string | null;
  duration_ms: number | null;
  steps: number | null;
  metrics_json: string | null;
  results_json: string | null;
  model_id: string | null;
  owner_pid: number | null;
  owner_host: string | null;
  tags_json: string;
  notes: string;
  origin: 'local' | 'imported';
  best_json: string | null;
  group_id: string | null;
  group_kind: 'race' | 'repeats' | 'cv' | null;
  warnings_json: string;
  baselines_json: string | null;
  importance_json: string | null;
  epochs_run?: number;
}

const parse = <T>(json: string | null): T | null => (json === null ? null : (JSON.parse(json) as T));

/** The default name of a run: "#N optimizer lr 0.01". */
export function defaultRunName(seq: number, config: Pick<RunConfig, 'optimizer' | 'split'>, group?: RunSummary['group']): string {
  const base = `#${seq} ${config.optimizer.name} lr ${Number(config.optimizer.lr.toPrecision(3))}`;
  const fold = config.split?.fold;
  if (fold) return `${base} · ${fold.index === null ? 'CV final' : `fold ${fold.index + 1}/${fold.k}`}`;
  return group?.kind === 'repeats' ? `${base} · seed ${(config as RunConfig).seed}` : base;
}

export class RunStore {
  /** readOnly: a read-only workspace — runs can be read, nothing is recorded (writes do nothing). */
  constructor(
    private readonly db: Db,
    private readonly readOnly = false,
  ) {}

  /** Record a run as it starts; it gets the next number of the workspace. Returns its number and name. */
  insert(summary: RunSummary, preprocessing: PreprocessingSpec | null, origin: 'local' | 'imported' = 'local'): { seq: number; name: string } {
    if (this.readOnly) return { seq: 0, name: summary.name || defaultRunName(0, summary.config) };
    return this.db.transaction(() => {
      const seq = (this.db.prepare('SELECT COALESCE(MAX(seq), 0) + 1 AS next FROM runs').get() as { next: number }).next;
      const name = summary.name || defaultRunName(seq, summary.config, summary.group);
      this.db
        .prepare(
          `INSERT INTO runs (id, seq, name, dataset_id, dataset_name, race_id, status, message, config_json, preprocessing_json,
             backend_json, versions_json, parameters, started_at, owner_pid, owner_host, tags_json, notes, origin, group_id, group_kind)
           VALUES (@id, @seq, @name, @dataset_id, @dataset_name, @race_id, @status, @message, @config_json, @preprocessing_json,
             @backend_json, @versions_json, @parameters, @started_at, @owner_pid, @owner_host, @tags_json, @notes, @origin, @group_id, @group_kind)`,
        )
        .run({
          id: summary.runId,
          seq,
          name,
          dataset_id: summary.datasetId,
          dataset_name: summary.datasetName,
          race_id: summary.raceId,
          status: summary.status,
          message: summary.message,
          config_json: JSON.stringify(summary.config),
          preprocessing_json: preprocessing ? JSON.stringify(preprocessing) : null,
          backend_json: summary.backend ? JSON.stringify(summary.backend) : null,
          versions_json: JSON.stringify(summary.versions),
          parameters: summary.parameters,
          started_at: summary.startedAt,
          owner_pid: process.pid,
          owner_host: hostname(),
          tags_json: JSON.stringify(summary.tags),
          notes: summary.notes,
          origin,
          group_id: summary.group?.id ?? null,
          group_kind: summary.group?.kind ?? null,
        });
      return { seq, name };
    }).immediate();
  }

  setStatus(runId: string, status: RunStatus, message: string, backend: RunSummary['backend']): void {
    if (this.readOnly) return;
    this.db.prepare('UPDATE runs SET status = ?, message = ?, backend_json = COALESCE(?, backend_json) WHERE id = ?').run(status, message, backend ? JSON.stringify(backend) : null, runId);
  }

  /** Commit an epoch with the step points since the last commit and the checkpoint of that epoch, in one transaction. */
  commitEpoch(runId: string, record: EpochRecord, steps: StepPoint[], checkpoint: { epoch: number; artifacts: ModelArtifactsData } | null): void {
    if (this.readOnly) return;
    this.db.transaction(() => {
      this.db
        .prepare('INSERT OR REPLACE INTO epochs (run_id, epoch, step, train_json, validation_json, elapsed_s) VALUES (?, ?, ?, ?, ?, ?)')
        .run(runId, record.epoch, record.step, JSON.stringify(record.train), record.validation ? JSON.stringify(record.validation) : null, record.elapsedS ?? null);
      this.#insertSteps(runId, steps);
      if (checkpoint) {
        this.db
          .prepare('INSERT OR REPLACE INTO checkpoints (run_id, epoch, model_json, weights) VALUES (?, ?, ?, ?)')
          .run(runId, checkpoint.epoch, JSON.stringify(checkpoint.artifacts.modelJson), Buffer.from(checkpoint.artifacts.weights.buffer, checkpoint.artifacts.weights.byteOffset, checkpoint.artifacts.weights.byteLength));
      }
      this.db.prepare('UPDATE runs SET steps = ? WHERE id = ?').run(record.step, runId);
    })();
  }

  #insertSteps(runId: string, steps: StepPoint[]): void {
    const insert = this.db.prepare('INSERT OR REPLACE INTO steps (run_id, step, loss, lr, grad_norm) VALUES (?, ?, ?, ?, ?)');
    for (const p of steps) insert.run(runId, p.step, p.loss, p.lr, p.gradNorm);
  }

  /** Replace a run's step series (after it was thinned). */
  replaceSteps(runId: string, steps: StepPoint[]): void {
    if (this.readOnly) return;
    this.db.transaction(() => {
      this.db.prepare('DELETE FROM steps WHERE run_id = ?').run(runId);
      this.#insertSteps(runId, steps);
    })();
  }

  addEvent(runId: string, n: number, event: RunEventPayload): void {
    if (this.readOnly) return;
    this.db.prepare('INSERT OR REPLACE INTO events (run_id, n, step, epoch, kind, message) VALUES (?, ?, ?, ?, ?, ?)').run(runId, n, event.step, event.epoch, event.kind, event.message);
  }

  setResults(runId: string, results: RunResults): void {
    if (this.readOnly) return;
    this.db.prepare('UPDATE runs SET results_json = ? WHERE id = ?').run(JSON.stringify(results), runId);
  }

  finish(runId: string, outcome: RunOutcome): void {
    if (this.readOnly) return;
    const started = this.db.prepare('SELECT started_at FROM runs WHERE id = ?').get(runId) as { started_at: string } | undefined;
    const durationMs = started ? Math.max(0, Date.parse(outcome.finishedAt) - Date.parse(started.started_at)) : null;
    this.db
      .prepare(
        `UPDATE runs SET status = @status, message = @message, finished_at = @finished_at, duration_ms = @duration_ms,
           metrics_json = @metrics_json, results_json = COALESCE(@results_json, results_json), model_id = @model_id,
           best_json = @best_json, backend_json = COALESCE(@backend_json, backend_json), versions_json = @versions_json,
           warnings_json = @warnings_json, baselines_json = @baselines_json
         WHERE id = @id`,
      )
      .run({
        id: runId,
        status: outcome.status,
        message: outcome.message,
        finished_at: outcome.finishedAt,
        duration_ms: durationMs,
        metrics_json: outcome.metrics ? JSON.stringify(outcome.metrics) : null,
        results_json: outcome.results ? JSON.stringify(outcome.results) : null,
        model_id: outcome.modelId,
        best_json: outcome.best ? JSON.stringify(outcome.best) : null,
        backend_json: outcome.backend ? JSON.stringify(outcome.backend) : null,
        versions_json: JSON.stringify(outcome.versions),
        warnings_json: JSON.stringify(outcome.warnings ?? []),
        baselines_json: outcome.baselines ? JSON.stringify(outcome.baselines) : null,
      });
  }

  setImportance(runId: string, importance: unknown): void {
    if (this.readOnly) return;
    this.db.prepare('UPDATE runs SET importance_json = ? WHERE id = ?').run(JSON.stringify(importance), runId);
  }

  /** The final decision surface of a run (the event as it was sent), to show it again later. */
  setSurface(runId: string, surface: unknown): void {
    if (this.readOnly) return;
    this.db.prepare('UPDATE runs SET surface_json = ? WHERE id = ?').run(JSON.stringify(surface), runId);
  }

  surface(runId: string): unknown {
    const r = this.db.prepare('SELECT surface_json FROM runs WHERE id = ?').get(runId) as { surface_json: string | null } | undefined;
    return r?.surface_json ? JSON.parse(r.surface_json) : null;
  }

  setModel(runId: string, modelId: string): void {
    if (this.readOnly) return;
    this.db.prepare('UPDATE runs SET model_id = ? WHERE id = ?').run(modelId, runId);
  }

  /**
   * Runs left active by a process that is gone (a crash, kill -9) become `interrupted`; their
   * committed epochs and checkpoint stay. `alive(pid)` says whether a process of this host runs.
   */
  markInterrupted(alive: (pid: number) => boolean): string[] {
    if (this.readOnly) return [];
    const host = hostname();
    const rows = this.db.prepare("SELECT id, owner_pid, owner_host FROM runs WHERE status IN ('preparing', 'training', 'paused')").all() as Pick<RunRecord, 'id' | 'owner_pid' | 'owner_host'>[];
    const gone = rows.filter((r) => r.owner_host === host && (r.owner_pid === null || (r.owner_pid !== process.pid && !alive(r.owner_pid))));
    const mark = this.db.prepare(
      "UPDATE runs SET status = 'interrupted', message = ?, finished_at = COALESCE(finished_at, ?) WHERE id = ? AND status IN ('preparing', 'training', 'paused')",
    );
    const now = new Date().toISOString();
    this.db.transaction(() => {
      for (const r of gone) {
        const last = this.db.prepare('SELECT MAX(epoch) AS epoch FROM epochs WHERE run_id = ?').get(r.id) as { epoch: number | null };
        const kept = last.epoch ? ` Its ${last.epoch} committed epoch(s) and the checkpoint of its last epoch are kept.` : ' No epoch had been committed.';
        mark.run(`interrupted: the process training it ended before the run did.${kept}`, now, r.id);
      }
    })();
    return gone.map((r) => r.id);
  }

  /** A run id from a prefix of at least 6 characters (or the whole id). */
  resolveId(given: string): string {
    const exact = this.db.prepare('SELECT id FROM runs WHERE id = ?').get(given) as { id: string } | undefined;
    if (exact) return exact.id;
    if (given.length < 6) throw new TickworkError('invalid_input', `Run id "${given}" is too short: give at least 6 characters of it (see "tickwork runs list").`);
    const matches = this.db.prepare("SELECT id, name FROM runs WHERE id LIKE ? ESCAPE '\\' LIMIT 6").all(`${given.replace(/[\\%_]/g, (c) => `\\${c}`)}%`) as { id: string; name: string }[];
    if (matches.length === 0) throw new TickworkError('not_found', `No run with id ${given} in this workspace. "tickwork runs list" shows them.`);
    if (matches.length > 1) {
      throw new TickworkError('invalid_input', `Run id ${given} is ambiguous: ${matches.map((m) => `${m.id} (${m.name})`).join(', ')}. Give more characters.`);
    }
    return matches[0].id;
  }

  exists(runId: string): boolean {
    return this.db.prepare('SELECT 1 FROM runs WHERE id = ?').get(runId) !== undefined;
  }

  /** Every run as a table row, newest first. */
  list(): RunRow[] {
    const rows = this.db
      .prepare(
        `SELECT r.*, (SELECT COUNT(*) FROM epochs e WHERE e.run_id = r.id) AS epochs_run
         FROM runs r ORDER BY r.started_at DESC, r.seq DESC`,
      )
      .all() as RunRecord[];
    return rows.map(toRow);
  }

  row(runId: string): RunRow {
    const r = this.db.prepare('SELECT r.*, (SELECT COUNT(*) FROM epochs e WHERE e.run_id = r.id) AS epochs_run FROM runs r WHERE id = ?').get(runId) as RunRecord | undefined;
    if (!r) throw new TickworkError('not_found', `No run with id ${runId}.`);
    return toRow(r);
  }

  /** One run in full: config, history, events, results, metrics. */
  get(runId: string): RunSummary {
    const r = this.db.prepare('SELECT * FROM runs WHERE id = ?').get(runId) as RunRecord | undefined;
    if (!r) throw new TickworkError('not_found', `No run with id ${runId}.`);
    const history = (this.db.prepare('SELECT epoch, step, train_json, validation_json, elapsed_s FROM epochs WHERE run_id = ? ORDER BY epoch').all(runId) as {
      epoch: number;
      step: number;
      train_json: string;
      validation_json: string | null;
      elapsed_s: number | null;
    }[]).map((e): EpochRecord => ({ epoch: e.epoch, step: e.step, train: JSON.parse(e.train_json), validation: parse<EpochRecord['validation']>(e.validation_json), elapsedS: e.elapsed_s }));
    const events = this.db.prepare('SELECT step, epoch, kind, message FROM events WHERE run_id = ? ORDER BY n').all(runId) as RunEventPayload[];
    return {
      runId: r.id,
      seq: r.seq,
      name: r.name,
      tags: JSON.parse(r.tags_json),
      notes: r.notes,
      origin: r.origin,
      datasetId: r.dataset_id ?? '',
      datasetName: r.dataset_name,
      status: r.status,
      message: r.message,
      config: JSON.parse(r.config_json),
      backend: parse(r.backend_json),
      history,
      events,
      results: parse(r.results_json),
      metrics: parse(r.metrics_json),
      warnings: JSON.parse(r.warnings_json ?? '[]'),
      baselines: parse(r.baselines_json),
      importance: parse(r.importance_json),
      versions: JSON.parse(r.versions_json),
      modelId: r.model_id,
      raceId: r.race_id,
      group: r.group_id && r.group_kind ? { id: r.group_id, kind: r.group_kind } : null,
      parameters: r.parameters,
      startedAt: r.started_at,
      finishedAt: r.finished_at,
    };
  }

  steps(runId: string): StepPoint[] {
    return (this.db.prepare('SELECT step, loss, lr, grad_norm FROM steps WHERE run_id = ? ORDER BY step').all(runId) as { step: number; loss: number | null; lr: number; grad_norm: number | null }[]).map(
      (s) => ({ step: s.step, loss: s.loss, lr: s.lr, gradNorm: s.grad_norm }),
    );
  }

  /** What is needed to rebuild a run's model from its last checkpoint: the weights, its config and preprocessing. */
  checkpoint(runId: string): { epoch: number; artifacts: ModelArtifactsData; config: RunConfig; preprocessing: PreprocessingSpec } | null {
    const c = this.db
      .prepare('SELECT c.epoch, c.model_json, c.weights, r.config_json, r.preprocessing_json FROM checkpoints c JOIN runs r ON r.id = c.run_id WHERE c.run_id = ?')
      .get(runId) as { epoch: number; model_json: string; weights: Buffer; config_json: string; preprocessing_json: string | null } | undefined;
    if (!c || !c.preprocessing_json) return null;
    return {
      epoch: c.epoch,
      artifacts: { modelJson: JSON.parse(c.model_json), weights: new Uint8Array(c.weights) },
      config: JSON.parse(c.config_json),
      preprocessing: JSON.parse(c.preprocessing_json),
    };
  }

  update(runId: string, changes: { name?: string; tags?: string[]; notes?: string }): void {
    if (this.readOnly) return;
    if (changes.name !== undefined) this.db.prepare('UPDATE runs SET name = ? WHERE id = ?').run(changes.name, runId);
    if (changes.tags !== undefined) this.db.prepare('UPDATE runs SET tags_json = ? WHERE id = ?').run(JSON.stringify([...new Set(changes.tags)]), runId);
    if (changes.notes !== undefined) this.db.prepare('UPDATE runs SET notes = ? WHERE id = ?').run(changes.notes, runId);
  }

  /** What a run looked like at the end of an epoch (its Results and decision surface), for its timeline. */
  addSnapshot(runId: string, epoch: number, snapshot: unknown): void {
    if (this.readOnly) return;
    this.db.prepare('INSERT OR REPLACE INTO snapshots (run_id, epoch, snapshot_json) VALUES (?, ?, ?)').run(runId, epoch, JSON.stringify(snapshot));
  }

  /** The epochs a run has snapshots of, in order. */
  snapshotEpochs(runId: string): number[] {
    return (this.db.prepare('SELECT epoch FROM snapshots WHERE run_id = ? ORDER BY epoch').all(runId) as { epoch: number }[]).map((r) => r.epoch);
  }

  snapshot(runId: string, epoch: number): unknown {
    const r = this.db.prepare('SELECT snapshot_json FROM snapshots WHERE run_id = ? AND epoch = ?').get(runId, epoch) as { snapshot_json: string } | undefined;
    return r ? JSON.parse(r.snapshot_json) : null;
  }

  /** A binary run's decision threshold, in its stored config. */
  setThreshold(runId: string, threshold: number): void {
    if (this.readOnly) return;
    this.db.prepare("UPDATE runs SET config_json = json_set(config_json, '$.threshold', ?) WHERE id = ?").run(threshold, runId);
  }

  /** Delete a run that has ended (its epochs, steps, events and checkpoint go with it); returns its model id. */
  delete(runId: string): string | null {
    const r = this.db.prepare('SELECT status, model_id, name FROM runs WHERE id = ?').get(runId) as { status: RunStatus; model_id: string | null; name: string } | undefined;
    if (!r) throw new TickworkError('not_found', `No run with id ${runId}.`);
    if (isActive(r.status)) throw new TickworkError('busy', `Run ${r.name} is still training. Stop it first, then delete it.`);
    this.db.prepare('DELETE FROM runs WHERE id = ?').run(runId);
    return r.model_id;
  }
}

function toRow(r: RunRecord): RunRow {
  const config = JSON.parse(r.config_json) as RunConfig;
  const backend = parse<{ name: string }>(r.backend_json);
  const seconds = (r.duration_ms ?? 0) / 1000;
  return {
    runId: r.id,
    seq: r.seq,
    name: r.name,
    status: r.status,
    message: r.message,
    datasetId: r.dataset_id,
    datasetName: r.dataset_name,
    raceId: r.race_id,
    group: r.group_id && r.group_kind ? { id: r.group_id, kind: r.group_kind } : null,
    fold: config.split?.fold ?? null,
    task: config.task,
    target: config.target,
    optimizer: config.optimizer.name,
    lr: config.optimizer.lr,
    schedule: config.schedule.kind,
    warmupSteps: config.schedule.warmupSteps,
    batchSize: config.batchSize,
    epochs: config.epochs,
    epochsRun: r.epochs_run ?? 0,
    network: describeNetwork(config.model),
    parameters: r.parameters,
    seed: config.seed,
    best: parse(r.best_json),
    metrics: parse(r.metrics_json),
    warnings: JSON.parse(r.warnings_json ?? '[]'),
    baselines: parse(r.baselines_json),
    durationMs: r.duration_ms,
    stepsPerSecond: r.steps && seconds > 0 ? r.steps / seconds : null,
    backend: backend?.name ?? null,
    tags: JSON.parse(r.tags_json),
    notes: r.notes,
    origin: r.origin,
    modelId: r.model_id,
    startedAt: r.started_at,
    finishedAt: r.finished_at,
  };
}
