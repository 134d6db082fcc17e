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

function saveBlob(blob: Blob, name: string): void {
  const url = URL.createObjectURL(blob);
  const link = document.createElement('a');
  link.href = url;
  link.download = name;
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

async function failure(response: Response): Promise<Error> {
  const text = await response.text();
  try {
    return new Error((JSON.parse(text) as { error?: string }).error ?? text);
  } catch {
    return new Error(text || `HTTP ${response.status}`);
  }
}

/** Browser mode: download a model's export as a zip; returns the quantization report, if any. */
export async function downloadExport(modelId: string, quantize: 'none' | 'float16' | 'int8'): Promise<QuantizationReport | null> {
  const response = await fetch(`/api/models/${encodeURIComponent(modelId)}/export.zip?quantize=${quantize}`);
  if (!response.ok) throw await failure(response);
  saveBlob(await response.blob(), 'tickwork-model.zip');
  return JSON.parse(decodeURIComponent(response.headers.get('x-tickwork-quantization') ?? 'null')) as QuantizationReport | null;
}

/** Browser mode: score a picked file; the scored CSV downloads, and the warnings come back. */
export async function scoreUpload(modelId: string, file: File): Promise<{ rows: number; warnings: string[] }> {
  const response = await fetch(`/api/models/${encodeURIComponent(modelId)}/score?name=${encodeURIComponent(file.name)}`, { method: 'POST', body: file });
  if (!response.ok) throw await failure(response);
  saveBlob(await response.blob(), file.name.replace(/\.[^.]*$/, '') + '-scored.csv');
  return {
    rows: Number(response.headers.get('x-tickwork-rows') ?? 0),
    warnings: JSON.parse(decodeURIComponent(response.headers.get('x-tickwork-warnings') ?? '[]')) as string[],
  };
}

export type QuantizationReport = NonNullable<Awaited<ReturnType<TickworkApi['exportModel']>>['quantization']>;
