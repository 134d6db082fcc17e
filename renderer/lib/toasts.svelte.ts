/**
 * Toasts: a word about something that happened away from where the user is looking (a run ended,
 * an export was written). Each stays a while (longer than it takes to read), at most a few at once;
 * the region that shows them is aria-live, so a screen reader says them too.
 */
export interface Toast {
  id: number;
  text: string;
  kind: 'info' | 'error';
}

/** How long a toast stays, in ms. */
const SHOW_MS = 10_000;
const MAX_SHOWN = 4;

export class Toasts {
  items = $state.raw<Toast[]>([]);
  #next = 1;

  show(text: string, kind: Toast['kind'] = 'info'): void {
    const toast = { id: this.#next++, text, kind };
    this.items = [...this.items, toast].slice(-MAX_SHOWN);
    setTimeout(() => this.dismiss(toast.id), SHOW_MS);
  }

  dismiss(id: number): void {
    this.items = this.items.filter((t) => t.id !== id);
  }
}
