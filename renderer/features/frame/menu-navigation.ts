/**
 * The desktop menu's Go commands in the page: a step goes to its deep link (#data … #predict, a
 * history entry like a sidebar click), Back and Forward walk the history. Other menu actions are
 * not navigation and are left to the caller.
 */
import type { MenuAction } from '../../../shared/shell.js';

export interface NavigationTarget {
  /** Go to a hash (a new history entry). */
  go(hash: string): void;
  back(): void;
  forward(): void;
}

/** Carry out a navigation menu action; false when the action is not one. */
export function followMenuAction(action: MenuAction, to: NavigationTarget): boolean {
  switch (action.type) {
    case 'go-step':
      to.go(`#${action.step}`);
      return true;
    case 'go-back':
      to.back();
      return true;
    case 'go-forward':
      to.forward();
      return true;
    default:
      return false;
  }
}
