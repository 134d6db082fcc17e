/**
 * The workspace: a folder with `workspace.db` (datasets and their choices, runs with everything
 * they recorded, models, LR sweeps, the app's saved state) and `models/<id>/` (an export folder
 * per model). Several processes may use one workspace at once (WAL, a busy timeout).
 */
import { randomUUID } from 'node:crypto';
import { mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import type { DatasetChoices, DatasetSource, KnownDataset, ModelInfo, WorkspaceInfo } from '../../shared/contract.js';
import { openMemoryDatabase, openWorkspaceDatabase, type Db, type OpenedDatabase } from './database.js';
import { RunStore } from './run-store.js';
import { makeTempDirSync, removeTempDirSync } from '../temp-dirs.js';

/** A dataset as the workspace last saw it. */
export interface DatasetFile {
  source: DatasetSource;
  name: string;
  size: number | null;
  mtimeMs: number | null;
  sha256: string;
  rows: number;
}

export interface StoredModel {
  id: string;
  runId: string | null;
  kind: 'run' | 'checkpoint' | 'loaded' | 'imported';
  dir: string;
  info: ModelInfo;
}

function sourceKey(source: DatasetSource): { kind: string; source: string; sheet: string } {
  return source.kind === 'bundled' ? { kind: 'bundled', source: source.name, sheet: '' } : { kind: 'file', source: source.path, sheet: source.sheet ?? '' };
}

const mb = (bytes: number) => `${(bytes / 2 ** 20).toFixed(bytes < 2 ** 20 ? 2 : 1)} MB`;

export class Workspace {
  readonly runs: RunStore;
  readonly #db: Db;
  readonly #opened: OpenedDatabase;
  /** Models of an in-memory workspace go to a temporary folder, removed on close. */
  readonly #scratch: string | null;

  private constructor(opened: OpenedDatabase) {
    this.#opened = opened;
    this.#db = opened.db;
    this.runs = new RunStore(this.#db, opened.readOnly);
    this.#scratch = opened.dir === null || opened.readOnly ? makeTempDirSync('models') : null;
  }

  /** Open the workspace folder (created if needed); `readOnly`: read it, record nothing. */
  static open(dir: string, options: { readOnly?: boolean } = {}): Workspace {
    return new Workspace(openWorkspaceDatabase(dir, options));
  }

  /** A workspace that keeps nothing (--no-workspace). */
  static inMemory(): Workspace {
    return new Workspace(openMemoryDatabase());
  }

  get info(): WorkspaceInfo {
    return { dir: this.#opened.dir, readOnly: this.#opened.readOnly, note: this.#opened.note };
  }

  /** True when runs and models can be recorded in it (false: read-only). */
  get recording(): boolean {
    return !this.#opened.readOnly;
  }

  /** Where a model's export folder goes. */
  modelDir(modelId: string): string {
    const root = this.#scratch ?? join(this.#opened.dir!, 'models');
    mkdirSync(root, { recursive: true });
    return join(root, modelId);
  }

  // ------------------------------------------------------------ datasets

  /**
   * Record that a dataset was opened: its id (the same for the same file), what changed since the
   * workspace last saw it (in words, or null), and the choices made for it then.
   */
  openedDataset(file: DatasetFile, columns: unknown): { id: string; changed: string | null; choices: DatasetChoices | null } {
    const key = sourceKey(file.source);
    const now = new Date().toISOString();
    return this.#db.transaction(() => {
      const known = this.#db.prepare('SELECT id, size, mtime_ms, sha256, rows, choices_json, last_opened_at FROM datasets WHERE source_kind = ? AND source = ? AND sheet = ?').get(key.kind, key.source, key.sheet) as
        | { id: string; size: number | null; mtime_ms: number | null; sha256: string | null; rows: number | null; choices_json: string | null; last_opened_at: string }
        | undefined;
      const id = known?.id ?? randomUUID();
      let changed: string | null = null;
      if (known && known.sha256 && known.sha256 !== file.sha256) {
        const parts = [`${file.name} has changed since it was last opened (${known.last_opened_at.slice(0, 16).replace('T', ' ')})`];
        if (known.size !== null && file.size !== null && known.size !== file.size) parts.push(`size ${mb(known.size)} → ${mb(file.size)}`);
        if (known.rows !== null && known.rows !== file.rows) parts.push(`rows ${known.rows.toLocaleString('en-US')} → ${file.rows.toLocaleString('en-US')}`);
        changed = `${parts.join('; ')}. Runs trained before were trained on the earlier contents.`;
      }
      if (this.recording) this.#db
        .prepare(
          `INSERT INTO datasets (id, name, source_kind, source, sheet, size, mtime_ms, sha256, rows, columns_json, first_opened_at, last_opened_at)
           VALUES (@id, @name, @kind, @source, @sheet, @size, @mtime, @sha, @rows, @columns, @now, @now)
           ON CONFLICT (id) DO UPDATE SET name = @name, size = @size, mtime_ms = @mtime, sha256 = @sha, rows = @rows, columns_json = @columns, last_opened_at = @now`,
        )
        .run({ id, name: file.name, ...key, size: file.size, mtime: file.mtimeMs, sha: file.sha256, rows: file.rows, columns: JSON.stringify(columns), now });
      return { id, changed, choices: known?.choices_json ? (JSON.parse(known.choices_json) as DatasetChoices) : null };
    })();
  }

  /** A dataset the workspace knows: where it was, and its fingerprint then. */
  dataset(datasetId: string): (KnownDataset & { sha256: string | null }) | null {
    const r = this.#db.prepare('SELECT id, name, source_kind, source, sheet, rows, sha256, last_opened_at FROM datasets WHERE id = ?').get(datasetId) as
      | { id: string; name: string; source_kind: string; source: string; sheet: string; rows: number | null; sha256: string | null; last_opened_at: string }
      | undefined;
    if (!r) return null;
    const source: DatasetSource = r.source_kind === 'bundled' ? { kind: 'bundled', name: r.source } : { kind: 'file', path: r.source, ...(r.sheet ? { sheet: r.sheet } : {}) };
    return { id: r.id, name: r.name, source, rows: r.rows, lastOpenedAt: r.last_opened_at, sha256: r.sha256 };
  }

  /** The dataset last opened with these bytes, if any (a run imported from elsewhere finds its data). */
  datasetWithSha(sha256: string): string | null {
    const r = this.#db.prepare('SELECT id FROM datasets WHERE sha256 = ? ORDER BY last_opened_at DESC LIMIT 1').get(sha256) as { id: string } | undefined;
    return r?.id ?? null;
  }

  recentDatasets(limit = 30): KnownDataset[] {
    const ids = this.#db.prepare('SELECT id FROM datasets ORDER BY last_opened_at DESC LIMIT ?').all(limit) as { id: string }[];
    return ids.map(({ id }) => {
      const { sha256: _sha, ...known } = this.dataset(id)!;
      return known;
    });
  }

  saveChoices(datasetId: string, choices: DatasetChoices): boolean {
    if (!this.recording) return false;
    return this.#db.prepare('UPDATE datasets SET choices_json = ? WHERE id = ?').run(JSON.stringify(choices), datasetId).changes > 0;
  }

  // ------------------------------------------------------------ models

  addModel(model: StoredModel): void {
    if (!this.recording) return;
    this.#db
      .prepare('INSERT OR REPLACE INTO models (id, run_id, kind, dir, source, info_json, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)')
      .run(model.id, model.runId, model.kind, model.dir, model.info.source, JSON.stringify(model.info), new Date().toISOString());
  }

  model(modelId: string): StoredModel | null {
    const r = this.#db.prepare('SELECT id, run_id, kind, dir, info_json FROM models WHERE id = ?').get(modelId) as
      | { id: string; run_id: string | null; kind: StoredModel['kind']; dir: string; info_json: string }
      | undefined;
    return r ? { id: r.id, runId: r.run_id, kind: r.kind, dir: r.dir, info: JSON.parse(r.info_json) } : null;
  }

  /** Forget a model and delete its folder (only folders inside the workspace). */
  deleteModel(modelId: string): void {
    if (!this.recording) return;
    const model = this.model(modelId);
    this.#db.prepare('DELETE FROM models WHERE id = ?').run(modelId);
    if (model && model.dir.startsWith(this.modelDir('') /* <root>/ */)) rmSync(model.dir, { recursive: true, force: true });
  }

  // ------------------------------------------------------------ sweeps and state

  addSweep(datasetId: string | null, config: unknown, result: unknown): string {
    if (!this.recording) return '';
    const id = randomUUID();
    this.#db.prepare('INSERT INTO sweeps (id, dataset_id, config_json, result_json, created_at) VALUES (?, ?, ?, ?, ?)').run(id, datasetId, JSON.stringify(config), JSON.stringify(result), new Date().toISOString());
    return id;
  }

  sweeps(datasetId: string): { id: string; config: unknown; result: unknown; createdAt: string }[] {
    return (this.#db.prepare('SELECT id, config_json, result_json, created_at FROM sweeps WHERE dataset_id = ? ORDER BY created_at DESC').all(datasetId) as {
      id: string;
      config_json: string;
      result_json: string;
      created_at: string;
    }[]).map((s) => ({ id: s.id, config: JSON.parse(s.config_json), result: JSON.parse(s.result_json), createdAt: s.created_at }));
  }

  state(key: string): unknown {
    const r = this.#db.prepare('SELECT value_json FROM app_state WHERE key = ?').get(key) as { value_json: string } | undefined;
    return r ? JSON.parse(r.value_json) : null;
  }

  saveState(key: string, value: unknown): void {
    if (!this.recording) return;
    this.#db.prepare('INSERT OR REPLACE INTO app_state (key, value_json, updated_at) VALUES (?, ?, ?)').run(key, JSON.stringify(value ?? null), new Date().toISOString());
  }

  close(): void {
    this.#db.close();
    if (this.#scratch) removeTempDirSync(this.#scratch);
  }
}
