/**
 * The renderer's one door to the outside: the typed API, plus what differs between the desktop
 * app and browser mode — how files are picked, how a file reaches the service, where scored
 * files and exports go. One interface, one implementation per platform (desktop-host.ts,
 * browser-host.ts), as Netron's desktop.Host / browser.Host: no platform branches at call sites.
 */
import type { DatasetSource, QuantizationReport, TickworkApi } from '../../shared/contract.js';
import type { MenuAction, TickworkShell } from '../../shared/shell.js';
import { BrowserHost } from './browser-host.js';
import { DesktopHost } from './desktop-host.js';
import { connectWebSocketApi } from './ws-client.js';

declare global {
  interface Window {
    tickwork?: TickworkApi;
    tickworkShell?: TickworkShell;
  }
}

export type Quantize = 'none' | 'float16' | 'int8';

export interface ScoredFile {
  rows: number;
  /** Where the scored file was written (desktop), or null when it was downloaded (browser). */
  output: string | null;
  warnings: string[];
}

export interface ExportedModel {
  /** Where it went, in words: a folder, or the downloaded file's name. */
  where: string;
  quantization: QuantizationReport | null;
  /** A PyTorch recipe (train.py and the run), not the model's export. */
  recipe?: boolean;
}

export interface Host {
  readonly mode: 'desktop' | 'browser';
  readonly api: TickworkApi;
  /** Let the user pick a data file (native dialog, or the browser's file picker); null when cancelled. */
  pickDataset(): Promise<DatasetSource | null>;
  /** A data file dropped on the window, as the service can open it (browser: uploaded first). */
  droppedDataset(file: File): Promise<DatasetSource | null>;
  /** Let the user pick an exported model (folder or .zip); its path for model:load, or null. */
  pickModel(): Promise<string | null>;
  /** Pick a file and score it with the model: desktop — save where the user says; browser — the result downloads. */
  scoreFile(modelId: string): Promise<ScoredFile | null>;
  /** Export the model: desktop — into a folder the user picks; browser — a zip download named `name`. */
  exportModel(modelId: string, quantize: Quantize, name: string): Promise<ExportedModel | null>;
  /** The model's run as a PyTorch recipe folder (train.py …); null when the user cancelled. */
  exportRecipe(modelId: string, name: string): Promise<{ where: string; files: string[] } | null>;
  /** Menu commands (desktop); browser mode has none. Returns an unsubscribe. */
  onMenuAction(listener: (action: MenuAction) => void): () => void;
}

/** The desktop host when the preload exposed its API, browser mode otherwise. */
export function connectHost(onConnectionLost: (message: string) => void): Host {
  if (window.tickwork && window.tickworkShell) return new DesktopHost(window.tickwork, window.tickworkShell);
  return new BrowserHost(connectWebSocketApi(onConnectionLost));
}
