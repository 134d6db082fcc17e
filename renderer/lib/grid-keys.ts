/**
 * Moving around an ARIA grid with the keyboard (the WAI-ARIA grid pattern), as a pure function of
 * where the focus is, the key, and the grid's shape: arrows move one cell, Home / End go to the
 * row's first / last cell, Ctrl+Home / Ctrl+End to the grid's first / last cell, PageUp / PageDown
 * a page of rows. Rows may have different lengths; a move lands on the nearest cell that exists.
 */
export interface Cell {
  row: number;
  col: number;
}

/** How many cells each row has. */
export type GridShape = number[];

export interface KeyPress {
  key: string;
  ctrlKey?: boolean;
  metaKey?: boolean;
}

/** Rows PageUp / PageDown move. */
export const PAGE_ROWS = 10;

/** The cell a key moves to, or null when the key is not a grid move (the key is left to the browser). */
export function nextCell(at: Cell, press: KeyPress, shape: GridShape): Cell | null {
  if (shape.length === 0) return null;
  const lastRow = shape.length - 1;
  const clampCol = (row: number, col: number) => Math.max(0, Math.min(col, (shape[row] ?? 1) - 1));
  const to = (row: number, col: number): Cell => {
    const r = Math.max(0, Math.min(row, lastRow));
    return { row: r, col: clampCol(r, col) };
  };
  const ctrl = press.ctrlKey === true || press.metaKey === true;
  switch (press.key) {
    case 'ArrowRight':
      return to(at.row, at.col + 1);
    case 'ArrowLeft':
      return to(at.row, at.col - 1);
    case 'ArrowDown':
      return to(at.row + 1, at.col);
    case 'ArrowUp':
      return to(at.row - 1, at.col);
    case 'Home':
      return ctrl ? to(0, 0) : to(at.row, 0);
    case 'End':
      return ctrl ? to(lastRow, Number.MAX_SAFE_INTEGER) : to(at.row, Number.MAX_SAFE_INTEGER);
    case 'PageDown':
      return to(at.row + PAGE_ROWS, at.col);
    case 'PageUp':
      return to(at.row - PAGE_ROWS, at.col);
    default:
      return null;
  }
}
