/**
 * Results an analyst can act on: the threshold view moves the confusion matrix over every
 * validation row, a saved threshold changes what-if and batch-scoring labels, and the baselines
 * and the importance chart show.
 */
import { test, expect } from '@playwright/test';
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { serve, type Served } from '../helpers/serve';
import { goToStep, openBundled, pickFile, startTraining } from '../helpers/workbench-page';

let server: Served;
test.beforeEach(async () => {
  server = await serve();
});
test.afterEach(async () => {
  if (process.env.TICKWORK_E2E_SERVER_LOG) console.log(server?.output().slice(-6000));
  await server?.stop();
});

test('the threshold moves the confusion matrix; a saved threshold changes what-if and scoring; baselines and importance show', async ({ page }) => {
  // A binary file where a 20% minority ("churn") depends on two of four columns.
  const dir = await mkdtemp(join(tmpdir(), 'tickwork-e2e-results-'));
  const file = join(dir, 'churn.csv');
  let state = 7;
  const rand = () => ((state = (state * 1103515245 + 12345) % 2 ** 31) / 2 ** 31) * 2 - 1;
  const lines = Array.from({ length: 800 }, () => {
    const v = [rand(), rand(), rand(), rand()];
    return [...v.map((x) => x.toFixed(4)), v[0] + 0.7 * v[2] > 0.75 ? 'churn' : 'stay'].join(',');
  });
  await writeFile(file, `a,b,c,d,outcome\n${lines.join('\n')}\n`);
  await page.goto(server.url);
  await pickFile(page, 'open-file', file);
  await expect(page.getByTestId('task')).toHaveText('binary');
  await goToStep(page, 'training');
  await page.getByTestId('lr-input').fill('0.01');
  await page.getByTestId('epochs-input').fill('40');
  await startTraining(page);
  await expect(page.getByTestId('status-text')).toHaveAttribute('data-status', 'completed', { timeout: 90_000 });

  // The Results describe the returned model; the baselines sit beside the network.
  await expect(page.getByTestId('results-title')).toContainText('of the model this run returned');
  await expect(page.getByTestId('baselines').getByTestId('baseline-row')).toHaveCount(3);
  await expect(page.getByTestId('importance')).toBeVisible({ timeout: 30_000 });
  const firstTwo = (await page.getByTestId('importance-table').locator('tbody tr td:first-child').allTextContents()).slice(0, 2).sort();
  expect(firstTwo).toEqual(['a', 'c']);
  await expect(page.getByTestId('reliability-chart')).toBeVisible();
  await expect(page.getByTestId('brier')).toHaveText(/0\.\d{4}/);
  await expect(page.getByTestId('gains-chart')).toBeVisible();

  // The slider recomputes the confusion matrix over all validation rows.
  const cell = async (id: string) => Number(await page.getByTestId(id).textContent());
  const total = async () => (await cell('cm-tp')) + (await cell('cm-fp')) + (await cell('cm-tn')) + (await cell('cm-fn'));
  const rows = await total();
  expect(rows).toBe(120); // 15% of 800
  const positivesAtHalf = (await cell('cm-tp')) + (await cell('cm-fp'));
  await page.getByTestId('threshold-slider').fill('0.05');
  await expect.poll(async () => (await cell('cm-tp')) + (await cell('cm-fp'))).toBeGreaterThan(positivesAtHalf);
  expect(await total()).toBe(rows);
  await page.getByTestId('threshold-max-f1').click();
  await expect(page.getByTestId('threshold-note')).toContainText('the best F1: threshold');
  await page.screenshot({ path: 'test-results/screenshots/results-threshold.png', fullPage: true });

  // Save a very low threshold: what-if and scoring then say "churn" for nearly everyone.
  await page.getByTestId('threshold-slider').fill('0.001');
  await page.getByTestId('threshold-use').click();
  await expect(page.getByTestId('threshold-note')).toContainText('Saved');
  await goToStep(page, 'predict');
  // A row near the boundary (a + 0.7·c = 0.74): neither sure churn nor sure stay.
  for (const [input, value] of [['a', '0.6'], ['b', '0'], ['c', '0.2'], ['d', '0']]) await page.getByTestId(`whatif-${input}`).fill(value);
  await page.getByTestId('predict-button').click();
  await expect(page.getByTestId('prediction')).toContainText('Prediction: churn');
  const download = page.waitForEvent('download');
  await pickFile(page, 'score-button', file);
  const scoredPath = join(dir, 'scored.csv');
  await (await download).saveAs(scoredPath);
  const scored = (await readFile(scoredPath, 'utf8')).trim().split('\n').slice(1);
  // Every row follows the saved rule: "churn" exactly when P(churn) ≥ 0.001 (more than at 0.5).
  const rowsOf = (text: string[]) => text.map((l) => l.split(',')).map((c) => ({ predicted: c[5], p: Number(c[7]) }));
  const atLow = rowsOf(scored);
  expect(atLow.every((r) => r.predicted === (r.p >= 0.001 ? 'churn' : 'stay'))).toBe(true);
  expect(atLow.filter((r) => r.predicted === 'churn').length).toBeGreaterThan(atLow.filter((r) => r.p >= 0.5).length);
  // Back to a high threshold (in Live's results): the typical row is "stay".
  await goToStep(page, 'live');
  await page.getByTestId('threshold-slider').fill('0.999');
  await page.getByTestId('threshold-use').click();
  await expect(page.getByTestId('threshold-note')).toContainText('0.999');
  await goToStep(page, 'predict');
  await page.getByTestId('predict-button').click();
  await expect(page.getByTestId('prediction')).toContainText('Prediction: stay');
});

