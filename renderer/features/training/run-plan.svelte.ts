/**
 * The service's plan for the current settings (resolved task and inputs, the network with
 * parameter counts, rows, steps), as a resource in the style of runed's `resource`: its
 * sources are getters given to the constructor; whenever what they read changes, a new plan is
 * asked for after a short pause, and an answer to an older request is dropped (its request is
 * aborted). `current`, `error` and `loading` say where it stands.
 */
import type { RunPlan, TickworkApi } from '../../../shared/contract.js';
import type { RunConfigInput } from '../../../shared/run-config.js';

export interface RunPlanSources {
  /** The open dataset (null: none, so no plan). */
  datasetId: () => string | null;
  /** The run request for it (null: not ready, e.g. no target yet). */
  config: () => RunConfigInput | null;
}

/** Wait this long after the last change before asking the service for a new plan. */
export const PLAN_DELAY_MS = 250;

export class RunPlanResource {
  #current = $state.raw<RunPlan | null>(null);
  #error = $state<string | null>(null);
  #loading = $state(false);
  #timer: ReturnType<typeof setTimeout> | null = null;
  #controller: AbortController | null = null;
  readonly #stop: () => void;

  constructor(
    private readonly api: Pick<TickworkApi, 'planRun'>,
    private readonly sources: RunPlanSources,
    private readonly delayMs = PLAN_DELAY_MS,
  ) {
    // Whatever the sources read (the dataset, every setting of the config) re-runs this effect.
    this.#stop = $effect.root(() => {
      $effect(() => this.refresh());
    });
  }

  /** Read the sources now and ask for their plan after the pause (the effect calls this on every change). */
  refresh(): void {
    const datasetId = this.sources.datasetId();
    this.#schedule(datasetId, datasetId ? this.sources.config() : null);
  }

  get current(): RunPlan | null {
    return this.#current;
  }

  /** Why there is no plan (the service's message, e.g. a batch larger than the training rows). */
  get error(): string | null {
    return this.#error;
  }

  get loading(): boolean {
    return this.#loading;
  }

  #schedule(datasetId: string | null, config: RunConfigInput | null): void {
    if (this.#timer) clearTimeout(this.#timer);
    this.#controller?.abort();
    if (!datasetId || !config) {
      this.#current = null;
      this.#error = null;
      this.#loading = false;
      return;
    }
    this.#loading = true;
    this.#timer = setTimeout(() => void this.#fetch(datasetId, config), this.delayMs);
  }

  async #fetch(datasetId: string, config: RunConfigInput): Promise<void> {
    const controller = new AbortController();
    this.#controller = controller;
    try {
      const plan = await this.api.planRun({ datasetId, config });
      if (controller.signal.aborted) return;
      this.#current = plan;
      this.#error = null;
    } catch (err) {
      if (controller.signal.aborted) return;
      this.#current = null;
      this.#error = err instanceof Error ? err.message : String(err);
    } finally {
      if (!controller.signal.aborted) this.#loading = false;
    }
  }

  dispose(): void {
    if (this.#timer) clearTimeout(this.#timer);
    this.#controller?.abort();
    this.#stop();
  }
}
