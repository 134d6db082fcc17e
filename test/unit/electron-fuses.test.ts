/**
 * The Electron fuses of the packaged app (build/electron-builder.yml → electronFuses): what can
 * inject code into the app is off, the app loads only from its checked asar — and ELECTRON_RUN_AS_NODE
 * stays honoured exactly as long as something in the app still starts a process with it.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));

/** The `electronFuses:` block of the builder config as key → boolean (a flat block of `key: true|false` lines). */
function fuses(): Record<string, boolean> {
  const lines = readFileSync(join(ROOT, 'build/electron-builder.yml'), 'utf8').split('\n');
  const start = lines.findIndex((l) => /^electronFuses:\s*(#.*)?$/.test(l));
  expect(start, 'build/electron-builder.yml has an electronFuses block').toBeGreaterThanOrEqual(0);
  const out: Record<string, boolean> = {};
  for (const line of lines.slice(start + 1)) {
    if (/^\s*(#.*)?$/.test(line)) continue;
    const m = /^ {2}(\w+):\s*(true|false)\s*(#.*)?$/.exec(line);
    if (!m) {
      expect(line, 'electronFuses holds only key: true|false lines').toMatch(/^\S/);
      break;
    }
    out[m[1]] = m[2] === 'true';
  }
  return out;
}

function sources(dir: string): string[] {
  return readdirSync(join(ROOT, dir)).flatMap((name) => {
    const path = join(dir, name);
    return statSync(join(ROOT, path)).isDirectory() ? sources(path) : /\.ts$/.test(name) ? [path] : [];
  });
}

describe('Electron fuses', () => {
  it('turn off NODE_OPTIONS and --inspect, and load the app only from its integrity-checked asar', () => {
    expect(fuses()).toMatchObject({
      enableNodeOptionsEnvironmentVariable: false,
      enableNodeCliInspectArguments: false,
      enableEmbeddedAsarIntegrityValidation: true,
      onlyLoadAppFromAsar: true,
      grantFileProtocolExtraPrivileges: false,
      enableCookieEncryption: true,
    });
  });

  it('runAsNode is on only while the app itself starts processes with ELECTRON_RUN_AS_NODE', () => {
    const users = ['service', 'electron', 'models', 'shared']
      .flatMap(sources)
      .filter((file) => /ELECTRON_RUN_AS_NODE['"]?\s*:/.test(readFileSync(join(ROOT, file), 'utf8')))
      .map((file) => relative('.', file));
    expect(fuses().runAsNode, `ELECTRON_RUN_AS_NODE is set in: ${users.join(', ') || 'nothing'}`).toBe(users.length > 0);
  });
});
