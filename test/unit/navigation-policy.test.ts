/**
 * Where the desktop app's pages may go and what they may ask for (electron/navigation-policy.ts),
 * and the guards that apply it to every web contents (electron/hardening.ts, with Electron's
 * objects stood in for: there is no Electron binary here).
 */
import { EventEmitter } from 'node:events';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import {
  EXTERNAL_LINKS,
  GRANTED_PERMISSIONS,
  isAllowedExternal,
  isAppUrl,
  navigationVerdict,
  permissionAllowed,
  windowOpenVerdict,
} from '../../electron/navigation-policy';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const DOCS = ['https://docs.example.org/tickwork/guide', 'https://docs.example.org/tickwork/faq#export'];

describe('navigation policy', () => {
  it('the app is app://tickwork/ and nothing that merely looks like it', () => {
    expect(isAppUrl('app://tickwork/index.html')).toBe(true);
    expect(isAppUrl('app://tickwork/assets/index.js?x=1#y')).toBe(true);
    for (const url of ['app://tickwork.evil.com/', 'app://evil/', 'app://tickwork@evil/', 'app://user:pw@tickwork/', 'https://tickwork/', 'file:///etc/passwd', 'javascript:alert(1)', 'not a url', '']) {
      expect(isAppUrl(url), url).toBe(false);
    }
  });

  it('navigation stays in the app; away from it, only an exact allow-list entry opens in the browser', () => {
    expect(navigationVerdict('app://tickwork/index.html', DOCS)).toBe('allow');
    expect(navigationVerdict('https://docs.example.org/tickwork/guide', DOCS)).toBe('open-externally');
    expect(navigationVerdict('https://docs.example.org/tickwork/faq#export', DOCS)).toBe('open-externally');
    for (const url of [
      'https://docs.example.org/tickwork/guide/../../evil', // normalises to another page
      'https://docs.example.org/tickwork/guide?next=https://evil',
      'https://docs.example.org/tickwork/guidebook',
      'https://docs.example.org.evil.com/tickwork/guide',
      'https://user@docs.example.org/tickwork/guide',
      'http://docs.example.org/tickwork/guide',
      'file:///etc/passwd',
      'smb://host/share',
      'javascript:alert(1)',
      'https://example.com/',
    ]) {
      expect(navigationVerdict(url, DOCS), url).toBe('deny');
      expect(windowOpenVerdict(url, DOCS), url).toBe('deny');
    }
    expect(windowOpenVerdict('app://tickwork/index.html', DOCS)).toBe('deny'); // never a second window, not even of the app
    expect(isAllowedExternal('HTTPS://DOCS.EXAMPLE.ORG/tickwork/guide', DOCS)).toBe(true); // scheme and host compare case-insensitively
  });

  it('with the shipped (empty) allow-list nothing leaves the app', () => {
    expect(EXTERNAL_LINKS).toEqual([]);
    expect(navigationVerdict('https://docs.example.org/tickwork/guide')).toBe('deny');
    expect(windowOpenVerdict('https://github.com/')).toBe('deny');
  });

  it('every web link in the renderer is on the allow-list (a link that is not would be dead in the desktop app)', () => {
    const files: string[] = [];
    const walk = (dir: string) => {
      for (const name of readdirSync(dir)) {
        const path = join(dir, name);
        if (statSync(path).isDirectory()) walk(path);
        else if (/\.(ts|svelte|html)$/.test(name)) files.push(path);
      }
    };
    walk(join(ROOT, 'renderer'));
    expect(files.length).toBeGreaterThan(10);
    const links = files.flatMap((file) =>
      [...readFileSync(file, 'utf8').replace(/^\s*(\/\/|\*).*$/gm, '').matchAll(/https?:\/\/[^\s'"`<>)]+/g)].map((m) => `${relative(ROOT, file)}: ${m[0]}`),
    );
    expect(links.filter((l) => !EXTERNAL_LINKS.includes(l.slice(l.indexOf(': ') + 2)))).toEqual([]);
  });

  it('no permission is granted, to the app or to anyone else', () => {
    expect(GRANTED_PERMISSIONS).toEqual([]);
    for (const permission of ['media', 'notifications', 'clipboard-read', 'geolocation', 'openExternal', 'fileSystem', 'unknown']) {
      expect(permissionAllowed(permission, 'app://tickwork'), permission).toBe(false);
      expect(permissionAllowed(permission, 'app://tickwork/index.html'), permission).toBe(false);
    }
    // Were one needed, it would go to the app's page only.
    expect(permissionAllowed('clipboard-sanitized-write', 'app://tickwork', ['clipboard-sanitized-write'])).toBe(true);
    expect(permissionAllowed('clipboard-sanitized-write', 'https://evil.example', ['clipboard-sanitized-write'])).toBe(false);
    expect(permissionAllowed('clipboard-sanitized-write', undefined, ['clipboard-sanitized-write'])).toBe(false);
  });
});

// ---------------------------------------------------------------- the wiring, with stand-ins for Electron

const fake = vi.hoisted(() => ({ app: null as unknown as import('node:events').EventEmitter, openExternal: null as unknown as ReturnType<typeof import('vitest').vi.fn> }));
vi.mock('electron', async () => {
  const { EventEmitter: Emitter } = await import('node:events');
  const { vi: v } = await import('vitest');
  fake.app = new Emitter();
  fake.openExternal = v.fn(async () => undefined);
  return { app: fake.app, shell: { openExternal: fake.openExternal } };
});

class FakeSession extends EventEmitter {
  requestHandler: ((contents: { getURL(): string }, permission: string, callback: (granted: boolean) => void) => void) | null = null;
  checkHandler: ((contents: unknown, permission: string, origin: string) => boolean) | null = null;
  deviceHandler: (() => boolean) | null = null;
  setPermissionRequestHandler(h: FakeSession['requestHandler']) {
    this.requestHandler = h;
  }
  setPermissionCheckHandler(h: FakeSession['checkHandler']) {
    this.checkHandler = h;
  }
  setDevicePermissionHandler(h: FakeSession['deviceHandler']) {
    this.deviceHandler = h;
  }
}

class FakeContents extends EventEmitter {
  openHandler: ((details: { url: string }) => { action: string }) | null = null;
  constructor(readonly session: FakeSession) {
    super();
  }
  setWindowOpenHandler(h: FakeContents['openHandler']) {
    this.openHandler = h;
  }
  getURL() {
    return 'app://tickwork/index.html';
  }
}

const navigation = (url: string) => ({ url, preventDefault: vi.fn() });

describe('guards on every web contents (hardening.ts)', () => {
  let defaultSession: FakeSession;
  beforeEach(async () => {
    vi.resetModules();
    const { installGuards } = await import('../../electron/hardening');
    fake.app.removeAllListeners();
    fake.openExternal.mockClear();
    defaultSession = new FakeSession();
    installGuards(defaultSession as never);
  });

  it('denies every permission request and check, device access and download in the default session', () => {
    const granted: boolean[] = [];
    for (const permission of ['media', 'notifications', 'clipboard-read', 'fullscreen']) defaultSession.requestHandler!({ getURL: () => 'app://tickwork/index.html' }, permission, (g) => granted.push(g));
    expect(granted).toEqual([false, false, false, false]);
    expect(defaultSession.checkHandler!(null, 'clipboard-read', 'app://tickwork')).toBe(false);
    expect(defaultSession.checkHandler!(null, 'media', 'https://evil.example')).toBe(false);
    expect(defaultSession.deviceHandler!()).toBe(false);
    const download = { preventDefault: vi.fn() };
    defaultSession.emit('will-download', download);
    expect(download.preventDefault).toHaveBeenCalled();
  });

  it('stops navigation, frame navigation and redirects away from the app, refuses new windows and webviews, opens nothing externally', () => {
    const session = new FakeSession();
    const contents = new FakeContents(session);
    fake.app.emit('web-contents-created', {}, contents);
    for (const event of ['will-navigate', 'will-frame-navigate', 'will-redirect']) {
      const away = navigation('https://evil.example/phish');
      contents.emit(event, away);
      expect(away.preventDefault, event).toHaveBeenCalled();
      const home = navigation('app://tickwork/index.html');
      contents.emit(event, home);
      expect(home.preventDefault, event).not.toHaveBeenCalled();
      const file = navigation('file:///etc/passwd');
      contents.emit(event, file);
      expect(file.preventDefault, event).toHaveBeenCalled();
    }
    expect(contents.openHandler!({ url: 'https://example.com/' })).toEqual({ action: 'deny' });
    expect(contents.openHandler!({ url: 'app://tickwork/index.html' })).toEqual({ action: 'deny' });
    const webview = { preventDefault: vi.fn() };
    contents.emit('will-attach-webview', webview);
    expect(webview.preventDefault).toHaveBeenCalled();
    expect(fake.openExternal).not.toHaveBeenCalled();
    // The new contents' own session is guarded too.
    expect(session.checkHandler!(null, 'media', 'app://tickwork')).toBe(false);
  });
});
