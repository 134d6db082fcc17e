import { defineConfig } from '@playwright/test';
import { CHROMIUM_ARGS, findChromium } from './test/helpers/browser';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

// Tests never touch the user's workspace: the CLI and servers they start inherit this folder.
process.env.TICKWORK_WORKSPACE = mkdtempSync(join(tmpdir(), 'tickwork-test-workspace-'));

process.env.PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD = '1';

// Browser mode end-to-end tests: the real renderer, the real service and worker, in Chromium.
export default defineConfig({
  testDir: './test/e2e',
  outputDir: './test-results/e2e',
  timeout: 120_000,
  expect: { timeout: 30_000 },
  workers: 1,
  reporter: [['list']],
  use: {
    headless: true,
    viewport: { width: 1440, height: 900 },
    launchOptions: { executablePath: findChromium(), args: CHROMIUM_ARGS },
    // A click on a control that never becomes enabled fails with its own message, not the test's timeout.
    actionTimeout: 30_000,
    navigationTimeout: 60_000,
    screenshot: 'only-on-failure',
    // Off unless asked for (TICKWORK_E2E_TRACE=1): recording a trace screencasts every frame, which
    // cost the browser's compositor most of a core here and, on 2 cores, turned the smoothness test's
    // 0–1 long tasks into 6–8 (worst 87–149 ms).
    trace: process.env.TICKWORK_E2E_TRACE ? 'retain-on-failure' : 'off',
  },
});
