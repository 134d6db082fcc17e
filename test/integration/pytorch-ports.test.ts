/**
 * The pieces of the PyTorch recipe (recipes/pytorch/train.py) that re-implement Tickwork, run on the
 * same inputs as Tickwork's TypeScript: the seeded random numbers, shuffle and split, number and
 * date cells, JavaScript's number strings, the learning-rate schedules, the twelve optimizers'
 * updates, and reading delimited files (both of the recipe's readers). Exact where the arithmetic
 * is float64; optimizers (float32 in both) to 1e-5 relative. Skipped, saying so, without a Python
 * that imports torch.
 */
import { spawnSync } from 'node:child_process';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { selectBackend } from '../../models/backend';
import { readTableFile } from '../../models/data/read';
import { parseDate } from '../../models/data/schema';
import { splitRows } from '../../models/data/split';
import { parseNumberCell } from '../../models/data/numbers';
import { columnCells, numberView } from '../../models/data/table';
import { createRng, shuffleInPlace } from '../../models/random';
import { createOptimizer } from '../../models/train/optimizers/registry';
import { optimizerConfigSchema, type OptimizerConfig } from '../../shared/optimizers';
import { scheduleConfigSchema } from '../../shared/run-config';
import { learningRateAt } from '../../shared/schedule';
import { torchPython } from '../helpers/python';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const PY = torchPython();
if (!PY.path) console.warn(`pytorch-ports tests skipped: ${PY.reason}`);

function probe(request: object): Record<string, unknown> {
  const r = spawnSync(PY.path!, [join(ROOT, 'test/helpers/pytorch-probe.py'), join(ROOT, 'recipes/pytorch')], {
    input: JSON.stringify(request),
    encoding: 'utf8',
    maxBuffer: 64 * 2 ** 20,
    timeout: 120_000,
  });
  if (r.status !== 0) throw new Error(`probe failed: ${r.stderr}`);
  return JSON.parse(r.stdout);
}

/** |a − b| ≤ rel·|b| + abs, elementwise over nested arrays. */
function expectClose(actual: unknown, expected: unknown, rel: number, abs: number, where: string): void {
  if (Array.isArray(expected)) {
    expect(Array.isArray(actual), where).toBe(true);
    expect((actual as unknown[]).length, where).toBe(expected.length);
    expected.forEach((e, i) => expectClose((actual as unknown[])[i], e, rel, abs, `${where}[${i}]`));
    return;
  }
  const a = actual as number;
  const e = expected as number;
  expect(Math.abs(a - e), `${where}: ${a} vs ${e}`).toBeLessThanOrEqual(rel * Math.abs(e) + abs);
}

