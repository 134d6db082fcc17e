import { defineConfig } from 'vite';
import { svelte } from '@sveltejs/vite-plugin-svelte';
import { fileURLToPath } from 'node:url';

// The smoothness bench page: the real Live and Compare panels fed by a synthetic event stream.
export default defineConfig({
  root: fileURLToPath(new URL('.', import.meta.url)),
  base: './',
  logLevel: 'warn',
  plugins: [svelte()],
  build: {
    // Readable function names when profiling (npm run bench:ui -- --profile); minified like the app otherwise.
    minify: !process.argv.includes('--profile'),
    outDir: fileURLToPath(new URL('../../dist/bench-ui', import.meta.url)),
    emptyOutDir: true,
    target: 'es2022',
    chunkSizeWarningLimit: 2000,
  },
});
