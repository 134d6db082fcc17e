/**
 * The main-side IPC adapter: serves the WorkbenchService's contract and the shell channels over
 * Electron IPC. Raw `ipcMain` is used here and nowhere else. Every message's sender frame must
 * be our own renderer (app://tickwork); a request naming a file or folder the user did not choose
 * is refused (`paths`, approved-paths.ts); inputs are validated by the shared dispatcher.
 */
import { ipcMain, type BrowserWindow, type IpcMainEvent, type IpcMainInvokeEvent } from 'electron';
import { EVENT_CHANNELS, REQUEST_CHANNELS, type RequestChannel, type ResponseEnvelope } from '../shared/contract.js';
import { SHELL_CHANNELS, type MenuAction } from '../shared/shell.js';
import { createDispatcher } from '../service/dispatch.js';
import type { WorkbenchService } from '../service/workbench-service.js';
import { RENDERER_ORIGIN } from './navigation-policy.js';


export interface ShellHandlers {
  openDatasetDialog(window: BrowserWindow | null): Promise<string | null>;
  chooseExportFolder(window: BrowserWindow | null, defaultName: string): Promise<string | null>;
  openModelDialog(window: BrowserWindow | null): Promise<string | null>;
  chooseScoredFile(window: BrowserWindow | null, defaultName: string): Promise<string | null>;
  /** The user dropped this file on the window (its path, from the preload). */
  droppedFile(path: string): void;
}

/** Which paths a request may name (ApprovedPaths in main). */
export interface PathGuard {
  /** Why the request may not run, or null. */
  refusal(channel: RequestChannel, input: unknown): string | null;
}

const nameArg = (value: unknown, fallback: string) => (typeof value === 'string' ? value.slice(0, 200) : fallback);

function trusted(event: IpcMainInvokeEvent | IpcMainEvent): boolean {
  const url = event.senderFrame?.url ?? '';
  return url.startsWith(`${RENDERER_ORIGIN}/`);
}

const refused: ResponseEnvelope = { ok: false, error: { code: 'invalid_input', message: 'refused: the request did not come from the Tickwork window' } };

export function serveOverIpc(
  service: WorkbenchService,
  shell: ShellHandlers,
  windowOf: (event: IpcMainInvokeEvent) => BrowserWindow | null,
  windows: () => BrowserWindow[],
  paths: PathGuard,
): () => void {
  const dispatch = createDispatcher(service, (err) => console.error('tickwork: internal error:', err));
  for (const channel of REQUEST_CHANNELS) {
    ipcMain.handle(channel, (event, input: unknown) => {
      if (!trusted(event)) return refused;
      const why = paths.refusal(channel, input);
      if (!why) return dispatch(channel, input);
      const notChosen: ResponseEnvelope = { ok: false, error: { code: 'invalid_input', message: why } };
      return notChosen;
    });
  }
  const onDropped = (event: IpcMainEvent, path: unknown) => {
    if (trusted(event) && typeof path === 'string' && path !== '') shell.droppedFile(path);
  };
  ipcMain.on(SHELL_CHANNELS.droppedFile, onDropped);
  // Shell channels: one entry each (argument checked here), served by one trusted-sender handler.
  const shellCalls: Record<string, (window: BrowserWindow | null, arg: unknown) => Promise<string | null>> = {
    [SHELL_CHANNELS.openDatasetDialog]: (win) => shell.openDatasetDialog(win),
    [SHELL_CHANNELS.chooseExportFolder]: (win, name) => shell.chooseExportFolder(win, nameArg(name, 'tickwork-model')),
    [SHELL_CHANNELS.openModelDialog]: (win) => shell.openModelDialog(win),
    [SHELL_CHANNELS.chooseScoredFile]: (win, name) => shell.chooseScoredFile(win, nameArg(name, 'scored.csv')),
  };
  for (const [channel, call] of Object.entries(shellCalls)) {
    ipcMain.handle(channel, async (event, arg: unknown): Promise<ResponseEnvelope> => {
      if (!trusted(event)) return refused;
      return { ok: true, result: await call(windowOf(event), arg) };
    });
  }
  const unsubscribe = EVENT_CHANNELS.map((channel) =>
    service.on(channel, (payload) => {
      for (const win of windows()) if (!win.isDestroyed()) win.webContents.send(channel, payload);
    }),
  );
  return () => {
    unsubscribe.forEach((off) => off());
    ipcMain.removeListener(SHELL_CHANNELS.droppedFile, onDropped);
    for (const channel of [...REQUEST_CHANNELS, ...Object.keys(shellCalls)]) {
      ipcMain.removeHandler(channel);
    }
  };
}

export function sendMenuAction(window: BrowserWindow, action: MenuAction): void {
  window.webContents.send(SHELL_CHANNELS.menuAction, action);
}
