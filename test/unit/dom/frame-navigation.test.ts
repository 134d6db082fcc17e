import { describe, expect, it } from 'vitest';
import type { RunRow } from '../../../shared/contract';
import { workspaceGroups } from '../../../renderer/features/frame/workspace-lists';
import { parseHash } from '../../../renderer/features/frame/navigation.svelte';

let seq = 0;
const row = (over: Partial<RunRow>): RunRow => ({ runId: `r${++seq}`, seq, name: `#${seq} adam lr 0.001`, datasetId: 'd1', datasetName: 'moons', raceId: null, ...over }) as RunRow;

describe('deep links', () => {
  it('reads a step or a run from the hash, and nothing else', () => {
    expect(parseHash('#compare')).toMatchObject({ kind: 'step', step: { id: 'compare', anchor: 'compare-title' } });
    expect(parseHash('#run/709f0d0d-04b1-4c1e-a7e0-3f9c2a000001')).toEqual({ kind: 'run', runId: '709f0d0d-04b1-4c1e-a7e0-3f9c2a000001' });
    expect(parseHash('')).toBeNull();
    expect(parseHash('#elsewhere')).toBeNull();
    expect(parseHash('#run/')).toBeNull();
  });
});

describe('the sidebar’s runs', () => {
  it('groups runs by dataset, the open one first, and folds a race into one entry', () => {
    const rows = [
      row({ datasetId: 'd2', datasetName: 'iris' }),
      row({ raceId: 'race1' }),
      row({ raceId: 'race1' }),
      row({}),
      row({ raceId: 'race1' }),
    ];
    const groups = workspaceGroups(rows, [], 'd1');
    expect(groups.map((g) => g.datasetName)).toEqual(['moons', 'iris']);
    expect(groups[0].entries.map((e) => (e.kind === 'race' ? `race of ${e.runs.length}` : e.run.name))).toEqual(['race of 3', rows[3].name]);
    expect(groups[1].entries).toHaveLength(1);
  });

  it('lists a few runs per dataset and counts the rest', () => {
    const rows = Array.from({ length: 9 }, () => row({}));
    const [group] = workspaceGroups(rows, [], 'd1');
    expect(group.entries).toHaveLength(6);
    expect(group.more).toBe(3);
  });
});
