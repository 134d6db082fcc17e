/**
 * The one window factory: it owns the secure web preferences (context isolation, sandbox, no
 * Node in the page, no middle-click new windows) and remembers the window size. Navigation,
 * new windows and permissions are guarded for every web contents by hardening.ts.
 */
import { BrowserWindow, screen } from 'electron';
import { RENDERER_ORIGIN } from './navigation-policy.js';
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
      // The preload exposes named functions only, never ipcRenderer or the IPC event (preload.ts).
      preload: options.preload, // eng-disable PRELOAD_JS_CHECK: reviewed; sandboxed and context-isolated, named functions only
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      spellcheck: false,
      // A middle click on a link would otherwise try to open a new window.
      disableBlinkFeatures: 'Auxclick',
    },
  });
  if (saved.maximized) win.maximize();
  win.once('ready-to-show', () => win.show());

  const remember = () => {
    if (win.isDestroyed()) return;
    const b = win.getNormalBounds();
    options.settings.setWindow({ width: b.width, height: b.height, x: b.x, y: b.y, maximized: win.isMaximized() });
  };
  win.on('close', remember);
  void win.loadURL(`${RENDERER_ORIGIN}/index.html`);
  return win;
}
