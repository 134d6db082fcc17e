/**
 * The Electron main process: window, menu, dialogs, the app:// protocol that serves the
 * renderer, and the WorkbenchService served over IPC. Thin: no ML here — training and
 * prediction run in a utility process.
 */
import { DATA_FORMATS, dataFileExtensions } from '../shared/formats.js';
import { app, BrowserWindow, dialog, Menu, net, protocol, session } from 'electron';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { backendPreferenceFromEnv } from '../models/backend-preference.js';
import { packageRoot, packageVersion, paths } from '../service/runtime.js';
import { WorkbenchService } from '../service/workbench-service.js';
import { workerReader } from '../service/data-reader.js';
import { Workspace } from '../service/workspace/workspace.js';
import { resolveAppRequest } from './app-protocol.js';
import { ApprovedPaths } from './approved-paths.js';
import { withSecurityHeaders } from './csp.js';
import { installGuards } from './hardening.js';
import { sendMenuAction, serveOverIpc } from './ipc-adapter.js';
import { buildMenu } from './menu.js';
import { SettingsStore } from './settings.js';
import { utilityWorkerLauncher } from './utility-worker.js';
import { createMainWindow } from './window.js';

protocol.registerSchemesAsPrivileged([
  { scheme: 'app', privileges: { standard: true, secure: true, supportFetchAPI: true, corsEnabled: false } },
]);

const root = packageRoot();
const rendererDir = paths.renderer(root);
let mainWindow: BrowserWindow | null = null;

/** The renderer's files over app://tickwork/ (app-protocol.ts), each response with the CSP header (csp.ts). */
function serveRenderer(): void {
  const plain = (body: string, status: number) => withSecurityHeaders(new Response(body, { status, headers: { 'content-type': 'text/plain; charset=utf-8' } }));
  protocol.handle('app', async (request) => {
    const target = resolveAppRequest(rendererDir, request.url);
    if (!('file' in target)) return plain(target.message, target.status);
    try {
      return withSecurityHeaders(await net.fetch(pathToFileURL(target.file).toString()));
    } catch {
      return plain('Not found', 404);
    }
  });
}

