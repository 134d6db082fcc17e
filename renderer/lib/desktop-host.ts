/** The desktop app's host: native dialogs, real file paths, files written where the user chose. */
import type { DatasetSource, TickworkApi } from '../../shared/contract.js';
import type { MenuAction, TickworkShell } from '../../shared/shell.js';
import { TickworkError } from '../../shared/errors.js';
import type { ExportedModel, Host, Quantize, ScoredFile } from './host.js';

/**
 * Run a write; when the service refuses because the target holds something Tickwork did not write
 * ('exists'), ask "Replace?" with its message and repeat with force, or give up (null).
 */
async function replacingOnConfirm<T>(write: (force: boolean) => Promise<T>, ask: (message: string) => boolean): Promise<T | null> {
  try {
    return await write(false);
  } catch (err) {
    if (!(err instanceof TickworkError) || err.code !== 'exists') throw err;
    if (!ask(`${err.message}\n\nReplace? (files of yours in a folder are kept)`)) return null;
    return write(true);
  }
}

export class DesktopHost implements Host {
  readonly mode = 'desktop' as const;

  constructor(
    readonly api: TickworkApi,
    private readonly shell: TickworkShell,
    /** Asks the user yes or no (window.confirm in the app; a stub in tests). */
    private readonly confirm: (message: string) => boolean = (message) => globalThis.confirm(message),
  ) {}

  async pickDataset(): Promise<DatasetSource | null> {
    const path = await this.shell.openDatasetDialog();
    return path ? { kind: 'file', path } : null;
  }

  async droppedDataset(file: File): Promise<DatasetSource | null> {
    return { kind: 'file', path: this.shell.pathForFile(file) };
  }

  pickModel(): Promise<string | null> {
    return this.shell.openModelDialog();
  }

  async scoreFile(modelId: string): Promise<ScoredFile | null> {
    const input = await this.shell.openDatasetDialog();
    if (!input) return null;
    const output = await this.shell.chooseScoredFile('scored.csv');
    if (!output) return null;
    const r = await replacingOnConfirm((force) => this.api.scoreFile({ modelId, input, output, force }), this.confirm);
    if (!r) return null;
    return { rows: r.rows, output: r.output, warnings: r.warnings };
  }

  async exportModel(modelId: string, quantize: Quantize, name: string): Promise<ExportedModel | null> {
    const dir = await this.shell.chooseExportFolder(name);
    if (!dir) return null;
    const r = await replacingOnConfirm((force) => this.api.exportModel({ modelId, dir, quantize, force }), this.confirm);
    if (!r) return null;
    return { where: r.dir, quantization: r.quantization };
  }

  async exportRecipe(modelId: string, name: string): Promise<{ where: string; files: string[] } | null> {
    const dir = await this.shell.chooseExportFolder(`${name}-pytorch`);
    if (!dir) return null;
    const r = await replacingOnConfirm((force) => this.api.exportRecipe({ modelId, dir, force }), this.confirm);
    if (!r) return null;
    return { where: r.dir, files: r.files };
  }

  onMenuAction(listener: (action: MenuAction) => void): () => void {
    return this.shell.onMenuAction(listener);
  }
}
