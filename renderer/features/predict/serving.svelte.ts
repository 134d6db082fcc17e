/**
 * The model in use, served over HTTP from the app: start, stop, and its live counters (read every
 * two seconds while it runs).
 */
import type { ServingStats, TickworkApi } from '../../../shared/contract.js';
import type { ErrorBanner } from '../../lib/errors.svelte.js';

type Serving = Awaited<ReturnType<TickworkApi['serveModel']>>;

const POLL_MS = 2000;

export class ServingState {
  current = $state.raw<Serving | null>(null);
  stats = $state.raw<ServingStats | null>(null);
  starting = $state(false);
  #timer: ReturnType<typeof setInterval> | null = null;

  constructor(
    private readonly api: Pick<TickworkApi, 'serveModel' | 'stopServingModel' | 'servingStats'>,
    private readonly errors: ErrorBanner,
    /** The model Predict & export works with. */
    private readonly modelId: () => string | null,
  ) {}

  async start(): Promise<void> {
    const modelId = this.modelId();
    if (!modelId) return;
    this.starting = true;
    try {
      const served = await this.errors.guard(() => this.api.serveModel({ modelId }));
      if (!served) return;
      this.current = served;
      this.#poll();
    } finally {
      this.starting = false;
    }
  }

  #poll(): void {
    if (this.#timer) clearInterval(this.#timer);
    const read = async () => {
      const served = this.current;
      if (!served) return;
      const stats = await this.errors.guard(() => this.api.servingStats({ modelId: served.modelId }), { keep: true });
      if (this.current !== served || !stats) return;
      this.stats = stats;
      if (!stats.running) this.#ended();
    };
    void read();
    this.#timer = setInterval(() => void read(), POLL_MS);
  }

  #ended(): void {
    if (this.#timer) clearInterval(this.#timer);
    this.#timer = null;
    this.current = null;
    this.stats = null;
  }

  async stop(): Promise<void> {
    const served = this.current;
    if (!served) return;
    await this.errors.guard(() => this.api.stopServingModel({ modelId: served.modelId }));
    this.#ended();
  }
}
