/**
 * The linear baselines' fitting time at the size a run uses (50,000 training rows × 50 encoded
 * inputs by default), against scikit-learn's LogisticRegression(lbfgs) / LinearRegression on the
 * same data in the same run, interleaved, median of several rounds, with the ratio; also the
 * validation log loss of both fits, to show they reach the same optimum.
 *
 *   npx esbuild bench/baselines.ts --bundle --platform=node --packages=external --outfile=dist/node/bench-baselines.cjs \
 *     && node dist/node/bench-baselines.cjs [--rows 50000] [--cols 50] [--rounds 5]
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fitLinear, predictLinear } from '../models/evaluation/linear-regression.js';
import { fitLogistic, predictLogistic } from '../models/evaluation/logistic-regression.js';
import { computeMetrics } from '../models/train/metrics.js';
import { createRng, normal } from '../models/random.js';

const arg = (name: string, fallback: number) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : fallback;
};
const ROWS = arg('rows', 50_000);
const COLS = arg('cols', 50);
const ROUNDS = arg('rounds', 5);
const L2 = 1e-4;

const median = (v: number[]) => [...v].sort((a, b) => a - b)[Math.floor(v.length / 2)];

function data(task: 'binary' | 'multiclass' | 'regression', seed: number) {
  const rng = createRng(seed);
  const w = Array.from({ length: 3 * COLS }, () => normal(rng) / Math.sqrt(COLS));
  const x = Float32Array.from({ length: ROWS * COLS }, () => normal(rng));
  const y = new Float32Array(ROWS);
  for (let i = 0; i < ROWS; i++) {
    const z = [0, 1, 2].map((c) => {
      let s = 0;
      for (let j = 0; j < COLS; j++) s += w[c * COLS + j] * x[i * COLS + j];
      return s;
    });
    if (task === 'regression') y[i] = 10 * z[0] + 3 + normal(rng);
    else if (task === 'binary') y[i] = rng() < 1 / (1 + Math.exp(-2 * z[0])) ? 1 : 0;
    else {
      const noisy = z.map((v) => 2 * v + normal(rng));
      y[i] = noisy.indexOf(Math.max(...noisy));
    }
  }
  return { x, y };
}

const python = ['/usr/bin/python3', 'python3'].find((p) => spawnSync(p, ['-c', 'import sklearn'], { encoding: 'utf8' }).status === 0) ?? null;
const dir = mkdtempSync(join(tmpdir(), 'tickwork-bench-baselines-'));
const PY = `
import sys, time, json, numpy as np
from sklearn.linear_model import LogisticRegression, LinearRegression
task, path, rows, cols, l2 = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4]), float(sys.argv[5])
raw = np.fromfile(path, dtype=np.float32)
X = raw[: rows * cols].reshape(rows, cols).astype(np.float64); y = raw[rows * cols :]
t = time.perf_counter()
if task == 'regression':
    m = LinearRegression().fit(X, y)
else:
    m = LogisticRegression(C=1 / (l2 * rows), multi_class='multinomial' if task == 'multiclass' else 'auto', max_iter=1000).fit(X, y.astype(int))
ms = (time.perf_counter() - t) * 1000
if task == 'regression': loss = float(np.mean((m.predict(X) - y) ** 2))
else:
    from sklearn.metrics import log_loss
    loss = float(log_loss(y.astype(int), m.predict_proba(X)))
print(json.dumps({'ms': ms, 'loss': loss}))
`;

try {
  console.log(`linear baselines: ${ROWS.toLocaleString()} rows × ${COLS} inputs, ${ROUNDS} rounds, interleaved with scikit-learn ${python ? `(${python})` : '(not found: Tickwork only)'}`);
  for (const task of ['binary', 'multiclass', 'regression'] as const) {
    const { x, y } = data(task, 1);
    const file = join(dir, `${task}.f32`);
    const buf = new Float32Array(x.length + y.length);
    buf.set(x);
    buf.set(y, x.length);
    writeFileSync(file, Buffer.from(buf.buffer));
    const ours: number[] = [];
    const theirs: number[] = [];
    let ourLoss = 0;
    let theirLoss = 0;
    let iterations = 0;
    for (let r = 0; r < ROUNDS; r++) {
      const t = performance.now();
      if (task === 'regression') {
        const m = fitLinear(x, y, ROWS, COLS);
        ours.push(performance.now() - t);
        ourLoss = computeMetrics('regression', predictLinear(m, x, ROWS), y, 1).mse;
      } else {
        const m = fitLogistic(x, y, ROWS, COLS, task === 'binary' ? 2 : 3, { l2: L2 });
        ours.push(performance.now() - t);
        iterations = m.iterations;
        ourLoss = computeMetrics(task, predictLogistic(m, x, ROWS), y, 3).loss;
      }
      if (python) {
        const p = spawnSync(python, ['-c', PY, task, file, String(ROWS), String(COLS), String(L2)], { encoding: 'utf8' });
        if (p.status !== 0) throw new Error(p.stderr);
        const out = JSON.parse(p.stdout.trim().split('\n').at(-1)!);
        theirs.push(out.ms);
        theirLoss = out.loss;
      }
    }
    const a = median(ours);
    const line = `${task.padEnd(10)} Tickwork ${a.toFixed(0).padStart(5)} ms${iterations ? ` (${iterations} L-BFGS iterations)` : ''}, train ${task === 'regression' ? 'MSE' : 'log loss'} ${ourLoss.toPrecision(6)}`;
    if (python) {
      const b = median(theirs);
      console.log(`${line} | scikit-learn ${b.toFixed(0).padStart(5)} ms, ${theirLoss.toPrecision(6)} | ratio ${(a / b).toFixed(2)}×`);
    } else console.log(line);
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}
