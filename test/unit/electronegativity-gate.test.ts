/**
 * The Electron security gate (scripts/electronegativity.mjs) fails where it should: on a shell
 * with HIGH/MEDIUM findings and on a file electronegativity cannot parse (whose checks it would
 * otherwise skip without a word), and passes on one without. Offline, a few seconds each.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));

function scan(files: Record<string, string>) {
  const dir = mkdtempSync(join(tmpdir(), 'tickwork-eneg-fixture-'));
  for (const [name, text] of Object.entries(files)) {
    mkdirSync(join(dir, name, '..'), { recursive: true });
    writeFileSync(join(dir, name), text);
  }
  const started = Date.now();
  const r = spawnSync(process.execPath, ['scripts/electronegativity.mjs', '--input', dir], { cwd: ROOT, encoding: 'utf8', timeout: 60_000 });
  const counts = /electronegativity findings: HIGH (\d+), MEDIUM (\d+), LOW (\d+), INFORMATIONAL (\d+)/.exec(r.stdout);
  return { status: r.status, out: r.stdout + r.stderr, seconds: (Date.now() - started) / 1000, high: Number(counts?.[1]), medium: Number(counts?.[2]) };
}

const SAFE_MAIN = `
import { app, BrowserWindow, session } from 'electron';
app.whenReady().then(() => {
  session.defaultSession.setPermissionRequestHandler((_wc, _p, callback) => callback(false));
  const win = new BrowserWindow({ webPreferences: { contextIsolation: true, sandbox: true, nodeIntegration: false, disableBlinkFeatures: 'Auxclick' } });
  win.webContents.on('will-navigate', (event) => event.preventDefault());
  win.webContents.setWindowOpenHandler(() => ({ action: 'deny' }));
  void win.loadURL('app://x/index.html');
});
`;
const HTML = `<!doctype html><meta http-equiv="Content-Security-Policy" content="default-src 'none'; script-src 'self'; style-src 'self'; object-src 'none'; base-uri 'none'"><title>x</title>`;

describe('electronegativity gate', () => {
  it('fails on an insecure shell and prints the counts by severity', () => {
    const r = scan({
      'main.js': `const { app, BrowserWindow, shell } = require('electron');
app.on('ready', () => {
  const win = new BrowserWindow({ webPreferences: { nodeIntegration: true, contextIsolation: false, sandbox: false, webSecurity: false } });
  win.webContents.on('new-window', (e, url) => shell.openExternal(url));
  win.loadURL('http://example.com/');
});`,
    });
    expect(r.status, r.out).toBe(1);
    expect(r.high, r.out).toBeGreaterThan(0);
    expect(r.out).toMatch(/HIGH .*CONTEXT_ISOLATION_JS_CHECK  main\.js:3/);
    expect(r.out).toMatch(/MEDIUM .*WEB_SECURITY_JS_CHECK/);
    expect(r.out).toMatch(/FAILED — \d+ HIGH\/MEDIUM finding/);
    expect(r.seconds).toBeLessThan(30);
  });

  it('fails on a file it cannot parse, instead of skipping its checks', () => {
    const r = scan({ 'main.ts': SAFE_MAIN, 'broken.ts': 'const = ;\nnew BrowserWindow({ webPreferences: { nodeIntegration: true } });', 'index.html': HTML });
    expect(r.status, r.out).toBe(1);
    expect(r.out).toMatch(/could not parse broken\.ts/);
  });

  it('passes a shell with secure defaults, a CSP, navigation guards and a permission handler', () => {
    const r = scan({ 'main.ts': SAFE_MAIN, 'index.html': HTML });
    expect(r.status, r.out).toBe(0);
    expect(r.high + r.medium, r.out).toBe(0);
    expect(r.seconds).toBeLessThan(30);
  });
});
