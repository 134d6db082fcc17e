/**
 * What comes back on reload and restart: the dataset that was open (with its choices, which the
 * workspace keeps per dataset), the training settings, the model's layers and the run shown in
 * Live. Saved in the workspace (shortly after each change) and, for the run a tab shows, in that
 * tab's sessionStorage too — so two tabs each come back to their own run.
 */
import type { TickworkApi } from '../../../shared/contract.js';
import type { ErrorBanner } from '../../lib/errors.svelte.js';
import type { DataState } from '../data/data.svelte.js';
import type { LiveRun } from '../live/live-run.svelte.js';
import type { ModelState } from '../model/model.svelte.js';
import type { TrainingSettings } from '../training/settings.svelte.js';

export interface SavedSession {
  version: 1;
  datasetId: string | null;
  settings: Record<string, unknown>;
  model: unknown;
  shownRun: string | null;
}

const KEY = 'session';
const TAB_RUN = 'tickwork.shownRun';
const SAVE_DELAY_MS = 500;

export interface SessionParts {
  api: TickworkApi;
  errors: ErrorBanner;
  data: DataState;
  settings: TrainingSettings;
  model: ModelState;
  live: LiveRun;
  /** This tab's storage (absent in tests). */
  tab?: Pick<Storage, 'getItem' | 'setItem'> | null;
}

export class SessionKeeper {
  /** True once restore() has run: nothing is saved before, so a reload does not overwrite what it comes back to. */
  restored = $state(false);
  #timer: ReturnType<typeof setTimeout> | null = null;

  constructor(private readonly parts: SessionParts) {}

  /** The session as it stands. */
  current(): SavedSession {
    const { data, settings, model, live } = this.parts;
    return { version: 1, datasetId: data.summary?.id ?? null, settings: settings.snapshot(), model: model.snapshot(), shownRun: live.runId };
  }

  /** Come back as the workspace (and this tab) last saw it. */
  async restore(): Promise<void> {
    const { api, errors, data, settings, model, live, tab } = this.parts;
    try {
      const saved = (await errors.guard(() => api.getSavedState({ key: KEY }), { keep: true }))?.state as SavedSession | null | undefined;
      if (!saved || saved.version !== 1) return;
      settings.restore(saved.settings);
      model.restore(saved.model);
      if (saved.datasetId) await data.reopen(saved.datasetId);
      const shown = tab?.getItem(TAB_RUN) || saved.shownRun;
      if (shown) await live.follow(shown);
    } finally {
      this.restored = true;
    }
  }

  /** Save shortly (one write for a burst of changes). */
  saveSoon(): void {
    if (!this.restored) return;
    const session = this.current();
    this.parts.tab?.setItem(TAB_RUN, session.shownRun ?? '');
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = setTimeout(() => {
      this.#timer = null;
      void this.parts.errors.guard(() => this.parts.api.saveState({ key: KEY, state: session }), { keep: true });
    }, SAVE_DELAY_MS);
  }
}
