/**
 * Electron tests: the browser-mode flows in the desktop app — open a bundled dataset, see the
 * planned network, train, watch the chart and the decision surface, export through the (stubbed)
 * native dialog; race optimizers and use the best run's model; and what the app remembers
 * across restarts (window size, recent files in File → Open Recent). They run where an Electron
 * binary exists and report themselves skipped otherwise.
 */
import { test, expect, _electron as electron } from '@playwright/test';
import { mkdtemp, readdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DESKTOP_CSP } from '../../electron/csp';
// @ts-expect-error plain .mjs helper without types
import { electronBinary } from '../../scripts/electron-binary.mjs';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const binary: string | null = electronBinary();

const SKIP_REASON =
  'no Electron binary here (node_modules/electron has no downloaded runtime, and it cannot be downloaded offline). ' +
  'Run `npx install-electron` where the network allows, then `npm run test:electron`.';

const launch = (userData: string) =>
  electron.launch({
    executablePath: binary!,
    args: [ROOT, `--user-data-dir=${userData}`, '--no-sandbox'],
    cwd: ROOT,
  });

test.beforeEach(() => {
  if (!binary) console.log(`Electron test SKIPPED: ${SKIP_REASON}`);
  test.skip(!binary, SKIP_REASON);
});

test('desktop app: train on iris and export', async () => {
  const userData = await mkdtemp(join(tmpdir(), 'tickwork-electron-'));
  const app = await launch(userData);
  try {
    const page = await app.firstWindow();
    await expect(page.getByTestId('statusbar')).toContainText('desktop');
    expect(await page.evaluate(() => typeof (globalThis as unknown as { tickwork?: unknown }).tickwork)).toBe('object');
    expect(await page.evaluate(() => typeof (globalThis as unknown as { require?: unknown }).require)).toBe('undefined');

    await page.getByTestId('bundled-select').selectOption('iris');
    await page.getByTestId('open-bundled').click();
    await expect(page.getByTestId('dataset-meta')).toContainText('150 rows');
    await expect(page).toHaveTitle(/iris — Tickwork/);
    // The native window's title follows the dataset too.
    await expect.poll(() => app.evaluate(({ BrowserWindow }) => BrowserWindow.getAllWindows()[0]?.getTitle() ?? '')).toContain('iris');
    // The Model panel's plan comes over IPC: two 64-unit layers on 4 inputs, 3 classes.
    await expect(page.getByTestId('param-count')).toHaveText('4,675');
    await page.getByTestId('epochs-input').fill('20');
    await page.getByTestId('train-button').click();
    await expect.poll(async () => Number(await page.getByTestId('loss-chart').getAttribute('data-points'))).toBeGreaterThan(3);
    await expect(page.getByTestId('status-text')).toHaveAttribute('data-status', 'completed', { timeout: 90_000 });
    // The decision surface arrives over IPC events as well.
    await expect(page.getByTestId('surface')).toHaveAttribute('data-final', 'true');
    await page.screenshot({ path: 'test-results/screenshots/electron-trained.png' });

    const exportDir = join(await mkdtemp(join(tmpdir(), 'tickwork-export-')), 'iris-model');
    await app.evaluate(({ dialog }, dir) => {
      dialog.showSaveDialog = (async () => ({ canceled: false, filePath: dir })) as typeof dialog.showSaveDialog;
    }, exportDir);
    await page.getByTestId('export-button').click();
    await expect(page.getByTestId('notice')).toContainText('Exported to');
    expect(await readdir(exportDir)).toEqual(expect.arrayContaining(['model.json', 'weights.bin', 'preprocessing.json']));
  } finally {
    await app.close();
  }
});

