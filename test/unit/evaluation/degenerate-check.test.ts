import { describe, expect, it } from 'vitest';
import { computeBaselines, predictBaseline } from '../../../models/evaluation/baselines';
import { checkDegenerate } from '../../../models/evaluation/degenerate-check';
import { computeMetrics } from '../../../models/train/metrics';
import { predictRows, trainModel, type TrainInput } from '../../../models/train/loop';
import { DivergenceGuard } from '../../../models/train/divergence-guard';
import { linearRegressionInput, moonsInput } from '../../helpers/engine';

/** Train, then run the check exactly as the service would after a run. */
async function trainAndCheck(input: TrainInput) {
  // A guard with an unreachable limit only records the gradient norms here (the check is under test, not the guard).
  const tracker = new DivergenceGuard({ task: input.task, classes: input.classes, factor: 1e12, ceiling: 1e12 });
  const result = await trainModel(input, { callbacks: [tracker], lossReadIntervalMs: 0 });
  const validation = input.validation!;
  const output = predictRows(result.model, validation.x, validation.rows, validation.cols);
  result.model.dispose();
  const baselines = computeBaselines({ task: input.task, classes: input.classes, targetStats: input.targetStats, train: input.train, validation, test: null });
  return checkDegenerate({
    task: input.task,
    network: result.metrics.validation!,
    constant: baselines.constant.validation!,
    output,
    y: validation.y,
    classes: input.classes,
    labels: ['no', 'yes'],
    lastGradNorm: tracker.lastGradNorm,
    firstGradNorm: tracker.firstGradNorm,
    trainLoss: result.metrics.train.loss,
    learningRate: input.config.optimizer.lr,
  });
}

describe('degenerate check', () => {
  it('fires for the constant predictor itself: no better than constant, and one class for every row', () => {
    const input = moonsInput();
    const validation = input.validation!;
    // 70/30 training shares → the constant says "no" (P(yes) = 0.3) for every row.
    const report = computeBaselines({ task: 'binary', classes: 2, targetStats: null, train: { ...input.train, y: input.train.y.map((_, i) => (i % 10 < 3 ? 1 : 0)) }, validation, test: null });
    const output = predictBaseline(report.models.constant, validation);
    const warnings = checkDegenerate({
      task: 'binary',
      network: computeMetrics('binary', output, validation.y, 2),
      constant: report.constant.validation!,
      output,
      y: validation.y,
      classes: 2,
      labels: ['no', 'yes'],
    });
    expect(warnings.map((w) => w.check)).toEqual(['no-better-than-constant', 'one-class']);
    expect(warnings.every((w) => w.code === 'degenerate')).toBe(true);
    expect(warnings[1].message).toMatch(/predicts "no" for 100% of the validation rows, although \d+% of them are "yes"/);
  });

  it('fires for a collapsed model (learning rate 10: saturated outputs, gradient norm 0) with a concrete suggestion', async () => {
    const warnings = await trainAndCheck(moonsInput({ epochs: 5, optimizer: { name: 'adam', lr: 10 } }));
    const checks = warnings.map((w) => w.check);
    expect(checks).toContain('no-better-than-constant');
    expect(checks).toContain('one-class');
    expect(checks).toContain('gradient-collapsed');
    for (const w of warnings) expect(w.message).toMatch(/learning rate about 10× lower \(1\.0 instead of 10\)/);
    expect(warnings.find((w) => w.check === 'gradient-collapsed')!.message).toMatch(/gradient norm fell to 0 \(it was 0\.\d+ at the start\)/);
  });

  it('stays quiet for a good model (binary and regression)', async () => {
    expect(await trainAndCheck(moonsInput({ epochs: 12 }))).toEqual([]);
    expect(await trainAndCheck(linearRegressionInput({ epochs: 8 }))).toEqual([]);
  });

  it('regression: a model that predicts one value for every row', () => {
    const y = Float32Array.from([1, 2, 3, 4]);
    const warnings = checkDegenerate({
      task: 'regression',
      network: { loss: 0.9 },
      constant: { loss: 1 },
      output: new Float32Array(4).fill(2.5),
      y,
      classes: 1,
    });
    expect(warnings.map((w) => w.check)).toEqual(['constant-output']);
  });

  it('a small gradient with a near-zero loss is convergence, not collapse; very imbalanced data is not "one class"', () => {
    const warnings = checkDegenerate({
      task: 'binary',
      network: { loss: 0.0004 },
      constant: { loss: 0.05 },
      // 995 negatives, 5 positives (0.5%): predicting "no" for 99.6% of rows is not a sign of collapse.
      output: Float32Array.from({ length: 1000 }, (_, i) => (i < 996 ? 0.01 : 0.99)),
      y: Float32Array.from({ length: 1000 }, (_, i) => (i < 995 ? 0 : 1)),
      classes: 2,
      lastGradNorm: 1e-9,
      firstGradNorm: 0.5,
    });
    expect(warnings).toEqual([]);
  });

  it('a NaN loss is no better than the constant', () => {
    expect(checkDegenerate({ task: 'binary', network: { loss: Number.NaN }, constant: { loss: 0.69 }, classes: 2 }).map((w) => w.check)).toEqual(['no-better-than-constant']);
  });
});
