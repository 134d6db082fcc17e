/** The page's side of the desktop menu's Go commands: a step goes to its deep link, Back and Forward walk the history. */
import { describe, expect, it } from 'vitest';
import type { MenuAction } from '../../../shared/shell';
import { WORKBENCH_STEPS } from '../../../shared/workbench-steps';
import { followMenuAction } from '../../../renderer/features/frame/menu-navigation';
import { parseHash } from '../../../renderer/features/frame/navigation.svelte';

function recorder() {
  const calls: string[] = [];
  return { calls, to: { go: (hash: string) => calls.push(`go ${hash}`), back: () => calls.push('back'), forward: () => calls.push('forward') } };
}

describe('followMenuAction', () => {
  it('goes to each step by its deep link, one the page knows', () => {
    const { calls, to } = recorder();
    for (const step of WORKBENCH_STEPS) expect(followMenuAction({ type: 'go-step', step: step.id }, to)).toBe(true);
    expect(calls).toEqual(['go #data', 'go #model', 'go #training', 'go #live', 'go #compare', 'go #predict']);
    for (const call of calls) expect(parseHash(call.slice(3))).toMatchObject({ kind: 'step' });
  });

  it('walks back and forward through the history', () => {
    const { calls, to } = recorder();
    followMenuAction({ type: 'go-back' }, to);
    followMenuAction({ type: 'go-forward' }, to);
    expect(calls).toEqual(['back', 'forward']);
  });

  it('leaves the File menu’s actions to the caller', () => {
    const { calls, to } = recorder();
    const file: MenuAction[] = [{ type: 'open-dataset', path: '/data/churn.csv' }, { type: 'export-model' }];
    for (const action of file) expect(followMenuAction(action, to)).toBe(false);
    expect(calls).toEqual([]);
  });
});