// Inputs for all tests, sent to one Python process (starting Python and importing torch costs seconds).
const numbers = ['12', '-3.5', '.5', '1e-3', '+7', '5.', '0x10', '-0x10', '1_000', 'Infinity', '-Infinity', 'NaN', '1e999', '1,000', '٣', ' 7 ', '\u00a07', '\u00a0', '-', '', '00012', '1e', '.e5', '-.5e+2', '1.50', '\t3\r'];
const numberStrings = [1e21, 1e-7, 123456789012345680000, 0.1 + 0.2, -0, 5e-324, 1.5, 100, 1e16, 123e-20, 0.000001, 1.7976931348623157e308, -2.5e-7, 1234.5678, 1 / 3, 2 ** 53, 1e20, 1.5e-6, -42, 0.5];
const dates = ['2024-01-31', '2024/01/31', '2024-01-31 10:00', '2024-01-31T10:00:00.1234Z', '2024-01-31T10:00+0100', '2024-01-31T10:00-00:30', '2024-02-30', '2024-13-01', '2024-01-00', '2024-01-31T24:00Z', '2024-01-31T24:01Z', '2024-01-31T10:60Z', '1969-12-31T23:59:59Z', '2023-06-04', ' 2020-02-29 ', 'yesterday', '0001-01-01', '2024-01-31T23:59:59+2359'];
const schedules = [
  { kind: 'constant', warmupSteps: 5, warmupStartFactor: 0.1 },
  { kind: 'linear', warmupSteps: 7, finalLr: 1e-4 },
  { kind: 'cosine', warmupSteps: 10, finalLr: 1e-5 },
  { kind: 'step', warmupSteps: 3, gamma: 0.7, stepSize: 9 },
  { kind: 'exponential', warmupSteps: 4, gamma: 0.9, stepSize: 5 },
  { kind: 'inverse_sqrt', warmupSteps: 12 },
  { kind: 'inverse_sqrt', warmupSteps: 0 },
  { kind: 'one_cycle', warmupSteps: 6, pctStart: 0.25, divFactor: 10, finalDivFactor: 100 },
].map((c, i) => ({ config: scheduleConfigSchema.parse(c), baseLr: 0.01 * (i + 1), totalSteps: 60 + i * 7 }));
const strata = Array.from({ length: 103 }, (_, i) => (i % 7 === 0 ? 2 : i % 3 === 0 ? 1 : 0));
const rows = Array.from({ length: 103 }, (_, i) => i * 2 + 1);
const configs: OptimizerConfig[] = [
  { name: 'sgd', lr: 0.1, weightDecay: 0.01, momentum: 0.8, dampening: 0.1, nesterov: false },
  { name: 'sgd', lr: 0.1, momentum: 0.9, nesterov: true },
  { name: 'sgd', lr: 0.1, nesterov: true },
  { name: 'momentum', lr: 0.05, momentum: 0.9, dampening: 0.2 },
  { name: 'nesterov', lr: 0.05, momentum: 0.85, weightDecay: 0.001 },
  { name: 'adam', lr: 0.01, amsgrad: true, weightDecay: 0.01 },
  { name: 'adamw', lr: 0.01, weightDecay: 0.1, beta2: 0.99 },
  { name: 'nadam', lr: 0.01, weightDecay: 0.01, momentumDecay: 0.01 },
  { name: 'rmsprop', lr: 0.01, rho: 0.9, momentum: 0.5, centered: true, weightDecay: 0.01 },
  { name: 'adagrad', lr: 0.1, lrDecay: 0.05, initialAccumulatorValue: 0.1, weightDecay: 0.01 },
  { name: 'adadelta', lr: 1, rho: 0.8, weightDecay: 0.01 },
  { name: 'adamax', lr: 0.01, beta1: 0.8, weightDecay: 0.01 },
  { name: 'adafactor' },
  { name: 'adafactor', relativeStep: false, lr: 0.05, beta1: 0.9, weightDecay: 0.01, clipThreshold: 0.5 },
  { name: 'lion', lr: 0.001, weightDecay: 0.1 },
].map((c) => optimizerConfigSchema.parse(c));
const valueRng = createRng(11);
const value = () => Math.fround(valueRng() * 2 - 1);
const cases = configs.map((config) => ({
  config,
  kernel: Array.from({ length: 3 }, () => Array.from({ length: 2 }, value)),
  bias: Array.from({ length: 2 }, value),
  steps: Array.from({ length: 6 }, (_, t) => ({
    lr: config.lr * (1 - t / 10),
    kernel: Array.from({ length: 3 }, () => Array.from({ length: 2 }, value)),
    bias: Array.from({ length: 2 }, value),
  })),
}));
const MESSY = ['bom-tab-multiline.tsv', 'latin1-semicolon.csv', 'utf16-pipe.csv'].map((f) => join(ROOT, 'test/fixtures/messy', f));