test('cross-validation from the Training step: its folds and final model are grouped in Compare with the mean ± sd over the folds', async ({ page }) => {
  await page.goto(server.url);
  await openBundled(page, 'iris');
  await goToStep(page, 'training');
  await page.getByTestId('epochs-input').fill('5');
  await page.getByTestId('lr-input').fill('0.05');
  await expect(page.getByTestId('evaluation-count')).toBeDisabled();
  await page.getByTestId('evaluation-select').selectOption('cv');
  await page.getByTestId('evaluation-count').fill('3');
  await startTraining(page);
  // The folds are compared side by side.
  await goToStep(page, 'compare');
  // 3 folds and the final model trained on all of them.
  await expect(page.getByTestId('compare-row')).toHaveCount(4, { timeout: 60_000 });
  await expect.poll(async () => (await page.getByTestId('compare-status').allTextContents()).filter((s) => /completed|stopped/.test(s)).length, { timeout: 90_000 }).toBe(4);
  await expect(page.getByTestId('race-header')).toContainText('cross-validation of 4 runs');
  await page.getByTestId('compare-metric').selectOption('accuracy');
  await expect(page.getByTestId('group-spread')).toContainText(/± \d\.\d{4}/);
  await expect(page.getByTestId('group-spread')).toContainText('over 3 folds');
  // Each run's curve has each epoch once, in order (a curve fetched while epochs arrived used to repeat them).
  const chart = page.getByTestId('compare-panel').locator('[data-points]').first();
  const rowEpochs = (await page.getByTestId('compare-epochs').allTextContents()).map((t) => Number(t.trim()));
  const names = await page.getByTestId('compare-name').allTextContents();
  const epochs = rowEpochs.reduce((n, e) => n + e, 0);
  expect(epochs).toBeGreaterThanOrEqual(4 * 3);
  // ... and the folds' mean and mean ± sd by epoch, over the epochs at least two folds reached (the final model is not a fold).
  const foldEpochs = rowEpochs.filter((_, i) => /fold/.test(names[i])).sort((a, b) => b - a);
  await expect(chart).toHaveAttribute('data-points', String(epochs + 3 * foldEpochs[1]));
  await page.getByTestId('compare-panel').screenshot({ path: 'test-results/screenshots/compare-cv.png' });
  // The chart by optimizer step, on a log scale, smoothed: the same points, the axis says so.
  await page.getByTestId('compare-x').selectOption('step');
  await page.getByTestId('compare-log-y').check();
  await page.getByTestId('compare-smoothing').fill('0.6');
  await expect(page.getByTestId('compare-smoothing-value')).toHaveText('0.60');
  await expect(chart).toHaveAttribute('data-points', String(epochs + 3 * foldEpochs[1]));
  await expect(chart).toHaveAttribute('aria-label', /by step/);
  await page.getByTestId('compare-panel').screenshot({ path: 'test-results/screenshots/compare-cv-step-log-smoothed.png' });
  // By wall time: every run trained here has its seconds, so nothing is left off; the axis says so.
  await expect(chart).toHaveAttribute('data-x-title', 'step');
  await page.getByTestId('compare-x').selectOption('time');
  await expect(chart).toHaveAttribute('data-x-title', 'wall time (s)');
  await expect(chart).toHaveAttribute('aria-label', /by wall time \(s\)/);
  await expect(chart).toHaveAttribute('data-points', String(epochs + 3 * foldEpochs[1]));
  await expect(page.getByTestId('compare-untimed')).toHaveCount(0);
  // "Use the best run": one click, and the notice says which run and by which metric.
  const bestName = (await page.locator('[data-testid="compare-row"][data-best="true"]').getByTestId('compare-name').textContent())!.trim();
  await expect(page.getByTestId('use-best')).toContainText(bestName.replace(/best$/, '').trim());
  await page.getByTestId('use-best-button').click();
  await expect(page.getByTestId('notice')).toContainText(/the best listed run by validation accuracy/);
  await expect(page.getByTestId('use-best')).toHaveCount(0);
});

