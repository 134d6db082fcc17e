/** "Serve this model" from Predict & export: a live HTTP endpoint with its token, and counters that move. */
import { test, expect, request } from '@playwright/test';
import { serve, type Served } from '../helpers/serve';
import { goToStep, startTraining } from '../helpers/workbench-page';

let server: Served;
test.beforeEach(async () => {
  server = await serve();
});
test.afterEach(async () => {
  await server?.stop();
});

test('a trained model is served over HTTP: the URL, token and curl example show, requests are counted, and it stops', async ({ page }) => {
  await page.goto(server.url);
  await page.getByTestId('bundled-select').selectOption('iris');
  await page.getByTestId('open-bundled').click();
  await expect(page.getByTestId('dataset-meta')).toContainText('iris');
  await goToStep(page, 'training');
  await page.getByTestId('epochs-input').fill('5');
  await startTraining(page);
  await expect(page.getByTestId('status-text')).toHaveAttribute('data-status', 'completed', { timeout: 60_000 });
  await goToStep(page, 'predict');
  await expect(page.getByTestId('model-card')).toBeVisible();
  await page.getByTestId('serve-start').click();
  const url = (await page.getByTestId('serve-url').textContent({ timeout: 60_000 }))!.trim();
  const token = (await page.getByTestId('serve-token').textContent())!.trim();
  await expect(page.getByTestId('serve-curl')).toContainText(`Bearer ${token}`);
  const client = await request.newContext();
  const refused = await client.post(url, { data: { rows: [] }, failOnStatusCode: false });
  expect(refused.status()).toBe(401);
  const answer = await client.post(url, {
    headers: { authorization: `Bearer ${token}` },
    data: { rows: [{ sepal_length: 6.7, sepal_width: 3.0, petal_length: 5.2, petal_width: 2.3 }, { sepal_length: 5.1, sepal_width: 3.5, petal_length: 1.4, petal_width: 0.2 }] },
  });
  expect(answer.status()).toBe(200);
  const body = (await answer.json()) as { predictions: Array<{ prediction: string }> };
  expect(body.predictions).toHaveLength(2);
  await expect(page.getByTestId('serve-stats')).toContainText(/[1-9]\d* requests, 2 rows/, { timeout: 10_000 });
  await page.screenshot({ path: 'test-results/screenshots/serving.png', fullPage: true });
  await page.getByTestId('serve-stop').click();
  await expect(page.getByTestId('serve-start')).toBeVisible();
  const after = await client.post(url, { headers: { authorization: `Bearer ${token}` }, data: { rows: [] }, failOnStatusCode: false, timeout: 5000 }).catch(() => null);
  expect(after === null || after.status() >= 400).toBe(true);
  await client.dispose();
});
