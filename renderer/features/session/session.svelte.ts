/**
 * What comes back on reload and restart: the dataset that was open (with its choices, which the
 * workspace keeps per dataset), the training settings, the model's layers, the run shown in Live
 * and how Compare looks at the run table. Saved in the workspace (shortly after each change) and
 * in the tab's sessionStorage: a reloaded tab comes back to its own session (two tabs each to
 * theirs), a new tab or a restarted app to the workspace's last one.
 */
import type { TickworkApi } from '../../../shared/contract.js';
import type { ErrorBanner } from '../../lib/errors.svelte.js';
import type { DataState } from '../data/data.svelte.js';
import type { LiveRun } from '../live/live-run.svelte.js';
import type { ModelState } from '../model/model.svelte.js';
import type { TrainingSettings } from '../training/settings.svelte.js';
import type { CompareState } from '../compare/compare.svelte.js';

export interface SavedSession {
  version: 1;
  datasetId: string | null;
  settings: Record<string, unknown>;
  model: unknown;
  shownRun: string | null;
  /** Compare's sort, filters and scope (absent in sessions saved before). */
  compare?: unknown;
}

const KEY = 'session';
/** The tab's own copy of the session (sessionStorage is per tab and survives its reloads). */
const TAB_SESSION = 'tickwork.session';
const SAVE_DELAY_MS = 500;

export interface SessionParts {
  api: TickworkApi;
  errors: ErrorBanner;
  data: DataState;
  settings: TrainingSettings;
  model: ModelState;
  live: LiveRun;
  compare?: CompareState;
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
    const { data, settings, model, live, compare } = this.parts;
    return {
      version: 1,
      datasetId: data.summary?.id ?? null,
      settings: settings.snapshot(),
      model: model.snapshot(),
      shownRun: live.runId,
      ...(compare ? { compare: compare.view() } : {}),
    };
  }

  /** Come back as the workspace (and this tab) last saw it. */
  async restore(): Promise<void> {
    const { api, errors, data, settings, model, live, tab } = this.parts;
    try {
      const saved = this.#fromTab() ?? ((await errors.guard(() => api.getSavedState({ key: KEY }), { keep: true }))?.state as SavedSession | null | undefined);
      if (!saved || saved.version !== 1) return;
      settings.restore(saved.settings);
      model.restore(saved.model);
      this.parts.compare?.restoreView(saved.compare);
      if (saved.datasetId) await data.reopen(saved.datasetId);
      if (saved.shownRun) await live.follow(saved.shownRun);
    } finally {
      this.restored = true;
    }
  }

  /** The session this tab saved last (null: a new tab, or unreadable). */
  #fromTab(): SavedSession | null {
    try {
      const saved = JSON.parse(this.parts.tab?.getItem(TAB_SESSION) ?? 'null') as SavedSession | null;
      return saved && saved.version === 1 ? saved : null;
    } catch {
      return null;
    }
  }

  /** Save shortly (one write for a burst of changes). */
  saveSoon(): void {
    if (!this.restored) return;
    const session = this.current();
    this.parts.tab?.setItem(TAB_SESSION, JSON.stringify(session));
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = setTimeout(() => {
      this.#timer = null;
      void this.parts.errors.guard(() => this.parts.api.saveState({ key: KEY, state: session }), { keep: true });
    }, SAVE_DELAY_MS);
  }
}
