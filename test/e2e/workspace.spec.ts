/**
 * The workspace in the browser: the app comes back as it was after a reload part-way through
 * and after the server restarts (the bookmarked URL keeps working), and the run table sorts,
 * filters, renames and deletes.
 */
import { test, expect, request } from '@playwright/test';
import { mkdtempSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { serve, type Served } from '../helpers/serve';
import { goToStep, openBundled, startTraining } from '../helpers/workbench-page';

const servers: Served[] = [];
test.afterEach(async () => {
  while (servers.length > 0) await servers.pop()!.stop();
});

async function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const probe = createServer().listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as { port: number };
      probe.close(() => resolve(port));
    });
  });
}

async function start(workspace: string, port: number): Promise<Served> {
  const server = await serve(['--port', String(port)], { TICKWORK_WORKSPACE: workspace });
  servers.push(server);
  return server;
}

test('after a reload part-way through and a server restart, the runs, the open dataset, the settings and the shown run come back', async ({ page }) => {
  const workspace = mkdtempSync(join(tmpdir(), 'tickwork-e2e-ws-'));
  const port = await freePort();
  const first = await start(workspace, port);
  await page.goto(first.url);
  await openBundled(page, 'iris');
  await goToStep(page, 'training');
  await page.getByTestId('lr-input').fill('0.05');
  await page.getByTestId('epochs-input').fill('4');
  await startTraining(page);
  await expect(page.getByTestId('status-text')).toHaveAttribute('data-status', 'completed', { timeout: 60_000 });
  const runId = (await page.getByTestId('live-panel').getAttribute('data-run'))!;
  await expect(page.getByTestId('compare-row')).toHaveCount(1);
  // A second run, reloaded while it trains: it stays in the table, and a reload shows it again.
  await goToStep(page, 'training');
  await page.getByTestId('epochs-input').fill('100000');
  await page.getByTestId('more-settings').locator('summary').click();
  await page.getByTestId('early-stopping').uncheck();
  await startTraining(page);
  await expect(page.getByTestId('status-text')).toHaveAttribute('data-status', 'training', { timeout: 60_000 });
  const second = (await page.getByTestId('live-panel').getAttribute('data-run'))!;
  expect(second).not.toBe(runId);
  await page.waitForTimeout(1000); // the session is saved shortly after a change
  await page.reload();
  await expect(page.getByTestId('dataset-meta')).toContainText('iris');
  await expect(page.getByTestId('lr-input')).toHaveValue('0.05');
  await expect(page.getByTestId('live-panel')).toHaveAttribute('data-run', second);
  await expect(page.getByTestId('compare-row')).toHaveCount(2);
  // The reload is at the step it was at: Live, where Stop is in the run's essentials bar.
  await expect(page).toHaveURL(/#live$/);
  await expect(page.getByTestId('view-live')).toBeVisible();
  await page.getByTestId('essentials-stop').click();
  await expect(page.getByTestId('status-text')).toHaveAttribute('data-status', 'stopped', { timeout: 30_000 });
  // Show the first run (from Compare), then restart the server on the same workspace: the same URL opens.
  await goToStep(page, 'compare');
  await page.locator(`[data-testid="compare-row"][data-run="${runId}"]`).getByTestId('compare-show').click();
  await expect(page.getByTestId('view-live')).toBeVisible();
  await expect(page.getByTestId('live-panel')).toHaveAttribute('data-run', runId);
  await page.waitForTimeout(1000);
  await first.stop();
  servers.pop();
  const restarted = await start(workspace, port);
  expect(restarted.url).toBe(first.url); // the token is the workspace's, so a bookmark keeps working
  await page.goto(first.url);
  await expect(page.getByTestId('dataset-meta')).toContainText('iris');
  await expect(page.getByTestId('lr-input')).toHaveValue('0.05');
  await expect(page.getByTestId('live-panel')).toHaveAttribute('data-run', runId);
  await expect(page.getByTestId('tick-counter')).toContainText('epoch 4/4');
  await expect(page.getByTestId('compare-row')).toHaveCount(2);
  await expect(page.getByTestId('compare-row').first().getByTestId('compare-status')).toHaveText(/stopped/);
  expect(Number(await page.getByTestId('loss-chart').getAttribute('data-points'))).toBeGreaterThan(4);
  await goToStep(page, 'live');
  await page.screenshot({ path: 'test-results/screenshots/workspace-after-restart.png', fullPage: true });
  // An old or wrong token (from a browser without the session's cookie) gets a page that says how to get the current URL.
  const stranger = await request.newContext();
  const wrong = await stranger.get(`${restarted.origin}/?token=0123456789abcdef0123456789abcdef`, { failOnStatusCode: false });
  expect(wrong.status()).toBe(403);
  expect(await wrong.text()).toContain('tickwork serve --print-url');
  await stranger.dispose();
});

test('the run table sorts, filters, renames, tags and deletes runs', async ({ page }) => {
  const workspace = mkdtempSync(join(tmpdir(), 'tickwork-e2e-ws-'));
  const server = await start(workspace, 0);
  await page.goto(server.url);
  await openBundled(page, 'moons');
  await goToStep(page, 'training');
  await page.getByTestId('epochs-input').fill('3');
  // Race takes the user to Compare, where the run table is.
  await page.getByTestId('race-button').click();
  await expect(page.getByTestId('view-compare')).toBeVisible();
  const rows = page.getByTestId('compare-row');
  await expect(rows).toHaveCount(5);
  await expect.poll(async () => (await rows.getByTestId('compare-status').allTextContents()).filter((t) => t.includes('completed')).length, { timeout: 90_000 }).toBe(5);

  // Sort by optimizer, both ways; the header says how it is sorted.
  await page.getByTestId('compare-group').uncheck();
  await page.getByTestId('compare-sort-optimizer').click();
  const optimizers = async () => (await rows.getByTestId('compare-optimizer').allTextContents()).map((t) => t.trim());
  await expect.poll(optimizers).toEqual(['adam', 'adamw', 'momentum', 'rmsprop', 'sgd']);
  await expect(page.getByTestId('compare-sort-optimizer').locator('..')).toHaveAttribute('aria-sort', 'ascending');
  await page.getByTestId('compare-sort-optimizer').click();
  await expect.poll(optimizers).toEqual(['sgd', 'rmsprop', 'momentum', 'adamw', 'adam']);

  // Only the columns that differ: the optimizer and lr stay, the batch size (the same for all) goes.
  await expect(page.getByTestId('compare-sort-batch')).toHaveCount(1);
  await page.getByTestId('compare-differ').check();
  await expect(page.getByTestId('compare-sort-batch')).toHaveCount(0);
  await expect(page.getByTestId('compare-sort-optimizer')).toHaveCount(1);
  await page.getByTestId('compare-differ').uncheck();

  // Rename and tag one; filter by the tag.
  const sgd = rows.filter({ has: page.getByTestId('compare-optimizer').getByText('sgd', { exact: true }) });
  await sgd.getByTestId('compare-edit').click();
  await page.getByTestId('run-name-input').fill('plain sgd baseline');
  await page.getByTestId('run-tags-input').fill('baseline, keep');
  await page.getByTestId('run-notes-input').fill('the one to beat');
  await page.getByTestId('run-save').click();
  await expect(sgd.getByTestId('compare-name')).toContainText('plain sgd baseline');
  await page.getByTestId('compare-filter-tag').selectOption('keep');
  await expect(rows).toHaveCount(1);
  await page.getByTestId('compare-filter-tag').selectOption({ label: 'any' });
  await page.getByTestId('compare-filter-optimizer').selectOption('adam');
  await expect(rows).toHaveCount(1);
  await page.getByTestId('compare-filter-optimizer').selectOption({ label: 'any' });
  await page.getByTestId('compare-search').fill('to beat');
  await expect(rows).toHaveCount(1);
  await page.getByTestId('compare-search').fill('');
  await page.screenshot({ path: 'test-results/screenshots/run-table.png', fullPage: true });

  // Delete asks first; a deleted run is gone after a reload too.
  const momentum = rows.filter({ has: page.getByTestId('compare-optimizer').getByText('momentum', { exact: true }) });
  await momentum.getByTestId('compare-delete').click();
  await momentum.getByTestId('compare-delete-confirm').click();
  await expect(rows).toHaveCount(4);
  await page.reload();
  await expect(rows).toHaveCount(4);
  await expect(rows.getByTestId('compare-name').filter({ hasText: 'plain sgd baseline' })).toHaveCount(1);
});
