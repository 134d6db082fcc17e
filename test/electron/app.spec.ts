/**
 * Electron smoke test: the same flow as the browser-mode test, in the desktop app —
 * open a bundled dataset, see the planned network, train, watch the chart and the decision
 * surface, export through the (stubbed) native dialog.
 */
import { test, expect, _electron as electron } from '@playwright/test';
import { mkdtemp, readdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
// @ts-expect-error plain .mjs helper without types
import { electronBinary } from '../../scripts/electron-binary.mjs';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const binary: string | null = electronBinary();

const SKIP_REASON =
  'no Electron binary here (node_modules/electron has no downloaded runtime, and it cannot be downloaded offline). ' +
  'Run `npx install-electron` where the network allows, then `npm run test:electron`.';

test('desktop app: train on iris and export', async () => {
  if (!binary) console.log(`Electron smoke test SKIPPED: ${SKIP_REASON}`);
  test.skip(!binary, SKIP_REASON);
  const userData = await mkdtemp(join(tmpdir(), 'tickwork-electron-'));
  const app = await electron.launch({
    executablePath: binary!,
    args: [ROOT, `--user-data-dir=${userData}`, '--no-sandbox'],
    cwd: ROOT,
  });
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
