import { beforeAll, describe, expect, it } from 'vitest';
import { binaryCounts, binaryMetrics, validateThreshold } from '../../../models/evaluation/binary-metrics';
import { classificationReport, confusionMatrix, predictedClasses, reportFromConfusion } from '../../../models/evaluation/classification-report';
import { computeMetrics } from '../../../models/train/metrics';
import { createRng, normal } from '../../../models/random';
import { runPython, sklearnPython, SKLEARN_MISSING } from '../../helpers/sklearn';

/** Fixed binary predictions: 300 rows, 30% positives, scores that separate them imperfectly (float32, as a model's). */
function binaryFixture() {
  const rng = createRng(42);
  const n = 300;
  const y = new Float32Array(n);
  const scores = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    y[i] = rng() < 0.3 ? 1 : 0;
    scores[i] = 1 / (1 + Math.exp(-(1.6 * (y[i] - 0.5) * 2 - 0.4 + normal(rng))));
  }
  return { y, scores };
}

/** Fixed 4-class probabilities, 400 rows. */
function multiclassFixture() {
  const rng = createRng(7);
  const n = 400;
  const k = 4;
  const y = new Float32Array(n);
  const output = new Float32Array(n * k);
  for (let i = 0; i < n; i++) {
    y[i] = Math.floor(rng() * k);
    const z = Array.from({ length: k }, (_, c) => (c === y[i] ? 1.2 : 0) + normal(rng));
    const e = z.map(Math.exp);
    const s = e.reduce((a, b) => a + b, 0);
    e.forEach((v, c) => (output[i * k + c] = v / s));
  }
  return { y, output, k };
}

describe('binary metrics by hand', () => {
  it('positive class is class 1: a rare positive class has its own precision/recall, unlike the macro average', () => {
    // 8 negatives all right, 2 positives: one found (0.9), one missed (0.2); one false alarm (0.7).
    const scores = [0.1, 0.2, 0.1, 0.3, 0.7, 0.1, 0.2, 0.4, 0.9, 0.2];
    const y = [0, 0, 0, 0, 0, 0, 0, 0, 1, 1];
    const m = binaryMetrics(scores, y);
    expect(m.counts).toEqual({ tp: 1, fp: 1, tn: 7, fn: 1 });
    expect(m.precision).toBeCloseTo(0.5, 12);
    expect(m.recall).toBeCloseTo(0.5, 12);
    expect(m.f1).toBeCloseTo(0.5, 12);
    expect(m.specificity).toBeCloseTo(7 / 8, 12);
    expect(m.accuracy).toBeCloseTo(0.8, 12);
    // negatives: precision 7/8, recall 7/8 → macro precision (0.5 + 7/8) / 2
    expect(m.macro.precision).toBeCloseTo((0.5 + 7 / 8) / 2, 12);
    expect(m.positives).toBe(2);
  });

  it('the threshold moves rows: score ≥ threshold is positive (a score equal to the threshold counts)', () => {
    const counts = binaryCounts([0.3, 0.5, 0.7], [1, 0, 1], 0.5);
    expect(counts).toEqual({ tp: 1, fp: 1, tn: 0, fn: 1 });
    expect(binaryCounts([0.3, 0.5, 0.7], [1, 0, 1], 0.3)).toEqual({ tp: 2, fp: 1, tn: 0, fn: 0 });
  });

  it('refuses a threshold outside (0, 1) with a plain message', () => {
    expect(() => validateThreshold(1)).toThrow(/between 0 and 1 \(exclusive\), received 1/);
    expect(() => validateThreshold(0)).toThrow(/received 0/);
    expect(() => validateThreshold(Number.NaN)).toThrow(/received NaN/);
    expect(() => computeMetrics('binary', Float32Array.from([0.5]), Float32Array.from([1]), 2, 1, { threshold: 1.5 })).toThrow(/received 1.5/);
  });

  it('computeMetrics (binary) reports the positive class under precision/recall/f1 and the macro averages as macro_*', () => {
    const scores = Float32Array.from([0.1, 0.2, 0.1, 0.3, 0.7, 0.1, 0.2, 0.4, 0.9, 0.2]);
    const y = Float32Array.from([0, 0, 0, 0, 0, 0, 0, 0, 1, 1]);
    const m = computeMetrics('binary', scores, y, 2);
    expect(Object.keys(m).sort()).toEqual(['accuracy', 'auc', 'f1', 'loss', 'macro_f1', 'macro_precision', 'macro_recall', 'precision', 'recall']);
    expect(m.precision).toBeCloseTo(0.5, 12);
    expect(m.macro_precision).toBeCloseTo((0.5 + 7 / 8) / 2, 12);
    // At threshold 0.35 the 0.4 row becomes a second false alarm.
    const lower = computeMetrics('binary', scores, y, 2, 1, { threshold: 0.35 });
    expect(lower.precision).toBeCloseTo(1 / 3, 12);
    expect(lower.accuracy).toBeCloseTo(0.7, 12);
    // The old macro-only report is one option away.
    const macro = computeMetrics('binary', scores, y, 2, 1, { binaryAverage: 'macro' });
    expect(Object.keys(macro).sort()).toEqual(['accuracy', 'auc', 'f1', 'loss', 'precision', 'recall']);
    expect(macro.precision).toBeCloseTo(m.macro_precision, 12);
  });

  it('multiclass computeMetrics is unchanged: macro precision/recall/f1 under the plain names', () => {
    const out = Float32Array.from([0.7, 0.2, 0.1, 0.1, 0.3, 0.6, 0.2, 0.5, 0.3]);
    const m = computeMetrics('multiclass', out, Float32Array.from([0, 1, 1]), 3);
    expect(Object.keys(m).sort()).toEqual(['accuracy', 'f1', 'loss', 'precision', 'recall']);
  });
});

