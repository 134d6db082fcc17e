/** What the end-to-end tests do in the page as a user would: open a bundled dataset, pick a file, and fail on page errors. */
import { test, expect, type Page } from '@playwright/test';

/** Open a bundled dataset from the Data step and wait until it is shown. */
export async function openBundled(page: Page, name: string): Promise<void> {
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
