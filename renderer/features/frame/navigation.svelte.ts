/**
 * Deep links in the page's URL hash: one per step (#data, #model, #training, #live, #compare,
 * #predict) and one per run (#run/<id>, shown in Live). The main area shows the step the hash
 * points at (Model and Training share one view; no hash: Data), or every step at once when the
 * user asks ("Show all steps", and always when printing); each change of the hash is a history
 * entry, so back and forward walk through the steps and runs visited. (Desktop reaches the same
 * places from the Go menu.)
 */
import { tick } from 'svelte';
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
  /** Every step on one page (an overview), instead of the current one alone. */
  showAll = $state(false);

  /** The step shown: the one the hash names; a run is shown in Live; no hash (or an unknown one), Data. */
  get step(): StepId {
    const place = this.place;
    return place === null ? 'data' : place.kind === 'run' ? 'live' : place.step.id;
  }

  /** Whether a view is on screen: one of its steps is the current one, or all steps are shown. */
  shows(...steps: StepId[]): boolean {
    return this.showAll || steps.includes(this.step);
  }

  constructor(
    /** Show a run in Live (a #run/<id> link, or back/forward to one). */
    private readonly showRun: (runId: string) => Promise<void> | void,
  ) {}

  /** Follow the hash as it changes; and go where it points now (a deep link opened). Returns a stop function. */
  start(): () => void {
    // A change go() made has been applied already.
    const onChange = () => {
      if (this.#applied === window.location.hash) this.#applied = null;
      else void this.apply();
    };
    window.addEventListener('hashchange', onChange);
    // A page opened at a deep link shows its step, but the focus stays at the top ("Skip to Train" first).
    void this.apply('none');
    return () => window.removeEventListener('hashchange', onChange);
  }

  /** A link was clicked: a new history entry, or (the same place again) go there once more. */
  /**
   * A link was clicked (or a flow moves the user on, like Train to Live): a new history entry, or
   * (the same place again) go there once more. Resolves once the step is drawn and revealed.
   * focus false: the heading is scrolled to but not focused (the caller puts the focus somewhere),
   * unless the focus was left in a step no longer shown.
   */
  go(hash: string, event?: Event, options: { focus?: boolean } = {}): Promise<void> {
    event?.preventDefault();
    if (window.location.hash !== hash) {
      this.#applied = hash;
      window.location.hash = hash;
    }
    return this.apply(options.focus === false ? 'if-lost' : 'heading');
  }

  #applied: string | null = null;

  async apply(focus: Focus = 'heading'): Promise<void> {
    const place = parseHash(window.location.hash);
    this.place = place;
    if (!place) return;
    if (place.kind === 'run') {
      await this.showRun(place.runId);
      await tick();
      reveal('live-title', focus);
    } else {
      // The step's view is drawn first, then its heading is revealed.
      await tick();
      reveal(place.step.anchor, focus);
    }
  }
}

/** Where reveal puts the focus: on the heading; there only if it was left in a step no longer shown; nowhere. */
type Focus = 'heading' | 'if-lost' | 'none';

/**
 * Scroll a panel's heading to the top of the window and (as asked) put the focus on it, so Tab
 * continues from there. Scrolled with window.scrollTo, not scrollIntoView: Chromium's
 * scrollIntoView also moves the sequential focus navigation starting point to the heading, so a
 * page opened at #data had its first Tab land on the Data step's first control instead of
 * "Skip to Train" — where the focus is not moved, Tab must still start at the top of the page.
 */
function reveal(id: string, focus: Focus): void {
  const heading = document.getElementById(id);
  if (!heading) return;
  if (!heading.hasAttribute('tabindex')) heading.setAttribute('tabindex', '-1');
  // Clear of the sticky bars, as scroll-padding-top asks of anything scrolled into view.
  const padding = parseFloat(getComputedStyle(document.documentElement).scrollPaddingTop) || 0;
  window.scrollTo({ top: Math.max(0, heading.getBoundingClientRect().top + window.scrollY - padding) });
  const at = document.activeElement as HTMLElement | null;
  const lost = !at || at === document.body || at.offsetParent === null;
  if (focus === 'heading' || (focus === 'if-lost' && lost)) heading.focus({ preventScroll: true });
}
