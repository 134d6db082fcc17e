/**
 * What the desktop shell adds beyond the service contract: native dialogs and file paths.
 * In Electron the preload exposes it as `window.tickworkShell`; in browser mode it is absent
 * and the renderer uploads files and downloads exports instead.
 */
export const SHELL_CHANNELS = {
  openDatasetDialog: 'shell:open-dataset-dialog',
  chooseExportFolder: 'shell:choose-export-folder',
  menuAction: 'shell:menu-action',
  openModelDialog: 'shell:open-model-dialog',
  chooseScoredFile: 'shell:choose-scored-file',
  /** One-way, from the preload: the path of a file the user dropped on the window (main approves it for reading). */
  droppedFile: 'shell:dropped-file',
} as const;

import type { StepId } from './workbench-steps.js';

/** Menu commands the renderer carries out (File → Open dataset…, Export model…; Go → a step, Back, Forward). */
export type MenuAction =
  | { type: 'open-dataset'; path: string }
  | { type: 'export-model' }
  | { type: 'go-step'; step: StepId }
  | { type: 'go-back' }
  | { type: 'go-forward' };

export interface TickworkShell {
  /** Native "Open dataset" dialog; the chosen path, or null when cancelled. */
  openDatasetDialog(): Promise<string | null>;
  /** Native "Export model" dialog; the chosen folder, or null when cancelled. */
  chooseExportFolder(defaultName: string): Promise<string | null>;
  /** Native "Open model" dialog: an export folder or its .zip; null when cancelled. */
  openModelDialog(): Promise<string | null>;
  /** Native "Save scored file" dialog; the chosen path, or null when cancelled. */
  chooseScoredFile(defaultName: string): Promise<string | null>;
  /** The path of a file dropped on the window. */
  pathForFile(file: { name: string }): string;
  /** Menu commands; returns an unsubscribe. */
  onMenuAction(listener: (action: MenuAction) => void): () => void;
}
