/**
 * The sidebar's runs: grouped by dataset (the open one first), newest first, a race folded into
 * one entry, at most a few per dataset (the rest are in Compare).
 */
import type { KnownDataset, RunRow } from '../../../shared/contract.js';

export type Entry = { kind: 'run'; key: string; run: RunRow } | { kind: 'race'; key: string; runs: RunRow[] };

export interface RunGroup {
  datasetId: string;
  datasetName: string;
  entries: Entry[];
  /** Entries left out (listed in Compare). */
  more: number;
}

const PER_DATASET = 6;

export function workspaceGroups(rows: RunRow[], datasets: KnownDataset[], current: string | null): RunGroup[] {
  const groups = new Map<string, RunGroup>();
  const races = new Map<string, Entry & { kind: 'race' }>();
  for (const row of rows) {
    const datasetId = row.datasetId ?? '';
    let group = groups.get(datasetId);
    if (!group) {
      group = { datasetId, datasetName: row.datasetName || datasets.find((d) => d.id === datasetId)?.name || 'other data', entries: [], more: 0 };
      groups.set(datasetId, group);
    }
    if (row.raceId) {
      const race = races.get(row.raceId);
      if (race) {
        race.runs.push(row);
        continue;
      }
      const entry = { kind: 'race' as const, key: `race-${row.raceId}`, runs: [row] };
      races.set(row.raceId, entry);
      group.entries.push(entry);
    } else group.entries.push({ kind: 'run', key: row.runId, run: row });
  }
  const out = [...groups.values()];
  for (const g of out) {
    g.more = Math.max(0, g.entries.length - PER_DATASET);
    g.entries = g.entries.slice(0, PER_DATASET);
  }
  // The open dataset's runs first; the others in the order their newest run came.
  return out.sort((a, b) => Number(b.datasetId === current) - Number(a.datasetId === current));
}
