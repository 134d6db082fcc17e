/**
 * The one window factory: it owns the secure defaults (context isolation, sandbox, no Node in
 * the page, no new windows, no navigation away, no permissions) and remembers the window size.
 */
import { BrowserWindow, screen, shell } from 'electron';
import { RENDERER_ORIGIN } from './ipc-adapter.js';
import { placeWindow, type SettingsStore } from './settings.js';

export function createMainWindow(options: { preload: string; settings: SettingsStore }): BrowserWindow {
  const saved = options.settings.get().window;
  const win = new BrowserWindow({
    ...placeWindow(saved, screen.getAllDisplays().map((d) => d.workArea)),
    minWidth: 900,
    minHeight: 600,
    title: 'Tickwork',
    show: false,
    webPreferences: {
      preload: options.preload,
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      spellcheck: false,
    },
  });
  if (saved.maximized) win.maximize();
  win.once('ready-to-show', () => win.show());

  // New windows: never. Links to the web open in the system browser.
  win.webContents.setWindowOpenHandler(({ url }) => {
    if (url.startsWith('https://')) void shell.openExternal(url);
    return { action: 'deny' };
  });
  win.webContents.on('will-navigate', (event, url) => {
    if (!url.startsWith(`${RENDERER_ORIGIN}/`)) event.preventDefault();
  });
  win.webContents.session.setPermissionRequestHandler((_wc, _permission, callback) => callback(false));

  const remember = () => {
    if (win.isDestroyed()) return;
    const b = win.getNormalBounds();
    options.settings.setWindow({ width: b.width, height: b.height, x: b.x, y: b.y, maximized: win.isMaximized() });
  };
  win.on('close', remember);
  void win.loadURL(`${RENDERER_ORIGIN}/index.html`);
  return win;
}
