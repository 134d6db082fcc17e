/**
 * The LR range test (Smith 2017) as the Training step runs it: a sweep on a fresh copy of the
 * model with the current settings, its smoothed loss curve and the suggested learning rate.
 */
import type { TickworkApi } from '../../../shared/contract.js';
import type { RunConfigInput } from '../../../shared/run-config.js';
import type { ErrorBanner } from '../../lib/errors.svelte.js';

export type LrSweep = Awaited<ReturnType<TickworkApi['findLearningRate']>>;

export class LrFinderState {
  result = $state.raw<LrSweep | null>(null);
  finding = $state(false);

  constructor(
    private readonly api: Pick<TickworkApi, 'findLearningRate'>,
    private readonly errors: ErrorBanner,
  ) {}

  /** Sweep the learning rate for this config on the dataset. */
  async run(datasetId: string, config: RunConfigInput): Promise<void> {
    this.finding = true;
    try {
      const result = await this.errors.guard(() => this.api.findLearningRate({ datasetId, config, steps: 200 }));
      if (result) this.result = result;
    } finally {
      this.finding = false;
    }
  }

  /** Steepest descent, else the minimum loss / 10; null before a sweep or when it found neither. */
  get suggestedLr(): number | null {
    const s = this.result?.suggestions;
    return s ? (s.steepest ?? s.minLossOver10) : null;
  }
}