test('the query step: a filter and a derived column become the dataset; a bad query is explained under the box and the dataset stays', async ({ page }) => {
  await page.goto(server.url);
  await page.getByTestId('bundled-select').selectOption('iris');
  await page.getByTestId('open-bundled').click();
  await expect(page.getByTestId('dataset-meta')).toContainText('150 rows');
  await page.getByTestId('query-step').locator('summary').click();
  await page.getByTestId('query-input').fill("SELECT *, petal_length * petal_width AS petal_area FROM data WHERE species <> 'setosa'");
  await page.getByTestId('query-apply').click();
  await expect(page.getByTestId('dataset-meta')).toContainText('100 rows × 6 columns');
  await expect(page.getByTestId('query-applied')).toBeVisible();
  await expect(page.locator('#column-petal_area')).toBeVisible();
  // A query DuckDB refuses: its reason under the box, the dataset as it was.
  await page.getByTestId('query-input').fill('SELECT petal_lenght FROM data');
  await page.getByTestId('query-apply').click();
  await expect(page.getByTestId('query-error')).toContainText(/petal_lenght/);
  await expect(page.getByTestId('query-input')).toHaveAttribute('aria-invalid', 'true');
  await page.getByTestId('query-step').screenshot({ path: 'test-results/screenshots/query-step-error.png' });
  await expect(page.getByTestId('dataset-meta')).toContainText('100 rows × 6 columns');
  // A run on the query's result records the query with its settings.
  await goToStep(page, 'training');
  await page.getByTestId('epochs-input').fill('2');
  await startTraining(page);
  await expect(page.getByTestId('status-text')).toHaveAttribute('data-status', 'completed', { timeout: 60_000 });
  const runId = (await page.getByTestId('live-panel').getAttribute('data-run'))!;
  // The run's settings, asked over the page's own API socket.
  const query = await page.evaluate(
    ({ runId, token }) =>
      new Promise<string | null>((resolve, reject) => {
        const { host } = (globalThis as unknown as { location: { host: string } }).location;
        const socket = new WebSocket(`ws://${host}/api/ws?token=${token}`);
        socket.onopen = () => socket.send(JSON.stringify({ type: 'request', id: 1, channel: 'run:get', input: { runId } }));
        socket.onmessage = (m) => {
          const msg = JSON.parse(String(m.data));
          if (msg.type !== 'response') return;
          socket.close();
          if (msg.envelope.ok) resolve(msg.envelope.result.config.query ?? null);
          else reject(new Error(msg.envelope.error?.message));
        };
      }),
    { runId, token: server.token },
  );
  expect(query).toMatch(/petal_area/);
  await goToStep(page, 'data');
  await page.getByTestId('query-clear').click();
  await expect(page.getByTestId('dataset-meta')).toContainText('150 rows × 5 columns');
});

test('Predict & export writes the run as a PyTorch recipe: train.py with the run, its split, its model and the bundled data', async ({ page }) => {
  await page.goto(server.url);
  await openBundled(page, 'iris');
  await goToStep(page, 'training');
  await page.getByTestId('epochs-input').fill('2');
  await startTraining(page);
  await expect(page.getByTestId('status-text')).toHaveAttribute('data-status', 'completed', { timeout: 60_000 });
  await goToStep(page, 'predict');
  await page.getByTestId('export-kind').selectOption('recipe');
  await expect(page.getByTestId('quantize-select')).toBeDisabled();
  const download = page.waitForEvent('download');
  await page.getByTestId('export-model-button').click();
  const zipPath = join(await mkdtemp(join(tmpdir(), 'tickwork-e2e-recipe-')), 'recipe.zip');
  await (await download).saveAs(zipPath);
  const { unzipSync } = await import('fflate');
  const files = unzipSync(new Uint8Array(await readFile(zipPath)));
  expect(Object.keys(files)).toEqual(expect.arrayContaining(['train.py', 'run-config.json', 'split.json', 'model.json', 'weights.bin', 'preprocessing.json', 'data.csv', 'README.md']));
  expect(new TextDecoder().decode(files['train.py'])).toMatch(/DistributedDataParallel/);
  expect(JSON.parse(new TextDecoder().decode(files['run-config.json'])).epochs).toBe(2);
  await expect(page.getByTestId('export-report')).toContainText('train.py');
});

