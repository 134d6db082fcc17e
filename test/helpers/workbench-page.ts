/** What the end-to-end tests do in the page as a user would: open a bundled dataset, pick a file, and fail on page errors. */
import { test, expect, type Page } from '@playwright/test';

export type Step = 'data' | 'model' | 'training' | 'live' | 'compare' | 'predict';
const STEP_NUMBER: Record<Step, number> = { data: 1, model: 2, training: 3, live: 4, compare: 5, predict: 6 };

/** Go to a step the way a user does: its link in the sidebar; then its view is the one shown. */
export async function goToStep(page: Page, step: Step): Promise<void> {
  await page.getByTestId(`step-${STEP_NUMBER[step]}`).click();
  const view = step === 'model' || step === 'training' ? 'setup' : step;
  await expect(page.getByTestId(`view-${view}`)).toBeVisible();
}

/** Train (from the Training step, where the button is): the run starts and the user is taken to Live to watch it. */
export async function startTraining(page: Page): Promise<void> {
  if (!(await page.getByTestId('train-button').isVisible())) await goToStep(page, 'training');
  await page.getByTestId('train-button').click();
  await expect(page).toHaveURL(/#live$/);
  await expect(page.getByTestId('view-live')).toBeVisible();
}

/** Open a bundled dataset from the Data step (going there first) and wait until it is shown. */
export async function openBundled(page: Page, name: string): Promise<void> {
  if (!(await page.getByTestId('bundled-select').isVisible())) await goToStep(page, 'data');
  await page.getByTestId('bundled-select').selectOption(name);
  await page.getByTestId('open-bundled').click();
  await expect(page.getByTestId('dataset-meta')).toContainText(name);
}

/** Pick a file the way a user does: click the button, answer the browser's file chooser. */
export async function pickFile(page: Page, button: string, path: string): Promise<void> {
  const chooser = page.waitForEvent('filechooser');
  await page.getByTestId(button).click();
  await (await chooser).setFiles(path);
}

/** Any uncaught error in the page (a Svelte render failure, say duplicate keys in a list) fails the test. Call at the top of a spec. */
export function failOnPageErrors(): void {
  const pageErrors = new WeakMap<Page, string[]>();
  test.beforeEach(({ page }) => {
    const errors: string[] = [];
    pageErrors.set(page, errors);
    page.on('pageerror', (e) => errors.push(e.message));
  });
  test.afterEach(({ page }) => {
    expect(pageErrors.get(page) ?? [], 'uncaught errors in the page').toEqual([]);
  });
}
