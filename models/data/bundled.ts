/**
 * Datasets that ship with Tickwork, so that the app trains something useful on first start.
 */
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import type { BundledDataset } from '../../shared/contract.js';
import { TickworkError } from '../../shared/errors.js';
import { readTableFile, type LoadedFile, type ReadOptions } from './read.js';
import { cell, tableFromRows, type Table } from './table.js';
import { generateToy, generateWave, type ToyName } from './toy.js';

interface BundledEntry extends BundledDataset {
  /** options: what readTableFile takes (only the file-backed dataset reads them; the generated ones have no file to query). */
  load(datasetsDir: string, options?: ReadOptions): Promise<LoadedFile>;
}

function fromTable(table: Table): LoadedFile {
  const hash = createHash('sha256');
  hash.update(table.columnNames.join(','));
  for (let r = 0; r < table.rowCount; r++) hash.update(table.columns.map((col) => cell(col, r) ?? '').join(',') + '\n');
  return { table, sha256: hash.digest('hex') };
}

function toy(name: ToyName, title: string, description: string): BundledEntry {
  return { name, title, description, target: 'label', load: async () => fromTable(generateToy(name)) };
}

const ENTRIES: BundledEntry[] = [
  {
    name: 'iris',
    title: 'Iris',
    description: "Fisher's Iris (1936): 150 flowers, 4 measurements, 3 species.",
    target: 'species',
    load: async (dir, options) => {
      const loaded = await readTableFile(join(dir, 'iris.csv'), options);
      return { ...loaded, table: { ...loaded.table, name: 'iris', source: 'bundled:iris' } };
    },
  },
  {
    name: 'four-points',
    title: 'Four points',
    description: 'The four-row example from the original write-up: two features, a binary label.',
    target: 'label',
    load: async () =>
      fromTable(
        tableFromRows({ name: 'four-points', source: 'bundled:four-points', delimiter: '' }, ['x1', 'x2', 'label'], [
          ['0.5', '0.5', '0'],
          ['0.3', '0.7', '1'],
          ['0.1', '0.9', '1'],
          ['0.7', '0.3', '0'],
        ]),
      ),
  },
  toy('moons', 'Two moons', '500 points in two interleaving half circles (seeded).'),
  toy('circles', 'Circles', '500 points on two concentric circles (seeded).'),
  toy('xor', 'XOR', '500 points labelled by the sign of x1·x2 (seeded).'),
  toy('spirals', 'Spirals', '500 points on two interleaved spirals (seeded); needs a deeper network.'),
  {
    name: 'wave',
    title: 'Wave (regression)',
    description: '500 points of y = sin(2x) + 0.3x + noise (seeded): one input, a curve to fit.',
    target: 'y',
    load: async () => fromTable(generateWave()),
  },
];

export function listBundled(): BundledDataset[] {
  return ENTRIES.map(({ name, title, description, target }) => ({ name, title, description, target }));
}

export function findBundled(name: string): BundledDataset | undefined {
  return listBundled().find((d) => d.name === name);
}

export async function loadBundled(name: string, datasetsDir: string, options: ReadOptions = {}): Promise<LoadedFile> {
  const entry = ENTRIES.find((d) => d.name === name);
  if (!entry) {
    throw new TickworkError(
      'not_found',
      `There is no bundled dataset named "${name}". Bundled datasets: ${ENTRIES.map((d) => d.name).join(', ')}.`,
    );
  }
  if (options.query?.trim() && entry.name !== 'iris') {
    throw new TickworkError(
      'invalid_input',
      `The query step reads files, and "${name}" is generated in memory. Open a CSV or Parquet file (or the bundled iris) to query it.`,
    );
  }
  return entry.load(datasetsDir, options);
}

/** The table of a bundled dataset named by a run's source ("bundled:iris"); null for a file. */
export async function bundledTableOf(source: string, datasetsDir: string): Promise<Table | null> {
  return source.startsWith('bundled:') ? (await loadBundled(source.slice('bundled:'.length), datasetsDir)).table : null;
}
