/**
 * The `tickwork` command as a user runs it: a child process, exit codes, stdout/stderr.
 */
import { spawnSync } from 'node:child_process';
import { mkdtemp, readFile, readdir, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
let dir: string;

function tickwork(...args: string[]) {
  const r = spawnSync(process.execPath, ['bin/tickwork.js', ...args], {
    cwd: ROOT,
    encoding: 'utf8',
    env: { ...process.env, TICKWORK_BACKEND: 'wasm' },
    timeout: 120_000,
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr, last: r.stdout.trim().split('\n').at(-1) ?? '' };
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'tickwork-cli-'));
});

describe('tickwork CLI', () => {
  it('lists bundled datasets', () => {
    const r = tickwork('datasets');
    expect(r.code).toBe(0);
    for (const name of ['iris', 'four-points', 'moons', 'circles', 'xor', 'spirals', 'wave']) expect(r.stdout).toContain(name);
  });

  it('trains with --json, exports, and predict writes labels and probabilities that match the model', async () => {
    const out = join(dir, 'iris');
    const r = tickwork('train', '--data', 'iris', '--target', 'species', '--epochs', '30', '--lr', '0.01', '--batch-size', '16', '--warmup-steps', '5', '--seed', '7', '--out', out, '--json');
    expect(r.code, r.stderr).toBe(0);
    const summary = JSON.parse(r.last);
    expect(summary.task).toBe('multiclass');
    expect(summary.backend).toBe('wasm');
    expect(summary.out).toBe(out);
    for (const part of ['train', 'validation', 'test']) {
      expect(summary.metrics[part]).toHaveProperty('accuracy');
      expect(summary.metrics[part]).toHaveProperty('loss');
    }
    expect(summary.metrics.test.accuracy).toBeGreaterThan(0.8);
    expect(r.stderr).toContain('backend: wasm');
    expect((await readdir(out)).sort()).toEqual(['README.md', 'metrics.json', 'model.json', 'model.onnx', 'preprocessing.json', 'run-config.json', 'split.json', 'weights.bin']);
    const metrics = JSON.parse(await readFile(join(out, 'metrics.json'), 'utf8'));
    expect(metrics.test.accuracy).toBe(summary.metrics.test.accuracy);

    const scored = join(dir, 'scored.csv');
    const p = tickwork('predict', '--model', out, '--data', 'datasets/iris.csv', '--out', scored);
    expect(p.code, p.stderr).toBe(0);
    const lines = (await readFile(scored, 'utf8')).trim().split('\n');
    expect(lines[0]).toBe('sepal_length,sepal_width,petal_length,petal_width,species,prediction,probability_setosa,probability_versicolor,probability_virginica');
    expect(lines).toHaveLength(151);
    const correct = lines.slice(1).filter((l) => l.split(',')[4] === l.split(',')[5]).length;
    expect(correct / 150).toBeGreaterThan(0.8);
    const probs = lines[1].split(',').slice(6).map(Number);
    expect(probs.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 5);
  });

  it('is reproducible: the same seed gives the same metrics', () => {
    const run = (seed: string) =>
      JSON.parse(tickwork('train', '--data', 'moons', '--target', 'label', '--epochs', '3', '--seed', seed, '--out', join(dir, `m${seed}`), '--json').last).metrics;
    expect(run('0')).toEqual(run('0'));
  });

  it('evaluates on --test instead of a split', async () => {
    const test = join(dir, 'iris-test.csv');
    const iris = (await readFile(join(ROOT, 'datasets/iris.csv'), 'utf8')).trim().split('\n');
    await writeFile(test, [iris[0], ...iris.slice(1).filter((_, i) => i % 5 === 0)].join('\n') + '\n');
    const r = tickwork('train', '--data', 'iris', '--target', 'species', '--test', test, '--epochs', '5', '--out', join(dir, 'with-test'), '--json');
    expect(r.code, r.stderr).toBe(0);
    const config = JSON.parse(await readFile(join(dir, 'with-test', 'run-config.json'), 'utf8'));
    expect(config.testSource).toBe(test);
    expect(JSON.parse(r.last).metrics.test).toHaveProperty('accuracy');
  });

  it('lr-find prints suggestions; --json gives the curve', () => {
    const r = tickwork('lr-find', '--data', 'iris', '--target', 'species', '--steps', '80', '--json');
    expect(r.code, r.stderr).toBe(0);
    const result = JSON.parse(r.last);
    expect(result.lrs.length).toBe(result.smoothed.length);
    expect(result.suggestedLr).toBeGreaterThan(0);
    const text = tickwork('lr-find', '--data', 'iris', '--target', 'species', '--steps', '80');
    expect(text.stdout).toMatch(/suggested lr \(steepest descent\): \d\.\d\de[-+]\d+/);
  });

  it('race trains each optimizer, writes exports, curves and race.json', async () => {
    const out = join(dir, 'race');
    const r = tickwork('race', '--data', 'moons', '--target', 'label', '--optimizers', 'sgd,adam,adamw', '--epochs', '4', '--out', out, '--json');
    expect(r.code, r.stderr).toBe(0);
    const summary = JSON.parse(r.last);
    expect(summary.runs.map((x: { optimizer: string }) => x.optimizer)).toEqual(['sgd', 'adam', 'adamw']);
    for (const run of summary.runs) {
      expect(run.status).toBe('completed');
      expect(run.metrics.validation).toHaveProperty('loss');
      const curves = (await readFile(run.curves, 'utf8')).trim().split('\n');
      expect(curves[0]).toMatch(/^epoch,step,train_loss,/);
      expect(curves).toHaveLength(5);
    }
    expect(['sgd', 'adam', 'adamw']).toContain(summary.best);
    expect(JSON.parse(await readFile(join(out, 'race.json'), 'utf8')).best).toBe(summary.best);
    expect((await readdir(join(out, '2-adam'))).sort()).toContain('model.json');
  });

  it('predict matches the ONNX model on the same raw rows, and warns about drift', async () => {
    const out = join(dir, 'moons-model');
    expect(tickwork('train', '--data', 'moons', '--target', 'label', '--epochs', '10', '--out', out).code).toBe(0);
    const rows = ['x1,x2,label,comment'];
    for (let i = 0; i < 40; i++) rows.push(`${(Math.sin(i) * 1.5).toFixed(3)},${(Math.cos(i * 0.7)).toFixed(3)},${i % 2},hi`);
    rows.push('50,0.1,1,far');
    const data = join(dir, 'moons-new.csv');
    await writeFile(data, rows.join('\n') + '\n');
    const scored = join(dir, 'moons-scored.csv');
    const r = tickwork('predict', '--model', out, '--data', data, '--out', scored);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toContain('warning: 1 column(s) the model does not use are ignored: comment.');
    expect(r.stderr).toMatch(/warning: column "x1": 1 value\(s\) far outside the training range/);
    const lines = (await readFile(scored, 'utf8')).trim().split('\n').slice(1).map((l) => l.split(','));
    const ort = await import('onnxruntime-node');
    const session = await ort.InferenceSession.create(join(out, 'model.onnx'));
    const x = Float32Array.from(lines.flatMap((l) => [Number(l[0]), Number(l[1])]));
    const probs = (await session.run({ features: new ort.Tensor('float32', x, [lines.length, 2]) })).probabilities.data as Float32Array;
    let maxDiff = 0;
    lines.forEach((l, i) => {
      maxDiff = Math.max(maxDiff, Math.abs(Number(l[5]) - probs[2 * i]), Math.abs(Number(l[6]) - probs[2 * i + 1]));
    });
    expect(maxDiff).toBeLessThanOrEqual(1e-5);
  });

  it('export: zip, onnx and quantized tfjs; predict reads a zip', async () => {
    const model = join(dir, 'iris');
    if (!(await readdir(dir)).includes('iris')) expect(tickwork('train', '--data', 'iris', '--target', 'species', '--epochs', '5', '--out', model).code).toBe(0);
    const zip = join(dir, 'iris.zip');
    const z = tickwork('export', '--model', model, '--format', 'zip', '--out', zip, '--json');
    expect(z.code, z.stderr).toBe(0);
    expect(JSON.parse(z.last).written).toEqual([zip]);
    const p = tickwork('predict', '--model', zip, '--data', 'datasets/iris.csv', '--out', join(dir, 'from-zip.csv'));
    expect(p.code, p.stderr).toBe(0);
    const onnxPath = join(dir, 'iris.onnx');
    const o = tickwork('export', '--model', zip, '--format', 'onnx', '--out', onnxPath, '--json');
    expect(o.code, o.stderr).toBe(0);
    expect(JSON.parse(o.last).written).toEqual([onnxPath]);
    const q = tickwork('export', '--model', model, '--format', 'tfjs', '--quantize', 'int8', '--out', join(dir, 'iris-int8'));
    expect(q.code, q.stderr).toBe(0);
    expect(q.stdout).toContain('no test split stored with this model: accuracy change not measured');
    const again = tickwork('export', '--model', join(dir, 'iris-int8'), '--quantize', 'float16', '--out', join(dir, 'twice'));
    expect(again.code).toBe(2);
    expect(again.stderr).toContain('already quantized');
  });

  it('inspect prints the schema and the data check; --json ends with one object', async () => {
    const file = join(dir, 'messy.csv');
    const rows = ['id;segment;spend;const;y'];
    for (let i = 0; i < 60; i++) rows.push(`${i + 1};${["a", "b", "c"][i % 3]};${(i * 3.3).toFixed(1)};1;${i % 12 === 0 ? 1 : 0}`);
    await writeFile(file, rows.join('\n') + '\n');
    const r = tickwork('inspect', '--data', file, '--target', 'y', '--json');
    expect(r.code, r.stderr).toBe(0);
    const out = JSON.parse(r.last);
    expect(out.rows).toBe(60);
    expect(out.delimiter).toBe(';');
    expect(out.columns.map((c: { name: string; type: string }) => `${c.name}:${c.type}`)).toEqual(['id:integer', 'segment:categorical', 'spend:numeric', 'const:integer', 'y:integer']);
    expect(out.columns[1]).toMatchObject({ missing: 0, distinct: 3 });
    expect(out.findings.map((f: { code: string }) => f.code).sort()).toEqual(['constant', 'identifier', 'imbalance']);
    for (const f of out.findings) expect(Object.keys(f).sort()).toEqual(['code', 'column', 'message', 'severity']);
    // A row cap samples, and the JSON says how many rows the file has; --missing replaces the tokens.
    const sampled = JSON.parse(tickwork('inspect', '--data', file, '--max-rows', '100', '--missing', 'a', '--json').last);
    expect(sampled.rows).toBe(60); // fewer rows than the cap: nothing sampled
    expect(sampled.sampledFrom).toBeUndefined();
    expect(sampled.columns[1].missing).toBe(20); // "a" is now a missing token
    const text = tickwork('inspect', '--data', 'iris');
    expect(text.stdout).toContain('species              categorical');
    expect(text.stdout).toContain('[duplicates]');
  });

  it('takes per-layer settings in --hidden, reports the network, and writes them to the run config', async () => {
    const out = join(dir, 'layers');
    const r = tickwork('train', '--data', 'iris', '--target', 'species', '--hidden', '16:bn:dropout=0.1,8:tanh:l2=0.001', '--epochs', '2', '--out', out, '--json');
    expect(r.code, r.stderr).toBe(0);
    // 4·16+16 + 2·16 (batch norm) + 16·8+8 + 8·3+3 = 275
    expect(r.stderr).toContain('network: 16 relu (batch norm, dropout 0.1) → 8 tanh (L2 0.001); 275 trainable parameters');
    const config = JSON.parse(await readFile(join(out, 'run-config.json'), 'utf8'));
    expect(config.model.hidden).toEqual([{ units: 16, batchNorm: true, dropout: 0.1 }, { units: 8, activation: 'tanh', l2: 0.001 }]);
  });

  it('exits with 2 and one clear line on bad input, never a stack trace', async () => {
    const header = join(dir, 'header.csv');
    await writeFile(header, 'a,b\n');
    const cases: Array<[string[], RegExp]> = [
      [['train', '--data', join(dir, 'missing.csv'), '--target', 'y', '--out', join(dir, 'x')], /File not found/],
      [['train', '--data', 'irs', '--target', 'y', '--out', join(dir, 'x')], /neither a file nor a bundled dataset/],
      [['train', '--data', 'iris', '--target', 'colour', '--out', join(dir, 'x')], /has no column "colour"/],
      [['train', '--data', header, '--target', 'b', '--out', join(dir, 'x')], /header row but no data rows/],
      [['train', '--data', 'iris', '--target', 'species', '--epochs', 'ten', '--out', join(dir, 'x')], /--epochs must be a whole number, received "ten"/],
      [['train', '--data', 'iris', '--target', 'species', '--lr=-1', '--out', join(dir, 'x')], /--lr: lr must be > 0/],
      [['train', '--data', 'iris', '--target', 'species', '--no-workspace'], /--no-workspace needs --out/],
      [['predict', '--model', join(dir, 'nowhere'), '--data', 'datasets/iris.csv', '--out', join(dir, 'p.csv')], /Model not found/],
      [['export', '--model', join(dir, 'iris'), '--format', 'pmml', '--out', join(dir, 'x.pmml')], /--format must be one of tfjs, onnx, zip/],
      [['frobnicate'], /unknown command "frobnicate"/],
      [['race', '--data', 'moons', '--target', 'label', '--optimizers', 'sgd,sophia', '--out', join(dir, 'r')], /--optimizers must be one of sgd, momentum/],
      [['train', '--data', 'iris', '--target', 'species', '--batch-size', '1000', '--out', join(dir, 'x')], /batchSize 1000 is larger than the 102 training rows/],
      [['train', '--data', 'iris', '--target', 'species', '--scale', 'log', '--out', join(dir, 'x')], /--scale must be one of standard, minmax, robust, none, received "log"/],
      [['train', '--data', 'iris', '--target', 'species', '--ignore', 'petal_length,petal_width,sepal_length,sepal_width', '--out', join(dir, 'x')], /no usable feature columns/],
      [['inspect', '--data', 'datasets/iris.csv', '--max-rows', '10'], /maxRows must be at least 100/],
      [['train', '--data', 'iris', '--target', 'species', '--hidden', '16:relu:wide', '--out', join(dir, 'x')], /--hidden layer "16:relu:wide": "wide" is not a layer option/],
      [['train', '--data', 'iris', '--target', 'species', '--hidden', '16,8:dropout=1.5', '--out', join(dir, 'x')], /--hidden layer 2 dropout: dropout must be < 1/],
    ];
    for (const [args, message] of cases) {
      const r = tickwork(...args);
      expect(r.code, `${args.join(' ')}\n${r.stderr}`).toBe(2);
      expect(r.stderr).toMatch(message);
      expect(r.stderr).not.toMatch(/\n\s+at /);
    }
  });
});

