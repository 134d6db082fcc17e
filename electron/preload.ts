/**
 * The preload (sandboxed, context-isolated): exposes `window.tickwork` (the typed API) and
 * `window.tickworkShell` (dialogs, dropped-file paths, menu commands) as named functions.
 * Raw `ipcRenderer` is used here and nowhere else; the IPC event object never reaches the page.
 */
import { contextBridge, ipcRenderer, webUtils } from 'electron';
import { createApi, unwrapEnvelope } from '../shared/client.js';
import type { ResponseEnvelope } from '../shared/contract.js';
import { SHELL_CHANNELS, type MenuAction, type TickworkShell } from '../shared/shell.js';

const api = createApi({
  invoke: (channel, input) => ipcRenderer.invoke(channel, input) as Promise<ResponseEnvelope>,
  subscribe: (channel, listener) => {
    const handler = (_event: unknown, payload: unknown) => listener(payload as never);
    ipcRenderer.on(channel, handler);
    return () => ipcRenderer.removeListener(channel, handler);
  },
});

const shell: TickworkShell = {
  openDatasetDialog: async () => unwrapEnvelope(await ipcRenderer.invoke(SHELL_CHANNELS.openDatasetDialog)) as string | null,
  chooseExportFolder: async (defaultName) =>
    unwrapEnvelope(await ipcRenderer.invoke(SHELL_CHANNELS.chooseExportFolder, defaultName)) as string | null,
  openModelDialog: async () => unwrapEnvelope(await ipcRenderer.invoke(SHELL_CHANNELS.openModelDialog)) as string | null,
  chooseScoredFile: async (defaultName) => unwrapEnvelope(await ipcRenderer.invoke(SHELL_CHANNELS.chooseScoredFile, defaultName)) as string | null,
  // Only a File the user gave the page (a drop, a file input) has a path; main approves it for reading.
  pathForFile: (file) => {
    const path = webUtils.getPathForFile(file as never);
    if (path) ipcRenderer.send(SHELL_CHANNELS.droppedFile, path);
    return path;
  },
  onMenuAction: (listener) => {
    const handler = (_event: unknown, action: MenuAction) => listener(action);
    ipcRenderer.on(SHELL_CHANNELS.menuAction, handler);
    return () => ipcRenderer.removeListener(SHELL_CHANNELS.menuAction, handler);
  },
};

contextBridge.exposeInMainWorld('tickwork', api);
contextBridge.exposeInMainWorld('tickworkShell', shell);
