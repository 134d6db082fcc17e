/**
 * The renderer runs under the desktop app's Content-Security-Policy (electron/csp.ts: no
 * 'unsafe-inline' styles, nothing but its own origin) without a single violation: Electron cannot
 * run here, so the same built renderer is loaded in browser mode with the desktop policy as its
 * header (in place of the server's), and a workflow that draws every kind of view is driven
 * through it. A control check proves the policy is in force: an inline style attribute is refused.
 */
import { test, expect } from '@playwright/test';
import { DESKTOP_CSP } from '../../electron/csp';
import { CHROMIUM_ARGS, findChromium } from '../helpers/browser';
import { serve, type Served } from '../helpers/serve';
import { goToStep, startTraining } from '../helpers/workbench-page';

// A page answered through page.route counts as a public-network document for Chromium's Local
// Network Access checks, which then block its WebSocket to 127.0.0.1 (the browser-mode API).
// Not a CSP matter: off for this file only.
test.use({ launchOptions: { executablePath: findChromium(), args: [...CHROMIUM_ARGS, '--disable-features=LocalNetworkAccessChecks'] } });

let server: Served | null = null;
test.afterEach(async () => {
  await server?.stop();
  server = null;
});

test('the renderer trains, charts and predicts under the desktop CSP with no violation', async ({ page }) => {
  server = await serve();
  // (Strings: the tests compile without the DOM library.)
  await page.addInitScript(`
    globalThis.__cspViolations = [];
    document.addEventListener('securitypolicyviolation', (e) =>
      globalThis.__cspViolations.push(e.violatedDirective + ' blocked ' + (e.blockedURI || '(inline)') + ' ' + e.sample));
  `);
  // The page (HTML) with the desktop policy as its only header policy; the meta tag still applies.
  await page.route(
    (url) => url.origin === server!.origin && (url.pathname === '/' || url.pathname.endsWith('.html')),
    async (route) => {
      const response = await route.fetch();
      await route.fulfill({ response, headers: { ...response.headers(), 'content-security-policy': DESKTOP_CSP } });
    },
  );
  const consoleCsp: string[] = [];
  page.on('console', (m) => {
    if (/Content Security Policy/i.test(m.text())) consoleCsp.push(m.text());
  });
  const violations = () => page.evaluate('globalThis.__cspViolations') as Promise<string[]>;

  const response = await page.goto(server.url);
  expect(response?.headers()['content-security-policy']).toBe(DESKTOP_CSP);
  await page.getByTestId('bundled-select').selectOption('iris');
  await page.getByTestId('open-bundled').click();
  await expect(page.getByTestId('dataset-meta')).toContainText('150 rows');
  await goToStep(page, 'training');
  await page.getByTestId('epochs-input').fill('8');
  await startTraining(page);
  await expect(page.getByTestId('status-text')).toHaveAttribute('data-status', 'completed', { timeout: 90_000 });
  await expect(page.getByTestId('surface')).toHaveAttribute('data-final', 'true');
  await expect(page.getByTestId('compare-row')).toHaveCount(1);
  // Visit every step and scroll each of its panels into view, so each chart and table lays out and draws.
  for (const step of ['data', 'model', 'live', 'compare', 'predict'] as const) {
    await goToStep(page, step);
    for (const panel of await page.locator('section.panel').all()) if (await panel.isVisible()) await panel.scrollIntoViewIfNeeded();
  }
  await page.waitForTimeout(500);
  expect(await violations()).toEqual([]);
  expect(consoleCsp).toEqual([]);

  // Control: the policy is enforced — an inline style attribute is refused and reported.
  await page.evaluate(`document.body.insertAdjacentHTML('beforeend', '<div id="csp-probe" style="color: rgb(255, 0, 0)">probe</div>')`);
  await expect.poll(async () => (await violations()).join('\n')).toMatch(/style-src/);
  expect(await page.evaluate(`getComputedStyle(document.getElementById('csp-probe')).color`)).not.toBe('rgb(255, 0, 0)');
});