describe('tickwork CLI: results an analyst can trust', () => {
  it('a binary run names its positive class, heads with its precision/recall/F1 (macro under "macro"), and carries baselines', async () => {
    const out = join(dir, 'moons-trust');
    const r = tickwork('train', '--data', 'moons', '--target', 'label', '--epochs', '25', '--seed', '3', '--out', out, '--json');
    expect(r.code, r.stderr).toBe(0);
    const s = JSON.parse(r.last);
    expect(s.positiveClass).toMatch(/^[01]$/);
    expect(s.metrics.validation.macro).toEqual(expect.objectContaining({ precision: expect.any(Number), recall: expect.any(Number), f1: expect.any(Number) }));
    expect(s.metrics.validation).not.toHaveProperty('macro_precision');
    expect(s.baselines.constant.validation.accuracy).toBeLessThan(0.7);
    expect(s.baselines.linear.validation.loss).toBeLessThan(s.baselines.constant.validation.loss);
    expect(s.warnings).toEqual([]);

    const prep = JSON.parse(await readFile(join(out, 'preprocessing.json'), 'utf8'));
    expect(prep.labels[1]).toBe(s.positiveClass);
  });

  it('the metrics a run reports equal those recomputed from `tickwork predict` on the same test rows', async () => {
    // A binary file with a rare positive class, so positive-class and macro numbers differ.
    const rows = Array.from({ length: 600 }, (_, i) => {
      const x1 = Math.sin(i * 1.7) * 2;
      const x2 = Math.cos(i * 0.9) * 2;
      return `${x1.toFixed(4)},${x2.toFixed(4)},${x1 + 0.5 * x2 > 1.2 ? 'churn' : 'stay'}`;
    });
    const data = join(dir, 'churn.csv');
    await writeFile(data, `x1,x2,outcome\n${rows.join('\n')}\n`);
    const out = join(dir, 'churn-model');
    const r = tickwork('train', '--data', data, '--target', 'outcome', '--epochs', '40', '--lr', '0.01', '--no-workspace', '--out', out, '--json');
    expect(r.code, r.stderr).toBe(0);
    const s = JSON.parse(r.last);
    expect(s.positiveClass).toBe('churn'); // the less frequent class
    const split = JSON.parse(await readFile(join(out, 'split.json'), 'utf8')) as { test: number[] };
    const scored = join(dir, 'churn-scored.csv');
    expect(tickwork('predict', '--model', out, '--data', data, '--out', scored).code).toBe(0);
    const lines = (await readFile(scored, 'utf8')).trim().split('\n').slice(1).map((l) => l.split(','));
    let tp = 0, fp = 0, fn = 0, correct = 0;
    for (const i of split.test) {
      const [, , actual, predicted] = lines[i];
      if (predicted === actual) correct++;
      if (predicted === 'churn' && actual === 'churn') tp++;
      if (predicted === 'churn' && actual !== 'churn') fp++;
      if (predicted !== 'churn' && actual === 'churn') fn++;
    }
    expect(s.metrics.test.accuracy).toBeCloseTo(correct / split.test.length, 10);
    expect(s.metrics.test.precision).toBeCloseTo(tp + fp > 0 ? tp / (tp + fp) : 0, 10);
    expect(s.metrics.test.recall).toBeCloseTo(tp / (tp + fn), 10);
  });

  it('a run at learning rate 10 completes with a "degenerate" warning that says what to try', () => {
    const r = tickwork('train', '--data', 'moons', '--target', 'label', '--optimizer', 'sgd', '--lr', '10', '--epochs', '15', '--no-workspace', '--out', join(dir, 'lr10'), '--json');
    expect(r.code, r.stderr).toBe(0);
    const s = JSON.parse(r.last);
    expect(s.status).toBe('completed');
    expect(s.warnings.length).toBeGreaterThan(0);
    expect(s.warnings[0]).toMatchObject({ code: 'degenerate' });
    expect(s.warnings.map((w: { message: string }) => w.message).join(' ')).toMatch(/learning rate about 10× lower/);
  });

  it('--cv 5 gives five folds with a spread, and a final model tested on the held-out rows', () => {
    const r = tickwork('train', '--data', 'iris', '--target', 'species', '--cv', '5', '--epochs', '15', '--no-workspace', '--out', join(dir, 'cv'), '--json');
    expect(r.code, r.stderr).toBe(0);
    const s = JSON.parse(r.last);
    expect(s.cv.k).toBe(5);
    expect(s.cv.folds).toHaveLength(5);
    expect(s.cv.std.accuracy).toBeGreaterThan(0);
    expect(s.cv.mean.accuracy).toBeGreaterThan(0.5);
    expect(s.metrics.test.accuracy).toBeGreaterThan(0.5);
    expect(s.metrics.validation).toBeNull();
    // --repeats with a bad count and --cv 1 are refused in one line, exit 2.
    for (const [args, message] of [
      [['--cv', '1'], /--cv: cv must be >= 2/],
      [['--repeats', '0'], /--repeats: repeats must be >= 2/],
      [['--positive', 'maybe'], /"maybe" is not a class of "species"|positive class .* is for binary/],
      [['--threshold', '1.5'], /threshold must be < 1/],
    ] as const) {
      const bad = tickwork('train', '--data', 'iris', '--target', 'species', '--no-workspace', '--out', join(dir, 'x'), ...args);
      expect(bad.code, bad.stderr).toBe(2);
      expect(bad.stderr).toMatch(message);
    }
  });
});

