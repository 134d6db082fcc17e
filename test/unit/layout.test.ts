/**
 * The layout says where code runs (HOUSE_STYLE): models/ never imports Electron or the DOM,
 * shared/ is plain TypeScript, and raw IPC is used only in the two thin adapters.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));

function sources(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(join(ROOT, dir))) {
    const path = join(ROOT, dir, name);
    if (statSync(path).isDirectory()) out.push(...sources(relative(ROOT, path)));
    else if (/\.(ts|svelte)$/.test(name)) out.push(path);
  }
  return out;
}

const imports = (file: string) => [...readFileSync(file, 'utf8').matchAll(/from\s+'([^']+)'|import\('([^']+)'\)/g)].map((m) => m[1] ?? m[2]);

describe('layout', () => {
  it('models/ imports neither electron nor the renderer, and uses no DOM globals', () => {
    for (const file of sources('models')) {
      for (const spec of imports(file)) {
        expect(spec, file).not.toBe('electron');
        expect(spec, file).not.toMatch(/renderer|electron\//);
      }
      expect(readFileSync(file, 'utf8'), file).not.toMatch(/\b(document|window)\./);
    }
  });

  it('shared/ imports only zod and itself', () => {
    for (const file of sources('shared')) {
      for (const spec of imports(file)) expect(spec === 'zod' || spec.startsWith('./'), `${file}: ${spec}`).toBe(true);
    }
  });

  it('raw ipcMain / ipcRenderer appear only in the two adapters', () => {
    const users = [...sources('electron'), ...sources('service'), ...sources('renderer'), ...sources('models'), ...sources('shared')]
      .filter((file) => /\bipc(Main|Renderer)\b/.test(readFileSync(file, 'utf8').replace(/\/\*[\s\S]*?\*\/|\/\/.*$/gm, '')))
      .map((file) => relative(ROOT, file))
      .sort();
    expect(users).toEqual(['electron/ipc-adapter.ts', 'electron/preload.ts']);
  });

  it('the renderer reaches the service only through the typed API', () => {
    for (const file of sources('renderer')) {
      for (const spec of imports(file)) {
        expect(spec, file).not.toMatch(/^(electron|node:|ws$)|\/(models|service|electron)\//);
      }
    }
  });
});

describe('compute stays in the worker', () => {
  it('the CLI, the service and Electron main do not load TensorFlow.js; the worker does', async () => {
    const { build } = await import('esbuild');
    const importsOf = async (entry: string) => {
      const result = await build({
        absWorkingDir: ROOT,
        entryPoints: [entry],
        bundle: true,
        platform: 'node',
        packages: 'external',
        external: ['electron'],
        write: false,
        metafile: true,
        logLevel: 'silent',
        define: { 'import.meta.url': '"file:///x.js"' },
      });
      return Object.values(result.metafile!.outputs).flatMap((o) => o.imports.map((i) => i.path));
    };
    for (const entry of ['cli/main.ts', 'electron/main.ts', 'service/workbench-service.ts']) {
      expect((await importsOf(entry)).filter((p) => p.startsWith('@tensorflow')), entry).toEqual([]);
    }
    expect(await importsOf('service/training-worker.ts')).toContain('@tensorflow/tfjs');
  });
});
