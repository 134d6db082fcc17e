/**
 * How a run is recorded in the workspace while it trains: the run when it starts, each epoch with
 * the step points since the last one and that epoch's checkpoint (one transaction), a timeline
 * snapshot per epoch (thinned past 100), events, the latest Results, and its outcome. When a write
 * fails — a full disk, say — `failed` holds why, nothing more is written, and the session stops the
 * run; what was committed before stays readable.
 */
import type { EpochRecord, EventPayload, RunEventPayload, RunResults, RunStatus, RunSummary } from '../shared/contract.js';
import type { ModelArtifactsData } from '../models/io/model-files.js';
import type { PreprocessingSpec } from '../models/prep/preprocessing.js';
import type { Results } from '../models/train/results.js';
import type { RunOutcome, RunStore, StepPoint } from './workspace/run-store.js';
import { StepSeries } from './step-series.js';

/** Every epoch's snapshot up to this many epochs, then ever fewer (about 560 for 10,000 epochs). */
const SNAPSHOT_EVERY_EPOCH_UNTIL = 100;

export class RunRecorder {
  /** The step series (loss, LR, gradient norm), thinned past a few thousand points. */
  readonly #steps = new StepSeries();
  /** An epoch waits for its checkpoint to be committed with it. */
  #pendingEpoch: EpochRecord | null = null;
  #checkpoint: { epoch: number; artifacts: ModelArtifactsData } | null = null;
  /** Recent epochs' Results, until their epoch is committed (Results come before the record, the commit after it). */
  readonly #epochResults = new Map<number, Results>();
  /** Why the run could not be recorded; null while all is well. */
  failed: string | null = null;

  constructor(
    private readonly store: RunStore,
    private readonly runId: string,
    /** Results as the page sees them, without the predictions table (for snapshots). */
    private readonly compact: (epoch: number, latest: Results) => RunResults,
    /** The latest decision surface, for snapshots. */
    private readonly surface: () => EventPayload<'training:surface'> | null,
    /** Called once, when a write fails: the session stops the run. */
    private readonly onFailure: () => void,
  ) {}

  get steps(): StepPoint[] {
    return this.#steps.points;
  }

  /** The last checkpoint the worker sent (a failed run keeps its model). */
  get checkpoint(): { epoch: number; artifacts: ModelArtifactsData } | null {
    return this.#checkpoint;
  }

  /** Run a workspace write; a failure stops further writes and the run. */
  write(fn: () => void): void {
    if (this.failed) return;
    try {
      fn();
    } catch (err) {
      const message = (err as Error).message;
      const full = /SQLITE_FULL|disk is full|ENOSPC/i.test(`${(err as { code?: string }).code ?? ''} ${message}`);
      this.failed = `failed: the run could not be recorded in the workspace (${full ? 'the disk is full' : message}). It was stopped; everything recorded before stays readable.`;
      this.onFailure();
    }
  }

  /** Recorded before anything else: from here on a crash leaves it `interrupted` with what was committed. */
  started(summary: RunSummary, preprocessing: PreprocessingSpec): void {
    this.write(() => Object.assign(summary, this.store.insert(summary, preprocessing)));
  }

  status(status: RunStatus, message: string, backend: RunSummary['backend']): void {
    this.write(() => this.store.setStatus(this.runId, status, message, backend));
  }

  step(point: StepPoint): void {
    this.#steps.push(point);
  }

  /** An epoch ended: the previous one (if its checkpoint never came) is committed, this one waits for its checkpoint. */
  epoch(record: EpochRecord): void {
    this.commitEpoch();
    this.#pendingEpoch = record;
  }

  epochResults(epoch: number, latest: Results): void {
    this.#epochResults.set(epoch, latest);
    if (this.#epochResults.size > 4) this.#epochResults.delete(this.#epochResults.keys().next().value!);
  }

  checkpointed(epoch: number, artifacts: ModelArtifactsData): void {
    this.#checkpoint = { epoch, artifacts };
    this.commitEpoch();
  }

  event(n: number, event: RunEventPayload): void {
    this.write(() => this.store.addEvent(this.runId, n, event));
  }

  results(results: RunResults): void {
    this.write(() => this.store.setResults(this.runId, results));
  }

  /** Commit the epoch that ended, with the step points since the last commit and its checkpoint, in one transaction; then its snapshot. */
  commitEpoch(): void {
    const record = this.#pendingEpoch;
    if (!record) return;
    this.#pendingEpoch = null;
    const checkpoint = this.#checkpoint?.epoch === record.epoch ? this.#checkpoint : null;
    const fresh = this.#steps.takeFresh();
    this.write(() => {
      if (fresh === null) this.store.replaceSteps(this.runId, this.#steps.points);
      this.store.commitEpoch(this.runId, record, fresh ?? [], checkpoint);
    });
    this.#snapshot(record);
  }

  /** What the run looked like at the end of this epoch — metrics, Results, the decision surface — for its timeline. */
  #snapshot(record: EpochRecord): void {
    const { epoch } = record;
    if (epoch > SNAPSHOT_EVERY_EPOCH_UNTIL && epoch % Math.ceil(epoch / SNAPSHOT_EVERY_EPOCH_UNTIL) !== 0) return;
    const pending = this.#epochResults.get(epoch) ?? null;
    this.#epochResults.delete(epoch);
    const results = pending ? this.compact(epoch, pending) : null;
    this.write(() => this.store.addSnapshot(this.runId, epoch, { epoch, record, results, surface: this.surface() }));
  }

  /** The run's ending — written even after a failed write, if the disk allows it now. */
  finished(outcome: RunOutcome): void {
    this.commitEpoch();
    try {
      this.store.replaceSteps(this.runId, this.#steps.points); // once per run: the whole (thinned) series
      this.store.finish(this.runId, outcome);
    } catch {
      /* the in-memory summary still says how it ended */
    }
  }

  importance(importance: unknown): void {
    try {
      this.store.setImportance(this.runId, importance);
    } catch {
      /* it can be computed again */
    }
  }

  finalSurface(surface: unknown): void {
    try {
      this.store.setSurface(this.runId, surface);
    } catch {
      /* the picture is a nicety */
    }
  }
}
