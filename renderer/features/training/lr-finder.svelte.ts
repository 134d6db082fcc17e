/**
 * The LR range test (Smith 2017) as the Training step runs it: a sweep on a fresh copy of the
 * model with the current settings, its smoothed loss curve and the suggested learning rate.
 */
import type { TickworkApi } from '../../../shared/contract.js';
import type { RunConfigInput } from '../../../shared/run-config.js';
import type { ErrorBanner } from '../../lib/errors.svelte.js';

export type LrSweep = Awaited<ReturnType<TickworkApi['findLearningRate']>>;

/**
 * What a sweep depends on: the dataset and every setting but the learning rate itself (and the
 * epochs, which a 200-step sweep does not reach). A suggestion belongs to the key it was measured with.
 */
export function sweepKey(datasetId: string, config: RunConfigInput): string {
  const { epochs: _epochs, optimizer, ...rest } = config;
  const { lr: _lr, ...optimizerRest } = (optimizer ?? {}) as Record<string, unknown>;
  return JSON.stringify({ datasetId, ...rest, optimizer: optimizerRest });
}

export class LrFinderState {
  result = $state.raw<LrSweep | null>(null);
  finding = $state(false);
  /** The sweepKey the result was measured with. */
  measuredWith = $state<string | null>(null);
  /** The dataset's name it was measured on (for the note when it no longer fits). */
  measuredOn = $state<string | null>(null);

  constructor(
    private readonly api: Pick<TickworkApi, 'findLearningRate'>,
    private readonly errors: ErrorBanner,
  ) {}

  /** Sweep the learning rate for this config on the dataset. */
  async run(datasetId: string, config: RunConfigInput, datasetName = ''): Promise<void> {
    this.finding = true;
    try {
      const key = sweepKey(datasetId, config);
      const result = await this.errors.guard(() => this.api.findLearningRate({ datasetId, config, steps: 200 }));
      if (result) {
        this.result = result;
        this.measuredWith = key;
        this.measuredOn = datasetName;
      }
    } finally {
      this.finding = false;
    }
  }

  /** Forget the sweep (another dataset was opened). */
  clear(): void {
    this.result = null;
    this.measuredWith = null;
    this.measuredOn = null;
  }

  /** Steepest descent, else the minimum loss / 10; null before a sweep or when it found neither. */
  get suggestedLr(): number | null {
    const s = this.result?.suggestions;
    return s ? (s.steepest ?? s.minLossOver10) : null;
  }
}
