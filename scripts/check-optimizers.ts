/**
 * `npm run check:optimizers -- <fixture.json> [more.json …]`
 * Runs every optimizer case and schedule of each fixture through the project's implementations
 * (float32, tfjs cpu backend), prints the largest relative error per case, and exits 1 if any
 * parameter is off by more than 1e-4·|value| + 1e-5 or any scheduled LR by more than 1e-9 relative.
 */
import { readFileSync } from 'node:fs';
import * as tf from '@tensorflow/tfjs';
import { checkFixture, type ReferenceFixture } from '../models/train/reference-check.js';

async function main(): Promise<number> {
  const files = process.argv.slice(2);
  if (files.length === 0) {
    console.error('usage: npm run check:optimizers -- <fixture.json> [more.json …]');
    return 2;
  }
  await tf.setBackend('cpu');
  let failed = 0;
  let total = 0;
  for (const file of files) {
    let fixture: ReferenceFixture;
    try {
      fixture = JSON.parse(readFileSync(file, 'utf8'));
    } catch (err) {
      console.error(`${file}: cannot read the fixture: ${(err as Error).message}`);
      return 2;
    }
    console.log(`${file}`);
    for (const r of checkFixture(fixture)) {
      total++;
      if (!r.passed) failed++;
      const figures = r.error
        ? r.error
        : `max rel err ${r.maxRelativeError.toExponential(2)}  (${(r.maxToleranceRatio * 100).toFixed(1)}% of tolerance)` +
          (r.maxLossRelativeError !== null ? `  loss rel err ${r.maxLossRelativeError.toExponential(2)}` : '');
      console.log(`  ${r.passed ? 'ok  ' : 'FAIL'}  ${r.label.padEnd(96)} ${figures}`);
    }
  }
  console.log(`${total - failed} passed, ${failed} failed`);
  return failed === 0 ? 0 : 1;
}

void main().then((code) => process.exit(code));
