import { defineConfig } from 'vitest/config';
import { svelte } from '@sveltejs/vite-plugin-svelte';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

// Tests never touch the user's workspace: the CLI and servers they start inherit this folder.
process.env.TICKWORK_WORKSPACE = mkdtempSync(join(tmpdir(), 'tickwork-test-workspace-'));

export default defineConfig({
  // Compiles the renderer's .svelte.ts state classes (runes) for their component tests.
  plugins: [svelte()],
  test: {
    include: ['test/unit/**/*.test.ts', 'test/integration/**/*.test.ts'],
    // Integration tests start the built training worker: build it (fast, esbuild) first.
    globalSetup: ['./test/helpers/build-once.ts'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    pool: 'forks',
  },
});
