import { describe, expect, it } from 'vitest';
import { nextCell, PAGE_ROWS } from '../../renderer/lib/grid-keys';

describe('nextCell (the grid pattern: where a key moves the focus)', () => {
  const shape = [8, 8, 8, 7]; // the last row is a cell short
  it('moves one cell with the arrows and stops at the edges', () => {
    expect(nextCell({ row: 1, col: 1 }, { key: 'ArrowRight' }, shape)).toEqual({ row: 1, col: 2 });
    expect(nextCell({ row: 1, col: 1 }, { key: 'ArrowLeft' }, shape)).toEqual({ row: 1, col: 0 });
    expect(nextCell({ row: 1, col: 1 }, { key: 'ArrowDown' }, shape)).toEqual({ row: 2, col: 1 });
    expect(nextCell({ row: 1, col: 1 }, { key: 'ArrowUp' }, shape)).toEqual({ row: 0, col: 1 });
    expect(nextCell({ row: 0, col: 0 }, { key: 'ArrowUp' }, shape)).toEqual({ row: 0, col: 0 });
    expect(nextCell({ row: 0, col: 0 }, { key: 'ArrowLeft' }, shape)).toEqual({ row: 0, col: 0 });
    expect(nextCell({ row: 1, col: 7 }, { key: 'ArrowRight' }, shape)).toEqual({ row: 1, col: 7 });
    expect(nextCell({ row: 3, col: 3 }, { key: 'ArrowDown' }, shape)).toEqual({ row: 3, col: 3 });
  });
  it('lands on the nearest cell of a shorter row', () => {
    expect(nextCell({ row: 2, col: 7 }, { key: 'ArrowDown' }, shape)).toEqual({ row: 3, col: 6 });
  });
  it('Home / End go along the row; with Ctrl (or Cmd) to the corners of the grid', () => {
    expect(nextCell({ row: 2, col: 4 }, { key: 'Home' }, shape)).toEqual({ row: 2, col: 0 });
    expect(nextCell({ row: 2, col: 4 }, { key: 'End' }, shape)).toEqual({ row: 2, col: 7 });
    expect(nextCell({ row: 2, col: 4 }, { key: 'Home', ctrlKey: true }, shape)).toEqual({ row: 0, col: 0 });
    expect(nextCell({ row: 1, col: 4 }, { key: 'End', metaKey: true }, shape)).toEqual({ row: 3, col: 6 });
  });
  it('PageUp / PageDown move a page of rows', () => {
    const tall = Array.from({ length: 30 }, () => 3);
    expect(nextCell({ row: 2, col: 1 }, { key: 'PageDown' }, tall)).toEqual({ row: 2 + PAGE_ROWS, col: 1 });
    expect(nextCell({ row: 25, col: 1 }, { key: 'PageDown' }, tall)).toEqual({ row: 29, col: 1 });
    expect(nextCell({ row: 5, col: 1 }, { key: 'PageUp' }, tall)).toEqual({ row: 0, col: 1 });
  });
  it('leaves other keys (Enter, Tab, letters) and an empty grid to the browser', () => {
    expect(nextCell({ row: 0, col: 0 }, { key: 'Enter' }, shape)).toBeNull();
    expect(nextCell({ row: 0, col: 0 }, { key: 'Tab' }, shape)).toBeNull();
    expect(nextCell({ row: 0, col: 0 }, { key: 'a' }, shape)).toBeNull();
    expect(nextCell({ row: 0, col: 0 }, { key: 'ArrowDown' }, [])).toBeNull();
  });
});
