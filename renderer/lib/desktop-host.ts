/** The desktop app's host: native dialogs, real file paths, files written where the user chose. */
import type { DatasetSource, TickworkApi } from '../../shared/contract.js';
import type { MenuAction, TickworkShell } from '../../shared/shell.js';
import type { ExportedModel, Host, Quantize, ScoredFile } from './host.js';

export class DesktopHost implements Host {
  readonly mode = 'desktop' as const;

  constructor(
    readonly api: TickworkApi,
    private readonly shell: TickworkShell,
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
    const r = await this.api.scoreFile({ modelId, input, output });
    return { rows: r.rows, output: r.output, warnings: r.warnings };
  }

  async exportModel(modelId: string, quantize: Quantize, name: string): Promise<ExportedModel | null> {
    const dir = await this.shell.chooseExportFolder(name);
    if (!dir) return null;
    const r = await this.api.exportModel({ modelId, dir, quantize });
    return { where: r.dir, quantization: r.quantization };
  }

  async exportRecipe(modelId: string, name: string): Promise<{ where: string; files: string[] } | null> {
    const dir = await this.shell.chooseExportFolder(`${name}-pytorch`);
    if (!dir) return null;
    const r = await this.api.exportRecipe({ modelId, dir });
    return { where: r.dir, files: r.files };
  }

  onMenuAction(listener: (action: MenuAction) => void): () => void {
    return this.shell.onMenuAction(listener);
  }
}