async function main(): Promise<void> {
  if (!app.requestSingleInstanceLock()) {
    app.quit();
    return;
  }
  await app.whenReady();
  installGuards(session.defaultSession);
  serveRenderer();
  const settings = new SettingsStore(app.getPath('userData'));
  // The workspace: $TICKWORK_WORKSPACE when set, else the one chosen with File → Open workspace…, else userData.
  const workspace = openDesktopWorkspace(process.env.TICKWORK_WORKSPACE || settings.get().workspace || app.getPath('userData'));
  const service = new WorkbenchService({
    version: packageVersion(root),
    datasetsDir: paths.datasets(root),
    launchWorker: utilityWorkerLauncher(join(__dirname, 'training-worker.cjs')),
    // Files are read, typed and profiled in a worker thread of the main process, never on the thread that answers the page.
    reader: workerReader(join(__dirname, 'data-worker.cjs')),
    backend: backendPreferenceFromEnv(),
    workspace,
  });

  // The files and folders the page may name in a request: those the user chose (approved-paths.ts).
  const approved = new ApprovedPaths();
  for (const path of settings.get().recentFiles) approved.approve(path, 'read');
  const rememberRecent = (path: string) => {
    approved.approve(path, 'read');
    settings.addRecent(path);
    app.addRecentDocument(path);
    refreshMenu();
  };
  const openDatasetDialog = async (win: BrowserWindow | null): Promise<string | null> => {
    const options: Electron.OpenDialogOptions = {
      title: 'Open dataset',
      properties: ['openFile'],
      filters: [
        { name: 'Data files', extensions: dataFileExtensions().map((e) => e.slice(1)) },
        ...DATA_FORMATS.map((f) => ({ name: f.label, extensions: f.extensions.map((e) => e.slice(1)) })),
        { name: 'All files', extensions: ['*'] },
      ],
    };
    const result = win ? await dialog.showOpenDialog(win, options) : await dialog.showOpenDialog(options);
    const path = result.canceled ? null : (result.filePaths[0] ?? null);
    if (path) rememberRecent(path);
    return path;
  };
  const chooseExportFolder = async (win: BrowserWindow | null, defaultName: string): Promise<string | null> => {
    const options: Electron.SaveDialogOptions = {
      title: 'Export model',
      buttonLabel: 'Export',
      defaultPath: join(app.getPath('documents'), defaultName),
      properties: ['createDirectory', 'showOverwriteConfirmation'],
    };
    const result = win ? await dialog.showSaveDialog(win, options) : await dialog.showSaveDialog(options);
    if (result.canceled || !result.filePath) return null;
    approved.approve(result.filePath, 'write');
    return result.filePath;
  };

  const openModelDialog = async (win: BrowserWindow | null): Promise<string | null> => {
    const options: Electron.OpenDialogOptions = {
      title: 'Open exported model (folder or .zip)',
      properties: ['openFile', 'openDirectory'],
      filters: [{ name: 'Tickwork export', extensions: ['zip'] }],
    };
    const result = win ? await dialog.showOpenDialog(win, options) : await dialog.showOpenDialog(options);
    const path = result.canceled ? null : (result.filePaths[0] ?? null);
    if (path) approved.approve(path, 'read');
    return path;
  };
  const chooseScoredFile = async (win: BrowserWindow | null, defaultName: string): Promise<string | null> => {
    const options: Electron.SaveDialogOptions = {
      title: 'Save scored rows',
      defaultPath: join(app.getPath('documents'), defaultName),
      filters: [{ name: 'CSV', extensions: ['csv'] }],
    };
    const result = win ? await dialog.showSaveDialog(win, options) : await dialog.showSaveDialog(options);
    if (result.canceled || !result.filePath) return null;
    approved.approve(result.filePath, 'write');
    return result.filePath;
  };

  const refreshMenu = () =>
    Menu.setApplicationMenu(
      buildMenu({
        recentFiles: settings.get().recentFiles,
        openDataset: async () => {
          const path = await openDatasetDialog(mainWindow);
          if (path && mainWindow) sendMenuAction(mainWindow, { type: 'open-dataset', path });
        },
        send: (action) => mainWindow && sendMenuAction(mainWindow, action),
        openWorkspace: async () => {
          const options: Electron.OpenDialogOptions = { title: 'Open workspace', properties: ['openDirectory', 'createDirectory'], buttonLabel: 'Open workspace' };
          const result = mainWindow ? await dialog.showOpenDialog(mainWindow, options) : await dialog.showOpenDialog(options);
          const dir = result.canceled ? null : result.filePaths[0];
          if (!dir) return;
          settings.setWorkspace(dir);
          // The service, its workers and the window start again on the chosen workspace.
          app.relaunch();
          app.exit(0);
        },
      }),
    );
  refreshMenu();

  const stopServing = serveOverIpc(
    service,
    { openDatasetDialog, chooseExportFolder, openModelDialog, chooseScoredFile, droppedFile: (path) => approved.approve(path, 'read') },
    (event) => BrowserWindow.fromWebContents(event.sender),
    () => BrowserWindow.getAllWindows(),
    approved,
  );

  const open = () => {
    mainWindow = createMainWindow({ preload: join(__dirname, 'preload.cjs'), settings });
    mainWindow.on('closed', () => (mainWindow = null));
  };
  open();
  app.on('second-instance', () => {
    if (mainWindow) {
      if (mainWindow.isMinimized()) mainWindow.restore();
      mainWindow.focus();
    }
  });
  app.on('activate', () => {
    if (BrowserWindow.getAllWindows().length === 0) open();
  });
  app.on('window-all-closed', () => {
    if (process.platform !== 'darwin') app.quit();
  });
  let quitting = false;
  app.on('before-quit', (event) => {
    if (quitting) return;
    quitting = true;
    event.preventDefault();
    stopServing();
    void service.dispose().finally(() => app.quit());
  });
}

main().catch((err) => {
  dialog.showErrorBox('Tickwork could not start', err instanceof Error ? err.message : String(err));
  app.exit(1);
});

/** The workspace folder, or — when it cannot be opened — a workspace that keeps nothing, with a dialog saying why. */
function openDesktopWorkspace(dir: string): Workspace {
  try {
    return Workspace.open(dir);
  } catch (err) {
    dialog.showErrorBox('Tickwork: the workspace cannot be opened', `${(err as Error).message}\n\nThis session keeps nothing until the workspace is fixed.`);
    return Workspace.inMemory();
  }
}
