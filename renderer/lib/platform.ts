/**
 * The renderer's one door to the outside: the typed API (Electron preload or WebSocket) and
 * the shell features that differ between the desktop app and browser mode.
 */
import type { TickworkApi } from '../../shared/contract.js';
import type { TickworkShell } from '../../shared/shell.js';
import { connectWebSocketApi } from './ws-client.js';

declare global {
  interface Window {
    tickwork?: TickworkApi;
    tickworkShell?: TickworkShell;
  }
}

export interface Platform {
  api: TickworkApi;
  /** Native dialogs and paths: only in the desktop app. */
  shell: TickworkShell | null;
  mode: 'desktop' | 'browser';
}

export function connectPlatform(onConnectionLost: (message: string) => void): Platform {
  if (window.tickwork) return { api: window.tickwork, shell: window.tickworkShell ?? null, mode: 'desktop' };
  return { api: connectWebSocketApi(onConnectionLost), shell: null, mode: 'browser' };
}

/** Browser mode: send a picked file to the local server; returns the path it was stored at. */
export async function uploadFile(file: File): Promise<string> {
  const response = await fetch(`/api/upload?name=${encodeURIComponent(file.name)}`, { method: 'POST', body: file });
  const body = (await response.json().catch(() => ({}))) as { path?: string; error?: string };
  if (!response.ok || !body.path) throw new Error(body.error ?? `Upload failed (HTTP ${response.status}).`);
  return body.path;
}

/** Browser mode: download a model's export as a zip. */
export function downloadExport(modelId: string): void {
  const link = document.createElement('a');
  link.href = `/api/models/${encodeURIComponent(modelId)}/export.zip`;
  link.download = 'tickwork-model.zip';
  document.body.append(link);
  link.click();
  link.remove();
}
