/**
 * Browser mode's host: the browser cannot hand over paths, so a picked file is uploaded to the
 * local server (which stores it and answers its path), a scored file and an export come back as
 * downloads. Picking uses a hidden <input type="file"> the host owns (one per kind, with a
 * stable data-testid), resolved on `change` and on `cancel`.
 */
import type { DatasetSource, QuantizationReport, TickworkApi } from '../../shared/contract.js';
import type { MenuAction } from '../../shared/shell.js';
import { acceptAttribute } from '../../shared/formats.js';
import type { ExportedModel, Host, Quantize, ScoredFile } from './host.js';

type PickKind = 'dataset' | 'model' | 'scoring';
const PICKERS: Record<PickKind, { accept: string; testid: string }> = {
  dataset: { accept: acceptAttribute(), testid: 'file-input' },
  model: { accept: '.zip', testid: 'model-file-input' },
  scoring: { accept: acceptAttribute(), testid: 'score-file-input' },
};

export class BrowserHost implements Host {
  readonly mode = 'browser' as const;

  constructor(readonly api: TickworkApi) {}

  /** Show the browser's file picker for a kind of file; the file, or null when cancelled. */
  #pick(kind: PickKind): Promise<File | null> {
    const { accept, testid } = PICKERS[kind];
    const input = document.createElement('input');
    input.type = 'file';
    input.accept = accept;
    input.hidden = true;
    input.dataset.testid = testid;
    document.body.append(input);
    return new Promise<File | null>((resolve) => {
      const done = (file: File | null) => {
        input.remove();
        resolve(file);
      };
      input.addEventListener('change', () => done(input.files?.[0] ?? null), { once: true });
      input.addEventListener('cancel', () => done(null), { once: true });
      input.click();
    });
  }

  async pickDataset(): Promise<DatasetSource | null> {
    const file = await this.#pick('dataset');
    return file ? this.droppedDataset(file) : null;
  }

  async droppedDataset(file: File): Promise<DatasetSource | null> {
    return { kind: 'file', path: await upload(file) };
  }

  async pickModel(): Promise<string | null> {
    const file = await this.#pick('model');
    return file ? upload(file) : null;
  }

  async scoreFile(modelId: string): Promise<ScoredFile | null> {
    const file = await this.#pick('scoring');
    if (!file) return null;
    const response = await fetch(`/api/models/${encodeURIComponent(modelId)}/score?name=${encodeURIComponent(file.name)}`, { method: 'POST', body: file });
    if (!response.ok) throw await failure(response);
    saveBlob(await response.blob(), file.name.replace(/\.[^.]*$/, '') + '-scored.csv');
    return {
      rows: Number(response.headers.get('x-tickwork-rows') ?? 0),
      output: null,
      warnings: JSON.parse(decodeURIComponent(response.headers.get('x-tickwork-warnings') ?? '[]')) as string[],
    };
  }

  async exportModel(modelId: string, quantize: Quantize, name: string): Promise<ExportedModel | null> {
    const response = await fetch(`/api/models/${encodeURIComponent(modelId)}/export.zip?quantize=${quantize}`);
    if (!response.ok) throw await failure(response);
    const fileName = `${name}.zip`;
    saveBlob(await response.blob(), fileName);
    const quantization = JSON.parse(decodeURIComponent(response.headers.get('x-tickwork-quantization') ?? 'null')) as QuantizationReport | null;
    return { where: `${fileName} (downloaded)`, quantization };
  }

  async exportRecipe(modelId: string, name: string): Promise<{ where: string; files: string[] } | null> {
    const response = await fetch(`/api/models/${encodeURIComponent(modelId)}/recipe.zip`);
    if (!response.ok) throw await failure(response);
    const fileName = `${name}-pytorch.zip`;
    saveBlob(await response.blob(), fileName);
    return { where: `${fileName} (downloaded)`, files: [] };
  }

  onMenuAction(_listener: (action: MenuAction) => void): () => void {
    return () => undefined;
  }
}

/** Send a picked file to the local server; returns the path it was stored at. */
async function upload(file: File): Promise<string> {
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