test('the timeline scrubs and replays a finished run: Results and the decision surface as they were at each epoch', async ({ page }) => {
  await page.goto(server.url);
  await openBundled(page, 'moons');
  await goToStep(page, 'training');
  await page.getByTestId('epochs-input').fill('12');
  await page.getByTestId('more-settings').locator('summary').click();
  await page.getByTestId('early-stopping').uncheck();
  await startTraining(page);
  await expect(page.getByTestId('status-text')).toHaveAttribute('data-status', 'completed', { timeout: 60_000 });
  const slider = page.getByTestId('timeline-slider');
  await expect(slider).toHaveAttribute('max', '12');
  await expect(page.getByTestId('timeline-at')).toContainText('the run as it ended (12 epochs kept)');
  const finalStep = Number(await page.getByTestId('surface').getAttribute('data-step'));
  // Back to epoch 2: the surface and Results are those of epoch 2.
  await slider.evaluate((el: { value: string; dispatchEvent(e: unknown): boolean }) => {
    el.value = '2';
    el.dispatchEvent(new (globalThis as unknown as { Event: new (t: string, o: object) => unknown }).Event('input', { bubbles: true }));
  });
  await expect(page.getByTestId('timeline-at')).toContainText('as at epoch 2 of 12');
  await expect(page.getByTestId('results-title')).toContainText('epoch 2');
  await expect.poll(async () => Number(await page.getByTestId('surface').getAttribute('data-step'))).toBeLessThan(finalStep);
  await page.waitForTimeout(1500); // charts out of view draw once the page is idle
  await page.getByTestId('live-panel').screenshot({ path: 'test-results/screenshots/timeline-epoch-2.png' });
  // Replay walks to the last kept epoch; "End of run" shows the returned model again.
  await page.getByTestId('timeline-play').click();
  await expect(page.getByTestId('timeline-at')).toContainText('as at epoch 12 of 12', { timeout: 20_000 });
  await page.getByTestId('timeline-latest').click();
  await expect(page.getByTestId('timeline-at')).toContainText('the run as it ended');
  await expect(page.getByTestId('surface')).toHaveAttribute('data-step', String(finalStep));
});

test('browser mode opens a file by its path on the server (a remote box), and says what is wrong with a relative one', async ({ page }) => {
  const dir = await mkdtemp(join(tmpdir(), 'tickwork-e2e-path-'));
  const file = join(dir, 'remote.csv');
  await writeFile(file, 'x,y,label\n' + Array.from({ length: 60 }, (_, i) => `${i},${(i * 7) % 11},${i % 2 ? 'a' : 'b'}`).join('\n') + '\n');
  await page.goto(server.url);
  await page.getByTestId('server-path').fill('remote.csv');
  await page.getByTestId('open-server-path').click();
  await expect(page.getByTestId('error-banner')).toContainText('must be an absolute path');
  await page.getByTestId('server-path').fill(file);
  await page.getByTestId('open-server-path').click();
  await expect(page.getByTestId('dataset-meta')).toContainText('remote.csv — 60 rows × 3 columns');
});

test('a big file shows how far its read is, then that it is read and its statistics and data check are computed', async ({ page }) => {
  const dir = await mkdtemp(join(tmpdir(), 'tickwork-e2e-big-'));
  const file = join(dir, 'big.csv');
  const rows = 800_000;
  const lines = ['a,b,c,label'];
  for (let i = 0; i < rows; i++) lines.push(`${(i * 7919) % 100_003},${(i % 977) / 10},${i % 31},${i % 3 ? 'yes' : 'no'}`);
  await writeFile(file, lines.join('\n') + '\n');
  await page.goto(server.url);
  // Every state of the reading line, as the page shows it (a stage can be shorter than a poll).
  await page.evaluate(`(() => {
    const seen = (window.__stages = []);
    new MutationObserver(() => {
      const el = document.querySelector('[data-testid=reading-stage]');
      const entry = el ? el.dataset.stage + ': ' + el.textContent.trim() : null;
      if (entry && seen.at(-1) !== entry) seen.push(entry);
    }).observe(document.body, { subtree: true, childList: true, characterData: true, attributes: true });
  })()`);
  await page.getByTestId('server-path').fill(file);
  await page.getByTestId('open-server-path').click();
  await expect(page.getByTestId('dataset-meta')).toContainText('big.csv — 800,000 rows × 4 columns', { timeout: 60_000 });
  const stages = await page.evaluate<string[]>('window.__stages');
  // Reading stages (where the parse outlasts a progress poll) say how far; then one says the file is read, with its rows.
  const checking = stages.findIndex((s) => s.startsWith('checking'));
  expect(checking, stages.join('\n')).toBeGreaterThanOrEqual(0);
  expect(stages[checking]).toBe('checking: Read 800,000 rows · computing the statistics and the data check…');
  for (const s of stages.slice(0, checking)) expect(s).toMatch(/^reading: Reading… \d+% · about [\d,]+ rows$/);
  expect(stages.slice(checking).every((s) => s.startsWith('checking'))).toBe(true);
});
