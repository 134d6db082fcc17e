/**
 * The frame around the steps, end to end in browser mode: feedback where the user is looking,
 * explicit context changes, short runs shown whole, the decision surface's axes, focus, tabs,
 * the sidebar, and accessibility. Screenshots go to test-results/screenshots/.
 */
import { test, expect, type Page } from '@playwright/test';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import AxeBuilder from '@axe-core/playwright';
import { serve, type Served } from '../helpers/serve';
import { failOnPageErrors, goToStep, openBundled, pickFile, startTraining } from '../helpers/workbench-page';

let server: Served;

test.beforeEach(async () => {
  server = await serve();
});

failOnPageErrors();

test.afterEach(async () => {
  await server?.stop();
});

/** A CSV in a fresh folder: an ID column, two numeric inputs, a binary label. */
async function writeCsv(name: string, rows = 120): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'tickwork-frame-'));
  const file = join(dir, name);
  const lines = ['customer_id,tenure,charges,plan,churn'];
  for (let i = 0; i < rows; i++) {
    const tenure = (i * 37) % 72;
    const charges = 20 + ((i * 53) % 100);
    lines.push(`${1000 + i},${tenure},${charges},${i % 3 === 0 ? 'basic' : 'pro'},${tenure < 20 && charges > 60 ? 'yes' : 'no'}`);
  }
  await writeFile(file, lines.join('\n') + '\n');
  return file;
}

/** Train from the Training step; Train moves the user to Live, where the run is watched to its end. */
async function trainFor(page: Page, epochs: number) {
  await goToStep(page, 'training');
  await page.getByTestId('epochs-input').fill(String(epochs));
  await startTraining(page);
  await expect(page.getByTestId('status-text')).toHaveAttribute('data-status', 'completed', { timeout: 60_000 });
}

