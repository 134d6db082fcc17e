import { defineConfig } from '@playwright/test';

// The desktop app through Playwright's Electron support. Runs only where an Electron binary
// exists; elsewhere its test reports itself skipped, with the reason.
export default defineConfig({
  testDir: './test/electron',
  outputDir: './test-results/electron',
  timeout: 120_000,
  expect: { timeout: 30_000 },
  workers: 1,
  reporter: [['list']],
});
