/**
 * Model quality against scikit-learn: for each bundled dataset, one seeded stratified split into
 * train.csv / test.csv; Tickwork trains with its defaults (`tickwork train --data train.csv
 * --test test.csv`), scikit-learn's MLPClassifier with its defaults (bench/sklearn_mlp.py) on the
 * same files; test accuracies are printed side by side. Without a Python that has scikit-learn,
 * the scikit-learn column says so.
 *
 *   npm run bench:quality
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Papa from 'papaparse';
import { listBundled, loadBundled } from '../models/data/bundled.js';
import { cell, columnCells } from '../models/data/table.js';
import { splitRows } from '../models/data/split.js';
import { rowsWithTarget } from '../models/prep/preprocessing.js';
import { packageRoot, paths } from '../service/runtime.js';

const root = packageRoot();
const sklearn = spawnSync('python3', ['-c', 'import sklearn; print(sklearn.__version__)'], { encoding: 'utf8' });
const haveSklearn = sklearn.status === 0;

async function main() {
  console.log(`dataset       tickwork test acc   scikit-learn test acc${haveSklearn ? ` (${sklearn.stdout.trim()})` : ''}`);
  for (const d of listBundled().filter((x) => x.name !== 'four-points')) {
    const { table } = await loadBundled(d.name, paths.datasets(root));
    const t = table.columnNames.indexOf(d.target);
    const rows = rowsWithTarget(table, d.target);
    const targetCells = columnCells(table, t);
    const labels = [...new Set(targetCells.filter((v): v is string => v !== null))].sort();
    const strata = Array.from(rows, (r) => labels.indexOf(targetCells[r]!));
    const split = splitRows(rows, { validation: 0, test: 0.25, seed: 1, strata });
    const dir = mkdtempSync(join(tmpdir(), `tickwork-quality-${d.name}-`));
    const write = (name: string, idx: Int32Array) =>
      writeFileSync(join(dir, name), Papa.unparse({ fields: table.columnNames, data: Array.from(idx, (r) => table.columns.map((c) => cell(c, r) ?? '')) }, { newline: '\n' }) + '\n');
    write('train.csv', split.train);
    write('test.csv', split.test);
    const ours = spawnSync(process.execPath, [join(root, 'bin/tickwork.js'), 'train', '--data', join(dir, 'train.csv'), '--test', join(dir, 'test.csv'), '--target', d.target, '--out', join(dir, 'model'), '--json'], { encoding: 'utf8' });
    const tickwork = ours.status === 0 ? (JSON.parse(ours.stdout.trim().split('\n').pop()!).metrics.test.accuracy as number) : NaN;
    let theirs = 'skipped: no scikit-learn on this machine';
    if (haveSklearn) {
      const r = spawnSync('python3', [join(root, 'bench/sklearn_mlp.py'), join(dir, 'train.csv'), join(dir, 'test.csv'), d.target], { encoding: 'utf8' });
      theirs = r.status === 0 ? Number(r.stdout.trim()).toFixed(3) : `failed: ${r.stderr.trim().split('\n').pop()}`;
    }
    console.log(`${d.name.padEnd(13)} ${tickwork.toFixed(3).padEnd(19)} ${theirs}`);
  }
}

void main();