describe('tickwork explain', () => {
  it('ranks the two columns the target depends on first, with their spread; refuses files without the model\'s columns or the target', async () => {
    // Seeded synthetic data: y depends on x2 and x7 of ten columns.
    let state = 12345;
    const rand = () => ((state = (state * 1103515245 + 12345) % 2 ** 31) / 2 ** 31) * 2 - 1;
    const header = Array.from({ length: 10 }, (_, i) => `x${i}`);
    const lines = Array.from({ length: 600 }, () => {
      const v = header.map(() => rand() * 2);
      return [...v.map((x) => x.toFixed(4)), v[2] + 0.8 * v[7] > 0 ? 'yes' : 'no'].join(',');
    });
    const data = join(dir, 'ten.csv');
    await writeFile(data, `${[...header, 'y'].join(',')}\n${lines.join('\n')}\n`);
    const model = join(dir, 'ten-model');
    expect(tickwork('train', '--data', data, '--target', 'y', '--epochs', '30', '--lr', '0.01', '--no-workspace', '--out', model).code).toBe(0);
    const r = tickwork('explain', '--model', model, '--data', data, '--repeats', '3', '--no-workspace', '--json');
    expect(r.code, r.stderr).toBe(0);
    const s = JSON.parse(r.last);
    expect(s.metric).toBe('loss');
    expect(s.importance.slice(0, 2).map((c: { column: string }) => c.column).sort()).toEqual(['x2', 'x7']);
    expect(s.importance).toHaveLength(10);
    expect(s.importance[0].std).toBeGreaterThanOrEqual(0);
    const noTarget = join(dir, 'ten-no-target.csv');
    await writeFile(noTarget, `${header.join(',')}\n${lines.map((l) => l.split(',').slice(0, 10).join(',')).join('\n')}\n`);
    const bad = tickwork('explain', '--model', model, '--data', noTarget, '--no-workspace');
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/has no target column "y"/);
    const wrong = tickwork('explain', '--model', model, '--data', 'datasets/iris.csv', '--no-workspace');
    expect(wrong.code).toBe(2);
    expect(wrong.stderr).toMatch(/lacks the model's input column\(s\) x0/);
  });
});
