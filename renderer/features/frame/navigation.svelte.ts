/**
 * Deep links in the page's URL hash: one per step (#data, #model, #training, #live, #compare,
 * #predict) and one per run (#run/<id>, shown in Live). Every step stays in the page; a link
 * scrolls to its panel, and each change of the hash is a history entry, so back and forward
 * walk through the steps and runs visited. (Desktop reaches the same places from the sidebar.)
 */
import { WORKBENCH_STEPS, type StepId } from '../../../shared/workbench-steps.js';

export interface StepLink {
  /** The hash, without '#'. */
  id: StepId;
  label: string;
  /** The id of the panel's heading (scrolled to and focused). */
  anchor: string;
}

/** Each step's panel heading. */
const ANCHORS: Record<StepId, string> = {
  data: 'data-title',
  model: 'model-title',
  training: 'train-title',
  live: 'live-title',
  compare: 'compare-title',
  predict: 'predict-title',
};

export const STEP_LINKS: StepLink[] = WORKBENCH_STEPS.map((s) => ({ id: s.id, label: s.label, anchor: ANCHORS[s.id] }));

export type Place = { kind: 'step'; step: StepLink } | { kind: 'run'; runId: string } | null;

/** What a hash points at (null: nothing known). */
export function parseHash(hash: string): Place {
  const at = hash.replace(/^#/, '');
  const run = /^run\/([\w-]+)$/.exec(at);
  if (run) return { kind: 'run', runId: run[1] };
  const step = STEP_LINKS.find((s) => s.id === at);
  return step ? { kind: 'step', step } : null;
}

export class Navigation {
  /** Where the hash points now. */
  place = $state.raw<Place>(null);

  constructor(
    /** Show a run in Live (a #run/<id> link, or back/forward to one). */
    private readonly showRun: (runId: string) => Promise<void> | void,
  ) {}

  /** Follow the hash as it changes; and go where it points now (a deep link opened). Returns a stop function. */
  start(): () => void {
    const onChange = () => void this.apply();
    window.addEventListener('hashchange', onChange);
    void this.apply();
    return () => window.removeEventListener('hashchange', onChange);
  }

  /** A link was clicked: a new history entry, or (the same place again) go there once more. */
  go(hash: string, event?: Event): void {
    event?.preventDefault();
    if (window.location.hash === hash) void this.apply();
    else window.location.hash = hash;
  }

  async apply(): Promise<void> {
    const place = parseHash(window.location.hash);
    this.place = place;
    if (!place) return;
    if (place.kind === 'run') {
      await this.showRun(place.runId);
      reveal('live-title');
    } else reveal(place.step.anchor);
  }
}

/** Scroll a panel's heading into view and put the focus on it (so Tab continues from there). */
function reveal(id: string): void {
  const heading = document.getElementById(id);
  if (!heading) return;
  heading.scrollIntoView({ block: 'start' });
  if (!heading.hasAttribute('tabindex')) heading.setAttribute('tabindex', '-1');
  heading.focus({ preventScroll: true });
}