describe('per-class table by hand', () => {
  it('from predictions and from a confusion matrix agree; a class absent everywhere is left out of the macro average', () => {
    // y_true = [0,0,1,1,2,2], y_pred = [0,1,1,1,2,0] (class 3 never occurs)
    const report = classificationReport([0, 1, 1, 1, 2, 0], [0, 0, 1, 1, 2, 2], 4);
    expect(report.perClass.map((c) => c.support)).toEqual([2, 2, 2, 0]);
    expect(report.perClass[1].precision).toBeCloseTo(2 / 3, 12);
    expect(report.perClass[1].f1).toBeCloseTo(0.8, 12);
    expect(report.macro.f1).toBeCloseTo((0.5 + 0.8 + 2 / 3) / 3, 12);
    expect(report.accuracy).toBeCloseTo(4 / 6, 12);
    expect(reportFromConfusion(report.confusion)).toEqual(report);
    expect(() => confusionMatrix([0, 5], [0, 1], 3)).toThrow(/class ids must be integers in \[0, 2\]/);
  });
});

describe.skipIf(!sklearnPython)(`against scikit-learn${sklearnPython ? '' : ` (${SKLEARN_MISSING})`}`, () => {
  const binary = binaryFixture();
  const multi = multiclassFixture();
  let ref: {
    binary: Record<string, { precision: number; recall: number; f1: number; accuracy: number; macro: number[] }>;
    auc: number;
    logLoss: number;
    multi: { precision: number[]; recall: number[]; f1: number[]; support: number[]; macro: number[]; weighted: number[]; logLoss: number; accuracy: number };
  };
  beforeAll(() => {
    ref = runPython(
      `
from sklearn.metrics import precision_score, recall_score, f1_score, accuracy_score, roc_auc_score, log_loss, precision_recall_fscore_support
y = np.array(data['y']); s = np.array(data['scores'])
out = {'binary': {}}
for t in data['thresholds']:
    p = (s >= t).astype(int)
    out['binary'][str(t)] = dict(precision=precision_score(y, p, zero_division=0), recall=recall_score(y, p, zero_division=0), f1=f1_score(y, p, zero_division=0),
        accuracy=accuracy_score(y, p), macro=list(precision_recall_fscore_support(y, p, average='macro', zero_division=0)[:3]))
out['auc'] = roc_auc_score(y, s)
out['logLoss'] = log_loss(y, s)
my = np.array(data['my']); mo = np.array(data['mo']).reshape(len(my), -1)
mp = mo.argmax(axis=1)
pr, rc, f1, sup = precision_recall_fscore_support(my, mp, zero_division=0)
out['multi'] = dict(precision=list(pr), recall=list(rc), f1=list(f1), support=[int(v) for v in sup],
    macro=list(precision_recall_fscore_support(my, mp, average='macro', zero_division=0)[:3]),
    weighted=list(precision_recall_fscore_support(my, mp, average='weighted', zero_division=0)[:3]),
    logLoss=log_loss(my, mo), accuracy=accuracy_score(my, mp))
print(json.dumps(out))
`,
      { y: Array.from(binary.y), scores: Array.from(binary.scores), thresholds: [0.5, 0.3, 0.72], my: Array.from(multi.y), mo: Array.from(multi.output) },
    );
  });

  it('positive-class precision, recall, F1, accuracy and macro averages at three thresholds', () => {
    for (const t of [0.5, 0.3, 0.72]) {
      const r = ref.binary[String(t)];
      const m = binaryMetrics(binary.scores, binary.y, { threshold: t });
      expect(m.precision, `precision @${t}`).toBeCloseTo(r.precision, 12);
      expect(m.recall, `recall @${t}`).toBeCloseTo(r.recall, 12);
      expect(m.f1, `f1 @${t}`).toBeCloseTo(r.f1, 12);
      expect(m.accuracy).toBeCloseTo(r.accuracy, 12);
      expect([m.macro.precision, m.macro.recall, m.macro.f1].map((v) => +v.toFixed(12))).toEqual(r.macro.map((v) => +v.toFixed(12)));
      const flat = computeMetrics('binary', binary.scores, binary.y, 2, 1, { threshold: t });
      expect(flat.f1).toBeCloseTo(r.f1, 12);
      expect(flat.macro_f1).toBeCloseTo(r.macro[2], 12);
    }
  });

  it('ROC AUC and log loss', () => {
    const m = binaryMetrics(binary.scores, binary.y);
    expect(m.auc).toBeCloseTo(ref.auc, 12);
    expect(m.logLoss).toBeCloseTo(ref.logLoss, 10);
    expect(computeMetrics('binary', binary.scores, binary.y, 2).loss).toBeCloseTo(ref.logLoss, 10);
  });

  it('multiclass per-class precision, recall, F1, support, macro and weighted averages, log loss', () => {
    const predicted = predictedClasses('multiclass', multi.output, multi.y.length, multi.k);
    const report = classificationReport(predicted, multi.y, multi.k);
    report.perClass.forEach((c, k) => {
      expect(c.precision).toBeCloseTo(ref.multi.precision[k], 12);
      expect(c.recall).toBeCloseTo(ref.multi.recall[k], 12);
      expect(c.f1).toBeCloseTo(ref.multi.f1[k], 12);
      expect(c.support).toBe(ref.multi.support[k]);
    });
    expect(report.macro.precision).toBeCloseTo(ref.multi.macro[0], 12);
    expect(report.macro.recall).toBeCloseTo(ref.multi.macro[1], 12);
    expect(report.macro.f1).toBeCloseTo(ref.multi.macro[2], 12);
    expect(report.weighted.f1).toBeCloseTo(ref.multi.weighted[2], 12);
    expect(report.accuracy).toBeCloseTo(ref.multi.accuracy, 12);
    const flat = computeMetrics('multiclass', multi.output, multi.y, multi.k);
    expect(flat.f1).toBeCloseTo(ref.multi.macro[2], 12);
    expect(flat.loss).toBeCloseTo(ref.multi.logLoss, 6); // sklearn renormalizes the float32 rows; they sum to 1 ± 1e-7
  });
});