describe.skipIf(!PY.path)('PyTorch recipe: ported pieces equal Tickwork', () => {
  let dir: string;
  let out: Record<string, unknown>;
  let files: string[];
  let tables: Awaited<ReturnType<typeof readTableFile>>[];
  let requests: Array<{ path: string; columns: string[]; reader: string; chunk: number }>;
  beforeAll(async () => {
    await selectBackend('cpu');
    dir = await mkdtemp(join(tmpdir(), 'tickwork-ports-'));
    // Numbers that Tickwork rewrites ("1.50" → "1.5") until a fourth distinct word turns the column into text,
    // a non-breaking space, a quoted newline and delimiter, CRLF, blank and whitespace-only lines, a BOM.
    const tricky = join(dir, 'tricky.csv');
    const lines = ['\ufeffid,mixed,label ,label ', '1,1.50,a,x', '', '2,2.0,b,y', '   ', '3,apple,"c, d",x', '4,1e3,"multi', 'line",y', '5,pear,\u00a0e,x'];
    lines.push('6,plum,f,y', '7,0.10,g,x', '8,fig,h,y', '9,007,i,x', '10,1.50,j,y', '11,NA,k,x', '12,?,l,y', '13,-,m,x');
    await writeFile(tricky, lines.join('\r\n') + '\r\n');
    // Numbers with two stray words (under a tenth of the cells): a number column, its numbers in shortest form.
    const strays = join(dir, 'strays.csv');
    const cells = Array.from({ length: 30 }, (_, i) => (i === 7 ? 'oops' : i === 19 ? 'n/a?' : ['1.50', '2.0', '1e3', '007', '-0.10'][i % 5]));
    await writeFile(strays, ['n,c', ...cells.map((v, i) => `${v},${i % 3 ? 'a' : '1.0'}`)].join('\n') + '\n');
    const unclosed = join(dir, 'unclosed.csv');
    await writeFile(unclosed, 'a,b\n1,"x\n2,3\n');
    files = [tricky, strays, ...MESSY];
    tables = await Promise.all(files.map((f) => readTableFile(f)));
    const readers = ['csv', 'pandas'];
    requests = readers.flatMap((reader) => tables.map(({ table }, i) => ({ path: files[i], columns: table.columnNames, reader, chunk: 3 })));
    for (const reader of readers) {
      requests.push({ path: join(ROOT, 'test/fixtures/messy/ragged.csv'), columns: ['a', 'b', 'c'], reader, chunk: 3 });
      requests.push({ path: unclosed, columns: ['a', 'b'], reader, chunk: 3 });
    }
    out = probe({ rng: { seed: 42, n: 20 }, shuffle: { seed: 7, n: 50 }, split: { rows, validation: 0.15, test: 0.25, seed: 5, strata }, numbers, numberStrings, dates, schedules, optimizers: cases, files: requests });
  });

  it('random numbers, shuffles, splits, number and date cells, number strings, schedules', () => {
    const rng = createRng(42);
    expect(out.rng).toEqual(Array.from({ length: 23 }, () => rng()));
    expect(out.shuffle).toEqual(shuffleInPlace(Array.from({ length: 50 }, (_, i) => i), createRng(7)));
    const split = splitRows(Int32Array.from(rows), { validation: 0.15, test: 0.25, seed: 5, strata });
    expect(out.split).toEqual({ train: Array.from(split.train), validation: Array.from(split.validation), test: Array.from(split.test) });

    // A file's cell is trimmed (JavaScript's trim, as the engine's reader does) and read in decimal notation only.
    expect(out.numbers).toEqual(numbers.map((c) => parseNumberCell(c.trim())));
    expect(out.numberStrings).toEqual(numberStrings.map((v) => String(v)));
    expect(out.dates).toEqual(
      dates.map((d) => {
        const ms = parseDate(d);
        if (ms === null) return null;
        const t = new Date(ms);
        return { ms, year: t.getUTCFullYear(), month: t.getUTCMonth() + 1, dayOfWeek: t.getUTCDay(), hour: t.getUTCHours() };
      }),
    );
    schedules.forEach((s, i) => {
      const expected = Array.from({ length: s.totalSteps }, (_, step) => learningRateAt(s.config, s, step));
      expectClose((out.schedules as number[][])[i], expected, 1e-12, 0, `schedule ${s.config.kind}`);
    });
  });

  it('every optimizer makes the updates Tickwork makes (float32, 1e-5 relative)', () => {
    const trajectories = out.optimizers as Array<Array<{ kernel: number[][]; bias: number[] }>>;
    cases.forEach((c, i) => {
      const kernel = tf.variable(tf.tensor2d(c.kernel));
      const bias = tf.variable(tf.tensor1d(c.bias));
      const optimizer = createOptimizer(c.config);
      const expected = c.steps.map((step) => {
        optimizer.setLearningRate(step.lr);
        tf.tidy(() => optimizer.applyGradients([{ variable: kernel, gradient: tf.tensor2d(step.kernel) }, { variable: bias, gradient: tf.tensor1d(step.bias) }]));
        return { kernel: kernel.arraySync() as number[][], bias: bias.arraySync() as number[] };
      });
      optimizer.dispose();
      kernel.dispose();
      bias.dispose();
      expectClose(trajectories[i].map((s) => s.kernel), expected.map((s) => s.kernel), 1e-5, 1e-6, `${JSON.stringify(c.config)} kernel`);
      expectClose(trajectories[i].map((s) => s.bias), expected.map((s) => s.bias), 1e-5, 1e-6, `${JSON.stringify(c.config)} bias`);
    });
  });

  it('reads delimited files as Tickwork does, with either reader, across chunk boundaries', async () => {
    if (!out.pandas) console.warn('pytorch-ports: pandas is not installed; only the csv reader is compared');
    const results = out.files as Array<Record<string, unknown>>;
    requests.forEach((req, k) => {
      const where = `${req.reader} ${req.path}`;
      if (req.reader === 'pandas' && !out.pandas) return;
      if (req.path.endsWith('unclosed.csv')) {
        expect(results[k].error, where).toMatch(/unclosed\.csv: a quoted field is not closed/);
        return;
      }
      if (req.path.endsWith('ragged.csv')) {
        expect(results[k].error, where).toMatch(/2 row\(s\) do not have the 3 fields of the header \(line 3 has 2, line 5 has 4\)/);
        return;
      }
      const { table } = tables[k % tables.length];
      expect(results[k].header, where).toEqual(table.columnNames);
      expect(results[k].delimiter, where).toBe(table.delimiter);
      expect(results[k].records, where).toBe(table.rowCount);
      table.columnNames.forEach((name, c) => {
        expect((results[k].keys as Record<string, unknown>)[name], `${where} ${name}`).toEqual(columnCells(table, c));
        const numbers = Array.from(numberView(table.columns[c]).values, (v) => (Number.isNaN(v) ? null : v));
        expect((results[k].numbers as Record<string, unknown>)[name], `${where} ${name} numbers`).toEqual(numbers);
      });
    });
    // The tricky column is text (four distinct words): every cell as written. The stray column is numbers.
    expect(columnCells(tables[0].table, 1)).toEqual(['1.50', '2.0', 'apple', '1e3', 'pear', 'plum', '0.10', 'fig', '007', '1.50', null, null, null]);
    expect(columnCells(tables[1].table, 0).slice(0, 8)).toEqual(['1.5', '2', '1000', '7', '-0.1', '1.5', '2', 'oops']);
  });
});
