/**
 * A table as one Tab stop with the arrow keys inside (the WAI-ARIA grid pattern, roving tabindex):
 * exactly one cell has tabindex 0 — the last one focused — so Tab enters the grid where the user
 * left it and the next Tab leaves it. Arrows, Home / End (with Ctrl: the grid's corners) and
 * PageUp / PageDown move between cells (grid-keys.ts). The controls inside a cell (a select, an
 * input) are no Tab stops of their own: Enter or F2 on the cell goes into its first control, Tab
 * and Shift+Tab move among the cell's controls, and Escape (or F2) goes back to the cell.
 *
 * Use: <table role="grid" use:gridNav>. The table may re-render its rows and controls at will;
 * tabindex follows (a MutationObserver), and the remembered cell is kept within the grid.
 */
import { nextCell, type Cell } from './grid-keys.js';

const CONTROLS = 'select, input, textarea, button, a[href], [contenteditable="true"]';

export function gridNav(table: HTMLTableElement): { destroy(): void } {
  let active: Cell = { row: 0, col: 0 };

  const rows = () => Array.from(table.rows);
  const cellAt = (at: Cell) => table.rows[at.row]?.cells[at.col] ?? null;
  /** The grid cell that holds an element (null: none of this table's). */
  const cellOf = (el: Element | null): HTMLTableCellElement | null => {
    const cell = el?.closest('td, th') as HTMLTableCellElement | null;
    return cell && cell.closest('table') === table ? cell : null;
  };
  const positionOf = (cell: HTMLTableCellElement): Cell => ({ row: (cell.parentElement as HTMLTableRowElement).rowIndex, col: cell.cellIndex });
  const controlsIn = (cell: Element) => Array.from(cell.querySelectorAll<HTMLElement>(CONTROLS)).filter((c) => !(c as HTMLInputElement).disabled);

  /** One cell is the Tab stop; no control inside is one. */
  function apply() {
    const all = rows();
    if (all.length === 0) return;
    const row = Math.min(active.row, all.length - 1);
    active = { row, col: Math.min(active.col, Math.max(0, all[row].cells.length - 1)) };
    for (const r of all) for (const c of Array.from(r.cells)) c.tabIndex = c === cellAt(active) ? 0 : -1;
    for (const control of Array.from(table.querySelectorAll<HTMLElement>(CONTROLS))) control.tabIndex = -1;
  }

  function focusCell(at: Cell) {
    active = at;
    apply();
    const cell = cellAt(at);
    cell?.focus();
    cell?.scrollIntoView({ block: 'nearest', inline: 'nearest' });
  }

  function onKeydown(event: KeyboardEvent) {
    const target = event.target as HTMLElement;
    const cell = cellOf(target);
    if (!cell) return;
    if (target === cell) {
      const to = nextCell(positionOf(cell), event, rows().map((r) => r.cells.length));
      if (to) {
        event.preventDefault();
        focusCell(to);
      } else if (event.key === 'Enter' || event.key === 'F2') {
        const first = controlsIn(cell)[0];
        if (first) {
          event.preventDefault();
          first.focus();
        }
      }
      return;
    }
    // A control inside a cell: it keeps its own keys (a select's arrows), except these.
    if (event.key === 'Escape' || event.key === 'F2') {
      event.preventDefault();
      event.stopPropagation();
      cell.focus();
    } else if (event.key === 'Tab') {
      const controls = controlsIn(cell);
      const next = controls[controls.indexOf(target) + (event.shiftKey ? -1 : 1)];
      if (next) {
        event.preventDefault();
        next.focus();
      }
    }
  }

  /** Wherever the focus lands in the grid (a click, a script), that cell becomes the Tab stop. */
  function onFocusin(event: FocusEvent) {
    const cell = cellOf(event.target as Element);
    if (!cell) return;
    const at = positionOf(cell);
    if (at.row !== active.row || at.col !== active.col) {
      active = at;
      apply();
    }
  }

  const observer = new MutationObserver(apply);
  observer.observe(table, { childList: true, subtree: true });
  table.addEventListener('keydown', onKeydown);
  table.addEventListener('focusin', onFocusin);
  apply();
  return {
    destroy() {
      observer.disconnect();
      table.removeEventListener('keydown', onKeydown);
      table.removeEventListener('focusin', onFocusin);
    },
  };
}