test('feedback where the user is: a bad field is marked at the field, a refused Train says why next to Train and Live stays', async ({ page }) => {
  await page.goto(server.url);
  await openBundled(page, 'iris');
  await trainFor(page, 3);
  const liveRun = await page.getByTestId('live-panel').getAttribute('data-run');
  expect(liveRun).toBeTruthy();
  await expect(page.getByTestId('toast')).toContainText(/finished/);

  // Batch size 1,000,000: marked at the field as it is typed, in plain words.
  await goToStep(page, 'training');
  const batch = page.getByTestId('batch-input');
  await batch.fill('1000000');
  await expect(batch).toHaveAttribute('aria-invalid', 'true');
  await expect(page.getByTestId('field-error-batch')).toHaveText('Batch size must be at most 65,536. Enter a smaller number, or leave it empty for auto (32).');
  await expect(batch).toHaveAttribute('aria-describedby', 'batch-error');

  // Train anyway: the service refuses; the message is next to Train, in plain words, and Live keeps the last run.
  await page.getByTestId('train-button').click();
  const refusal = page.getByTestId('train-refusal');
  await expect(refusal).toHaveText(/Not started: Batch size must be at most 65,536\./);
  await expect(refusal).not.toContainText('training:start');
  await expect(refusal).not.toContainText('65536');
  await expect(page.getByTestId('error-banner')).toHaveCount(0);
  await expect(page.getByTestId('live-panel')).toHaveAttribute('data-run', liveRun!);
  await expect(page.getByTestId('status-text')).toHaveAttribute('data-status', 'completed');
  // Refused: the user stays at Train (Live is not where the answer is).
  await expect(page).toHaveURL(/#training$/);
  // The refusal is near the button: both are in view together.
  await expect(refusal).toBeInViewport();
  await expect(page.getByTestId('train-button')).toBeInViewport();

  // Fixed: the mark goes away.
  await batch.fill('16');
  await expect(batch).not.toHaveAttribute('aria-invalid', 'true');
  await expect(page.getByTestId('field-error-batch')).toHaveCount(0);

  // What-if: a word in a numeric input is marked at the input; Predict says why next to it.
  await goToStep(page, 'predict');
  const whatIf = page.getByTestId('whatif-sepal_length');
  await whatIf.fill('five');
  await expect(whatIf).toHaveAttribute('aria-invalid', 'true');
  await expect(page.getByTestId('field-error-whatif-sepal_length')).toContainText('sepal_length takes a number');
  await expect(page.getByTestId('field-error-whatif-sepal_length')).toContainText('"five" is not one');
  await page.getByTestId('predict-button').click();
  await expect(page.getByTestId('predict-refusal')).toContainText('fix the marked field (sepal_length)');
  await expect(page.getByTestId('predict-refusal')).not.toContainText('line 2');
  await whatIf.fill('6.7');
  await page.getByTestId('predict-button').click();
  await expect(page.getByTestId('prediction')).toContainText('Prediction:');
  await expect(page.getByTestId('predict-refusal')).toHaveCount(0);
});

test('an ID column as target is marked at the target, and Train says why next to it without starting', async ({ page }) => {
  await page.goto(server.url);
  await pickFile(page, 'open-file', await writeCsv('churn.csv'));
  await expect(page.getByTestId('dataset-meta')).toContainText('120 rows');
  const target = page.getByTestId('target-select');
  await expect(target).toHaveValue('churn');
  await expect(target).not.toHaveAttribute('aria-invalid', 'true');
  await target.selectOption('customer_id');
  await expect(target).toHaveAttribute('aria-invalid', 'true');
  await expect(page.getByTestId('field-error-target')).toHaveText(
    '"customer_id" has a different value on every row, like an ID: there is nothing a model can learn to predict. Choose the column you want to predict.',
  );
  await goToStep(page, 'training');
  await page.getByTestId('epochs-input').fill('2');
  await page.getByTestId('train-button').click();
  // Refused: the user stays at Train, with the reason next to it.
  await expect(page.getByTestId('train-refusal')).toContainText('Not started: "customer_id" has a different value on every row');
  await expect(page.getByTestId('status-text')).toHaveAttribute('data-status', 'idle');
  await expect(page).toHaveURL(/#training$/);
  // Another target: the mark and the refusal go.
  await goToStep(page, 'data');
  await target.selectOption('churn');
  await expect(page.getByTestId('field-error-target')).toHaveCount(0);
  await expect(page.getByTestId('train-refusal')).toHaveCount(0);
});

test('context changes are explicit: runs named, downloads named after data and run, another dataset clears Live, the LR suggestion and Predict', async ({ page }) => {
  await page.goto(server.url);
  await openBundled(page, 'iris');
  // The LR finder's suggestion belongs to the settings it was measured with.
  await goToStep(page, 'training');
  await page.getByTestId('lr-find-button').click();
  await expect(page.getByTestId('lr-suggestion')).toBeVisible({ timeout: 60_000 });
  await page.getByTestId('batch-input').fill('8');
  await expect(page.getByTestId('lr-suggestion')).toHaveCount(0);
  await expect(page.getByTestId('lr-stale')).toContainText('measured on iris with other settings');
  await page.getByTestId('batch-input').fill('');
  await expect(page.getByTestId('lr-suggestion')).toBeVisible();

  await trainFor(page, 3);
  // Live, the toast and Predict name the run, not its id.
  await expect(page.getByTestId('live-run-name')).toHaveText('#1 adam lr 0.001 on iris');
  await expect(page.getByTestId('toast').first()).toContainText('#1 adam lr 0.001 finished');
  await expect(page.getByTestId('model-source')).toHaveText('run #1 adam lr 0.001 on iris');
  // The download is named after the dataset and the run (Export, in Live).
  const downloading = page.waitForEvent('download');
  await page.getByTestId('export-button').click();
  const download = await downloading;
  expect(download.suggestedFilename()).toBe('iris-1-adam.zip');
  const zip = join(await mkdtemp(join(tmpdir(), 'tickwork-frame-')), download.suggestedFilename());
  await download.saveAs(zip);
  await expect(page.getByTestId('toast').last()).toContainText('Exported to iris-1-adam.zip');

  // Another dataset: the old run's Live, the LR suggestion and the run's model go.
  await openBundled(page, 'moons');
  await expect(page.getByTestId('live-panel')).not.toHaveAttribute('data-run', /./);
  await expect(page.getByTestId('tick-counter')).toContainText('No run yet');
  await expect(page.getByTestId('surface')).toHaveCount(0);
  await expect(page.getByTestId('lr-suggestion')).toHaveCount(0);
  await expect(page.getByTestId('lr-chart')).toHaveCount(0);
  await expect(page.getByTestId('model-card')).toHaveCount(0);

  // A loaded export shows its own file name, not where the server stored the upload.
  await goToStep(page, 'predict');
  await pickFile(page, 'load-model-button', zip);
  await expect(page.getByTestId('model-source')).toHaveText('loaded from iris-1-adam.zip');
  await expect(page.getByTestId('model-card')).not.toContainText('tickwork-uploads');

  // Back to iris from the sidebar's list of datasets: the loaded export stays (the user chose it), the data switches.
  await page.getByTestId('ws-dataset').filter({ hasText: 'iris' }).click();
  await expect(page.getByTestId('dataset-meta')).toContainText('iris');
  await expect(page.getByTestId('model-source')).toHaveText('loaded from iris-1-adam.zip');
});

test('a short run is shown whole: one LR point per step, not one per throttled progress event', async ({ page }) => {
  await page.goto(server.url);
  await openBundled(page, 'iris');
  await goToStep(page, 'training');
  await page.getByTestId('batch-input').fill('8');
  await page.getByTestId('warmup-input').fill('20');
  await trainFor(page, 5);
  const [, steps] = /(\d+) steps/.exec((await page.getByTestId('status-text').textContent()) ?? '')!;
  expect(Number(steps)).toBeGreaterThan(40);
  // One point per step (not one per throttled progress event).
  await expect.poll(async () => Number(await page.getByTestId('lr-live-chart').getAttribute('data-points'))).toBe(Number(steps));
});

test('status line, tick counter and rates agree: the same epoch, and 0 steps/s while paused', async ({ page }) => {
  await page.goto(server.url);
  await openBundled(page, 'spirals');
  await goToStep(page, 'training');
  await page.getByTestId('epochs-input').fill('100000');
  await page.getByTestId('batch-input').fill('8');
  await page.getByTestId('more-settings').locator('summary').click();
  await page.getByTestId('early-stopping').uncheck();
  await startTraining(page);
  const status = page.getByTestId('status-text');
  await expect(status).toHaveText(/training epoch [3-9]\d*\//, { timeout: 60_000 });
  // Read both in one go: the same epoch.
  for (let i = 0; i < 5; i++) {
    const [line, ticks] = await page.evaluate(`[document.querySelector('[data-testid=status-text]').textContent, document.querySelector('[data-testid=tick-epoch]').textContent]`) as [string, string];
    expect(/epoch (\d+\/\d+)/.exec(line)?.[1], `${line} | ${ticks}`).toBe(/epoch (\d+\/\d+)/.exec(ticks)?.[1]);
    await page.waitForTimeout(300);
  }
  await goToStep(page, 'training');
  await page.getByTestId('pause-button').click();
  await expect(status).toHaveText(/paused at step \d+/);
  await goToStep(page, 'live');
  await expect(page.getByTestId('tick-rate')).toHaveText('0 steps/s');
  await page.getByTestId('essentials-stop').click();
  await expect(status).toHaveText(/stopped/, { timeout: 30_000 });
});

test('the decision surface starts on two numeric inputs that are not 0/1, within their range, then moves to the two most important', async ({ page }) => {
  const dir = await mkdtemp(join(tmpdir(), 'tickwork-frame-'));
  const file = join(dir, 'signal.csv');
  const lines = ['sex,noise,a,b,label'];
  for (let i = 0; i < 300; i++) {
    const a = (i * 37) % 100;
    const b = (i * 53) % 100;
    lines.push(`${i % 2},${(i * 7919) % 97},${a},${b},${a + b > 100 ? 'yes' : 'no'}`);
  }
  await writeFile(file, lines.join('\n') + '\n');
  await page.goto(server.url);
  await pickFile(page, 'open-file', file);
  await expect(page.getByTestId('target-select')).toHaveValue('label');
  await goToStep(page, 'training');
  // A run that lasts until it is stopped: a 60-epoch run ended (and moved the axes by importance)
  // before the first look at them.
  await page.getByTestId('epochs-input').fill('100000');
  await page.getByTestId('lr-input').fill('0.01');
  await page.getByTestId('more-settings').locator('summary').click();
  await page.getByTestId('early-stopping').uncheck();
  await startTraining(page);
  const surface = page.getByTestId('surface');
  // Before importance: the first two numeric inputs that take more than two values (not sex).
  await expect(page.getByTestId('surface-x')).toHaveValue('noise', { timeout: 30_000 });
  await expect(page.getByTestId('surface-y')).toHaveValue('a');
  // The axes span the data (noise 0–96, a 0–99 in training) and no further.
  const [xMin, xMax] = (await surface.getAttribute('data-x-range'))!.split(',').map(Number);
  expect(xMin).toBeGreaterThanOrEqual(0);
  expect(xMax).toBeLessThanOrEqual(96);
  const [yMin, yMax] = (await surface.getAttribute('data-y-range'))!.split(',').map(Number);
  expect(yMin).toBeGreaterThanOrEqual(0);
  expect(yMax).toBeLessThanOrEqual(99);
  await page.waitForTimeout(2000); // a few hundred epochs, enough to learn a + b
  await page.getByTestId('essentials-stop').click();
  await expect(page.getByTestId('status-text')).toHaveAttribute('data-status', 'stopped', { timeout: 90_000 });
  // Once permutation importance is in: a and b, the two inputs the label is made of.
  await expect(page.getByTestId('importance-table')).toBeAttached({ timeout: 30_000 });
  await expect.poll(async () => [await page.getByTestId('surface-x').inputValue(), await page.getByTestId('surface-y').inputValue()].sort().join(' × '), { timeout: 30_000 }).toBe('a × b');
  await expect(surface).toHaveAttribute('data-final', 'true');
});

test('focus: "Skip to Train" is the first Tab stop and goes to the Training step; Train goes to Live with the focus on Stop, and to Live\'s heading when the run ends', async ({ page }) => {
  await page.goto(server.url);
  await expect(page.getByTestId('backend')).toContainText('backend:');
  await openBundled(page, 'iris');
  await goToStep(page, 'training');
  // A run that lasts until stopped: a 30-epoch iris run can end before Stop is looked for.
  await page.getByTestId('epochs-input').fill('100000');
  await page.getByTestId('more-settings').locator('summary').click();
  await page.getByTestId('early-stopping').uncheck();
  await goToStep(page, 'data');
  // Back as it was after a reload (the session keeps the dataset and settings); focus starts at the top.
  await page.waitForTimeout(1000);
  await page.reload();
  await expect(page.getByTestId('dataset-meta')).toContainText('iris');
  await expect(page.getByTestId('epochs-input')).toHaveValue('100000');
  await page.keyboard.press('Tab');
  await expect(page.getByTestId('skip-to-train')).toBeFocused();
  await expect(page.getByTestId('skip-to-train')).toBeInViewport();
  await page.keyboard.press('Enter');
  await expect(page).toHaveURL(/#training$/);
  await expect(page.getByTestId('train-button')).toBeFocused();
  await expect(page.getByTestId('train-button')).toBeInViewport();
  await page.keyboard.press('Enter');
  // The run is watched in Live; Stop is the Live essentials' (in view on every step while it trains).
  await expect(page).toHaveURL(/#live$/);
  await expect(page.getByTestId('essentials-stop')).toBeFocused({ timeout: 30_000 });
  await expect(page.getByTestId('status-text')).toHaveAttribute('data-status', 'training');
  // Stop from the keyboard, where the focus is: the run ends and the focus goes to Live's heading.
  await page.keyboard.press('Enter');
  await expect(page.getByTestId('status-text')).toHaveAttribute('data-status', 'stopped', { timeout: 60_000 });
  await expect(page.locator('#live-title')).toBeFocused();
});

/** A CSV with many numeric columns (c01…cNN) and a binary label. */
async function writeWideCsv(columns: number, rows = 60): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'tickwork-frame-'));
  const file = join(dir, `wide-${columns}.csv`);
  const names = Array.from({ length: columns }, (_, j) => `c${String(j + 1).padStart(2, '0')}`);
  const lines = [[...names, 'label'].join(',')];
  for (let i = 0; i < rows; i++) lines.push([...names.map((_, j) => ((i * (j + 7) * 37) % 101) / 10), i % 3 === 0 ? 'yes' : 'no'].join(','));
  await writeFile(file, lines.join('\n') + '\n');
  return file;
}

/** The focused element's test id (or tag), read in the page. */
const focusedId = (page: Page) =>
  page.evaluate<string>(`(() => { const el = document.activeElement; return el ? (el.dataset.testid || el.getAttribute('role') || el.tagName.toLowerCase()) : ''; })()`);

/** The Tab stops from a control to the first one outside the Data step (that one included). */
async function tabsThroughData(page: Page, from: string): Promise<string[]> {
  await page.getByTestId(from).focus();
  const stops: string[] = [];
  for (let i = 0; i < 400; i++) {
    await page.keyboard.press('Tab');
    stops.push(await focusedId(page));
    if (!(await page.evaluate<boolean>(`document.querySelector('[data-testid=view-data]').contains(document.activeElement)`))) break;
  }
  return stops;
}

test('keyboard: the column table is one Tab stop with the arrow keys inside, and its selects still change from the keyboard', async ({ page }) => {
  await page.goto(server.url);
  // A few columns, then many: the Tab presses from "Open file…" through the Data step do not grow with the columns.
  await pickFile(page, 'open-file', await writeWideCsv(3));
  await expect(page.getByTestId('dataset-meta')).toContainText('4 columns');
  const few = await tabsThroughData(page, 'open-file');
  await pickFile(page, 'open-file', await writeWideCsv(40));
  await expect(page.getByTestId('dataset-meta')).toContainText('41 columns');
  const many = await tabsThroughData(page, 'open-file');
  expect(many.length, many.join(' ')).toBe(few.length);
  expect(many.length, many.join(' ')).toBeLessThan(30);
  // The grid is one stop among them, and none of its 40 role selects is one.
  const gridStops = many.filter((id) => id.startsWith('cell-') || id === 'th' || id === 'td');
  expect(gridStops, many.join(' ')).toHaveLength(1);
  expect(many.filter((id) => id.startsWith('role-'))).toEqual([]);

  // Into the grid with Tab: the first cell; the arrows move between cells.
  await page.getByTestId('open-file').focus();
  const grid = page.getByTestId('column-table');
  const inGrid = () => page.evaluate<boolean>(`document.querySelector('[data-testid=column-table]').contains(document.activeElement)`);
  for (let i = 0; i < 40 && !(await inGrid()); i++) await page.keyboard.press('Tab');
  await expect(grid.locator('thead th').first()).toBeFocused();
  await page.keyboard.press('ArrowDown');
  await expect(page.getByTestId('cell-c01-name')).toBeFocused();
  await page.keyboard.press('ArrowRight');
  await expect(page.getByTestId('cell-c01-type')).toBeFocused();
  await page.keyboard.press('ArrowDown');
  await expect(page.getByTestId('cell-c02-type')).toBeFocused();
  await page.keyboard.press('Home');
  await expect(page.getByTestId('cell-c02-name')).toBeFocused();
  await page.keyboard.press('End');
  await expect(page.getByTestId('cell-c02-prep')).toBeFocused();
  await page.keyboard.press('ArrowLeft');
  await expect(page.getByTestId('cell-c02-role')).toBeFocused();
  await page.keyboard.press('ArrowUp');
  await expect(page.getByTestId('cell-c01-role')).toBeFocused();

  // Enter goes into the cell's select; its own arrow keys change it; Escape goes back to the cell.
  await page.keyboard.press('Enter');
  await expect(page.getByTestId('role-c01')).toBeFocused();
  await page.keyboard.press('ArrowDown');
  await expect(page.getByTestId('role-c01')).toHaveValue('ignore');
  await expect(page.getByTestId('feature-count')).not.toContainText('c01,');
  await page.keyboard.press('Escape');
  await expect(page.getByTestId('cell-c01-role')).toBeFocused();
  // F2 too; in the preparation cell, Tab moves among its selects.
  await page.keyboard.press('ArrowDown');
  await page.keyboard.press('ArrowRight');
  await expect(page.getByTestId('cell-c02-prep')).toBeFocused();
  await page.keyboard.press('F2');
  await expect(page.getByTestId('impute-c02')).toBeFocused();
  await page.keyboard.press('Tab');
  await expect(page.getByTestId('scale-c02')).toBeFocused();
  await page.keyboard.press('Escape');
  await expect(page.getByTestId('cell-c02-prep')).toBeFocused();

  // Out with Tab and back with Shift+Tab: the grid is entered at the cell last focused.
  await page.keyboard.press('Tab');
  await expect(grid.locator(':focus')).toHaveCount(0);
  await page.keyboard.press('Shift+Tab');
  await expect(page.getByTestId('cell-c02-prep')).toBeFocused();
  expect(await axeViolations(page)).toEqual([]);
});

test('charts out of view are drawn before printing', async ({ page }) => {
  await page.setViewportSize({ width: 1280, height: 500 });
  await page.goto(server.url);
  await openBundled(page, 'iris');
  await page.getByTestId('show-all-steps').check();
  // A run long enough to be still training once the user is back at the top (early stopping off).
  await page.getByTestId('epochs-input').fill('150');
  await page.getByTestId('more-settings').locator('summary').click();
  await page.getByTestId('early-stopping').uncheck();
  // Every step on one page: Train scrolls to Live …
  await startTraining(page);
  await expect(page.locator('#live-title')).toBeInViewport();
  // … and the user goes back to the top while it trains: the charts further down skip their redraws.
  await page.evaluate('window.scrollTo(0, 0)');
  await expect(page.getByTestId('status-text')).toHaveAttribute('data-status', 'completed', { timeout: 60_000 });
  await page.waitForTimeout(500);
  const lagging = () =>
    page.evaluate<number>(`[...document.querySelectorAll('.chart')].filter((c) => Number(c.dataset.drawn ?? 0) < Number(c.dataset.points ?? 0)).length`);
  const before = await lagging();
  expect(before, 'charts out of view lag behind their data').toBeGreaterThan(0);
  await page.evaluate(`window.dispatchEvent(new Event('beforeprint'))`);
  expect(await lagging()).toBe(0);
});

test('each tab follows its own run and keeps its own Compare filters, also after a reload', async ({ page, context }) => {
  await page.goto(server.url);
  await openBundled(page, 'iris');
  await trainFor(page, 3);
  const runA = (await page.getByTestId('live-panel').getAttribute('data-run'))!;
  await goToStep(page, 'compare');
  await page.getByTestId('compare-search').fill('adam');
  await page.getByTestId('compare-dataset-scope').selectOption('all');

  // A second tab: starts from the workspace's session, then goes its own way.
  const other = await context.newPage();
  await page.waitForTimeout(1000); // the session is saved shortly after the last change
  await other.goto(server.url);
  await expect(other.getByTestId('dataset-meta')).toContainText('iris');
  await expect(other.getByTestId('compare-search')).toHaveValue('adam');
  await goToStep(other, 'compare');
  await other.getByTestId('compare-search').fill('');
  await other.getByTestId('compare-dataset-scope').selectOption('current');
  await openBundled(other, 'moons');
  await goToStep(other, 'training');
  await other.getByTestId('optimizer-select').selectOption('momentum');
  await trainFor(other, 2);
  const runB = (await other.getByTestId('live-panel').getAttribute('data-run'))!;
  expect(runB).not.toBe(runA);

  // The first tab still shows its own run, and its own step (Compare); the other tab's run is listed in Compare but not put on its chart.
  await expect(page.getByTestId('view-compare')).toBeVisible();
  await expect(page.getByTestId('live-panel')).toHaveAttribute('data-run', runA);
  await expect(page.getByTestId('dataset-meta')).toContainText('iris');
  await expect(page.getByTestId('compare-search')).toHaveValue('adam');
  await expect(page.getByTestId('compare-dataset-scope')).toHaveValue('all');
  await page.getByTestId('compare-search').fill('');
  const rowB = page.locator(`[data-testid="compare-row"][data-run="${runB}"]`);
  await expect(rowB).toHaveCount(1);
  await expect(rowB.getByTestId('compare-select')).not.toBeChecked();
  await page.getByTestId('compare-search').fill('adam');

  // Reloaded, each tab comes back to its own dataset, run and filters (the workspace saw the other tab last).
  await page.waitForTimeout(1000);
  await page.reload();
  await expect(page.getByTestId('dataset-meta')).toContainText('iris');
  await expect(page.getByTestId('view-compare')).toBeVisible();
  await expect(page.getByTestId('live-panel')).toHaveAttribute('data-run', runA);
  await expect(page.getByTestId('compare-search')).toHaveValue('adam');
  await expect(page.getByTestId('compare-dataset-scope')).toHaveValue('all');
  await other.reload();
  await expect(other.getByTestId('dataset-meta')).toContainText('moons');
  await expect(other.getByTestId('live-panel')).toHaveAttribute('data-run', runB);
  await expect(other.getByTestId('optimizer-select')).toHaveValue('momentum');
  await expect(other.getByTestId('compare-search')).toHaveValue('');
  await other.close();
});

/** A full-page screenshot at a window size, with every chart drawn (beforeprint draws those out of view). */
async function fullShot(page: Page, name: string, width: number, height: number) {
  await page.setViewportSize({ width, height });
  await page.evaluate('window.scrollTo(0, 0)');
  await page.evaluate(`window.dispatchEvent(new Event('beforeprint'))`);
  await page.waitForTimeout(300);
  await page.screenshot({ path: `test-results/screenshots/${name}-${width}x${height}.png`, fullPage: true });
}

/** How far the page scrolls sideways (0: it fits), and the controls cut off at the right edge of their box. */
async function sideways(page: Page) {
  return page.evaluate<{ overflow: number; cut: string[] }>(`(() => {
    const overflow = document.documentElement.scrollWidth - document.documentElement.clientWidth;
    const cut = [];
    for (const el of document.querySelectorAll('input, select, button')) {
      if (el.offsetParent === null) continue;
      const box = el.closest('.panel, .sidebar');
      if (!box || el.closest('.scroll-x, .viewport, [data-testid=compare-scroll]')) continue;
      const r = el.getBoundingClientRect(), b = box.getBoundingClientRect();
      if (r.right > b.right + 1) cut.push((el.dataset.testid || el.id || el.tagName) + ' by ' + Math.round(r.right - b.right) + ' px');
    }
    return { overflow, cut };
  })()`);
}

test('the sidebar frame: steps and runs as deep links with back and forward, the workspace lists, Live essentials while training; fits 1280×800', async ({ page }) => {
  await page.setViewportSize({ width: 1280, height: 800 });
  await page.goto(server.url);
  await expect(page.getByTestId('sidebar')).toBeVisible();
  await fullShot(page, 'frame-start', 1280, 800);
  await openBundled(page, 'iris');
  expect(await sideways(page)).toEqual({ overflow: 0, cut: [] });
  // The column table shows every column, Preparation included, without scrolling sideways.
  const table = page.getByTestId('data-panel').locator('.scroll-x').first();
  expect(await table.evaluate((el) => el.scrollWidth - el.clientWidth)).toBeLessThanOrEqual(0);

  // Live essentials stay in view while a run trains, on every step and wherever the page is scrolled.
  await goToStep(page, 'training');
  await page.getByTestId('epochs-input').fill('100000');
  await page.getByTestId('more-settings').locator('summary').click();
  await page.getByTestId('early-stopping').uncheck();
  await startTraining(page);
  const essentials = page.getByTestId('live-essentials');
  await expect(essentials).toBeVisible({ timeout: 30_000 });
  await page.evaluate('window.scrollTo(0, document.documentElement.scrollHeight)');
  await expect(essentials).toBeInViewport();
  await goToStep(page, 'predict');
  await page.evaluate('window.scrollTo(0, document.documentElement.scrollHeight)');
  await expect(essentials).toBeInViewport();
  await expect(page.getByTestId('essentials-ticks')).toContainText('step');
  await page.getByTestId('essentials-pause').click();
  await expect(page.getByTestId('status-text')).toHaveText(/paused at step/);
  await expect(page.getByTestId('essentials-status')).toHaveText(/paused at step/);
  await page.getByTestId('essentials-stop').click();
  await expect(page.getByTestId('status-text')).toHaveAttribute('data-status', 'stopped', { timeout: 30_000 });
  await expect(essentials).toHaveCount(0);
  const runA = (await page.getByTestId('live-panel').getAttribute('data-run'))!;
  await goToStep(page, 'training');
  await page.getByTestId('more-settings').locator('summary').click();
  await trainFor(page, 3);
  const runB = (await page.getByTestId('live-panel').getAttribute('data-run'))!;

  // The workspace at hand: the dataset, its runs (newest first), their models.
  await expect(page.getByTestId('ws-dataset')).toContainText(['iris']);
  await expect(page.getByTestId('ws-run-group')).toHaveText(['iris']);
  await expect(page.getByTestId('ws-run')).toHaveCount(2);
  await expect(page.getByTestId('ws-model')).toHaveCount(2);

  // Steps are deep links; back and forward walk through them.
  // One step is shown at a time: the one the link (or back / forward) went to.
  const shownView = () => page.getByTestId('main-area').locator('> .step-view:not([hidden])');
  await page.getByTestId('step-5').click();
  await expect(page).toHaveURL(/#compare$/);
  await expect(page.locator('#compare-title')).toBeInViewport();
  await expect(shownView()).toHaveAttribute('data-testid', 'view-compare');
  await expect(page.getByTestId('step-5')).toHaveAttribute('aria-current', 'location');
  await page.getByTestId('step-1').click();
  await expect(page).toHaveURL(/#data$/);
  await expect(page.locator('#data-title')).toBeInViewport();
  await expect(shownView()).toHaveAttribute('data-testid', 'view-data');
  await page.goBack();
  await expect(page).toHaveURL(/#compare$/);
  await expect(page.locator('#compare-title')).toBeInViewport();
  await expect(shownView()).toHaveAttribute('data-testid', 'view-compare');
  await page.goForward();
  await expect(page.locator('#data-title')).toBeInViewport();
  await expect(shownView()).toHaveAttribute('data-testid', 'view-data');
  // Model and Training share a view.
  await page.getByTestId('step-2').click();
  await expect(shownView()).toHaveAttribute('data-testid', 'view-setup');
  await expect(page.locator('#model-title')).toBeInViewport();
  await page.getByTestId('step-3').click();
  await expect(shownView()).toHaveAttribute('data-testid', 'view-setup');
  await expect(page.locator('#train-title')).toBeInViewport();

  // Runs too: each has a URL; back returns to the run shown before.
  await page.locator(`[data-testid="ws-run"][href="#run/${runA}"]`).click();
  await expect(page.getByTestId('live-panel')).toHaveAttribute('data-run', runA);
  await expect(page).toHaveURL(new RegExp(`#run/${runA}$`));
  await page.locator(`[data-testid="ws-run"][href="#run/${runB}"]`).click();
  await expect(page.getByTestId('live-panel')).toHaveAttribute('data-run', runB);
  await page.goBack();
  await expect(page.getByTestId('live-panel')).toHaveAttribute('data-run', runA);
  // A deep link opened in a new load goes to its run.
  await page.goto(`${server.url}#run/${runB}`);
  await expect(page.getByTestId('live-panel')).toHaveAttribute('data-run', runB);
  // What Live shows is that run's, not the one shown a moment before (run A trained for thousands of steps).
  await expect(page.getByTestId('tick-counter')).toContainText('epoch 3/3');
  await expect(page.locator('#live-title')).toBeInViewport();
  await expect(page.getByTestId('surface')).toHaveAttribute('data-final', 'true');
  while ((await page.getByTestId('toast').count()) > 0) await page.getByTestId('toast').first().getByRole('button', { name: 'Dismiss' }).click();
  await page.waitForTimeout(500);
  await page.screenshot({ path: 'test-results/screenshots/frame-view-1280x800.png' });

  await expect(page.getByTestId('status-text')).toHaveAttribute('data-status', 'completed');
  expect(await sideways(page)).toEqual({ overflow: 0, cut: [] });
  // Every step, after the short run, at both window sizes: nothing runs off the side.
  for (const [width, height] of [[1280, 800], [1920, 1080]] as const) {
    for (const step of ['data', 'model', 'live', 'compare', 'predict'] as const) {
      await goToStep(page, step);
      await fullShot(page, `frame-${step === 'model' ? 'model-training' : step}`, width, height);
      expect(await sideways(page), `${step} at ${width}×${height}`).toEqual({ overflow: 0, cut: [] });
    }
  }
});

/** axe-core's violations on the page as it stands, one line each (rule, impact, the elements). */
async function axeViolations(page: Page): Promise<string[]> {
  const result = await new AxeBuilder({ page }).analyze();
  return result.violations.map((v) => `${v.id} (${v.impact}): ${v.nodes.map((n) => n.target.join(' ')).slice(0, 4).join(', ')}`);
}

test('axe-core finds no accessibility violation on the first screen and after a training run, light and dark', async ({ page }) => {
  await page.setViewportSize({ width: 1280, height: 800 });
  await page.goto(server.url);
  await expect(page.getByTestId('backend')).toContainText('backend:');
  expect(await axeViolations(page)).toEqual([]);
  await page.emulateMedia({ colorScheme: 'dark' });
  expect(await axeViolations(page)).toEqual([]);
  await page.emulateMedia({ colorScheme: 'light' });
  await openBundled(page, 'iris');
  await trainFor(page, 3);
  // Let the toasts go: axe checks what stays.
  await expect(page.getByTestId('importance-table')).toBeAttached({ timeout: 30_000 });
  // Each step as it is shown (one at a time), then all of them on one page.
  for (const scheme of ['light', 'dark'] as const) {
    await page.emulateMedia({ colorScheme: scheme });
    for (const step of ['data', 'model', 'live', 'compare', 'predict'] as const) {
      await goToStep(page, step);
      expect(await axeViolations(page), `${step}, ${scheme}`).toEqual([]);
    }
    await page.getByTestId('show-all-steps').check();
    expect(await axeViolations(page), `all steps, ${scheme}`).toEqual([]);
    await page.getByTestId('show-all-steps').uncheck();
  }
});