test('desktop app: race optimizers, use the best run, predict one row', async () => {
  const app = await launch(await mkdtemp(join(tmpdir(), 'tickwork-electron-')));
  try {
    const page = await app.firstWindow();
    await page.getByTestId('bundled-select').selectOption('moons');
    await page.getByTestId('open-bundled').click();
    await expect(page.getByTestId('dataset-meta')).toContainText('moons');
    await page.getByTestId('epochs-input').fill('5');
    await page.getByTestId('race-button').click();
    const rows = page.getByTestId('compare-row');
    await expect(rows).toHaveCount(5);
    await expect.poll(async () => (await rows.allTextContents()).filter((t) => t.includes('completed')).length, { timeout: 120_000 }).toBe(5);
    const best = page.locator('[data-testid="compare-row"][data-best="true"]');
    await expect(best).toHaveCount(1);
    if ((await best.getByTestId('compare-use').count()) > 0) await best.getByTestId('compare-use').click();
    await expect(best.getByTestId('compare-in-use')).toBeVisible();
    await page.getByTestId('whatif-x1').fill('0.5');
    await page.getByTestId('whatif-x2').fill('0.25');
    await page.getByTestId('predict-button').click();
    await expect(page.getByTestId('prediction')).toContainText('Prediction:');
    await page.screenshot({ path: 'test-results/screenshots/electron-race.png', fullPage: true });
  } finally {
    await app.close();
  }
});

test('desktop app: remembers the window size and recent files across restarts', async () => {
  const userData = await mkdtemp(join(tmpdir(), 'tickwork-electron-'));
  const iris = join(ROOT, 'datasets', 'iris.csv');
  const first = await launch(userData);
  try {
    const page = await first.firstWindow();
    await first.evaluate(({ dialog }, path) => {
      dialog.showOpenDialog = (async () => ({ canceled: false, filePaths: [path] })) as typeof dialog.showOpenDialog;
    }, iris);
    await page.getByTestId('open-file').click();
    await expect(page.getByTestId('dataset-meta')).toContainText('150 rows');
    await first.evaluate(({ BrowserWindow }) => BrowserWindow.getAllWindows()[0].setSize(1100, 720));
  } finally {
    await first.close();
  }
  const second = await launch(userData);
  try {
    await second.firstWindow();
    expect(await second.evaluate(({ BrowserWindow }) => BrowserWindow.getAllWindows()[0].getSize())).toEqual([1100, 720]);
    const recent = await second.evaluate(({ Menu }) => {
      const file = Menu.getApplicationMenu()?.items.find((i) => i.label === 'File');
      const openRecent = file?.submenu?.items.find((i) => i.label === 'Open Recent');
      return openRecent?.submenu?.items.map((i) => i.label) ?? [];
    });
    expect(recent).toEqual(['iris.csv']);
  } finally {
    await second.close();
  }
});

test('desktop app: the CSP header, no way out of app://tickwork, and paths only from the user', async () => {
  const app = await launch(await mkdtemp(join(tmpdir(), 'tickwork-electron-')));
  try {
    const page = await app.firstWindow();
    await expect(page.getByTestId('statusbar')).toContainText('desktop');
    // The app:// handler sends the policy of electron/csp.ts with every response.
    expect(await page.evaluate(`fetch('app://tickwork/index.html').then((r) => r.headers.get('content-security-policy'))`)).toBe(DESKTOP_CSP);
    // A path the user did not choose is refused before the service sees it.
    const refusal = String(await page.evaluate(`window.tickwork.scoreFile({ modelId: 'm', input: '/etc/passwd', output: '/tmp/tickwork-x.csv' }).then(() => 'ran', (e) => e.message)`));
    expect(refusal).toMatch(/model:score-file: input: refused: "\/etc\/passwd" was not chosen by you/);
    const openRefusal = String(await page.evaluate(`window.tickwork.openDataset({ source: { kind: 'file', path: '/etc/passwd' } }).then(() => 'ran', (e) => e.message)`));
    expect(openRefusal).toMatch(/dataset:open: source\.path: refused/);
    // No new window, no navigation away.
    expect(await page.evaluate(`window.open('https://example.com/') === null`)).toBe(true);
    await page.evaluate(`location.href = 'https://example.com/'`);
    await page.waitForTimeout(500);
    expect(page.url()).toBe('app://tickwork/index.html');
    expect(app.windows()).toHaveLength(1);
  } finally {
    await app.close();
  }
});
