/**
 * A run's timeline: the epochs it kept a snapshot of (metrics, Results, decision surface — every
 * epoch of a short run, thinned for long ones), scrubbed or replayed after the run, so a run that
 * took one second can still be watched learning. `shown` is the snapshot on screen (null: the run
 * as it ended).
 */
import type { RunSnapshot, TickworkApi } from '../../../shared/contract.js';
import type { ErrorBanner } from '../../lib/errors.svelte.js';

/** Replay speed: epochs per second. */
const REPLAY_PER_SECOND = 8;

export class RunTimeline {
  runId = $state<string | null>(null);
  /** Epochs with a snapshot, in order. */
  epochs = $state.raw<number[]>([]);
  /** The snapshot shown instead of the run's end (null: the end). */
  shown = $state.raw<RunSnapshot | null>(null);
  playing = $state(false);
  #timer: ReturnType<typeof setTimeout> | null = null;
  #ticket = 0;

  constructor(
    private readonly api: TickworkApi,
    private readonly errors: ErrorBanner,
  ) {}

  /** Load the timeline of a run that has ended (null: none shown, or a run still training). */
  async load(runId: string | null): Promise<void> {
    this.pause();
    this.shown = null;
    this.runId = runId;
    this.epochs = [];
    if (!runId) return;
    const ticket = ++this.#ticket;
    const timeline = await this.errors.guard(() => this.api.runTimeline({ runId }), { keep: true });
    if (ticket !== this.#ticket || !timeline) return;
    this.epochs = timeline.epochs;
  }

  /** Show the run as it was at the end of this epoch (the nearest kept one at or before it). */
  async show(epoch: number): Promise<void> {
    const runId = this.runId;
    if (!runId || this.epochs.length === 0) return;
    const at = [...this.epochs].reverse().find((e) => e <= epoch) ?? this.epochs[0];
    if (this.shown?.epoch === at) return;
    const ticket = ++this.#ticket;
    const snapshot = await this.errors.guard(() => this.api.runSnapshot({ runId, epoch: at }), { keep: true });
    if (ticket !== this.#ticket || !snapshot) return;
    this.shown = snapshot;
  }

  /** Back to the run as it ended. */
  latest(): void {
    this.pause();
    this.#ticket++;
    this.shown = null;
  }

  /** Replay from the first kept epoch (or from the one shown) to the last, then show the end. */
  play(): void {
    if (this.epochs.length < 2) return;
    this.pause();
    this.playing = true;
    let i = this.shown ? Math.max(0, this.epochs.indexOf(this.shown.epoch)) : 0;
    if (i >= this.epochs.length - 1) i = 0;
    const step = async () => {
      if (!this.playing) return;
      await this.show(this.epochs[i]);
      i++;
      if (i >= this.epochs.length) {
        this.playing = false;
        return;
      }
      this.#timer = setTimeout(step, 1000 / REPLAY_PER_SECOND);
    };
    void step();
  }

  pause(): void {
    this.playing = false;
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = null;
  }
}
