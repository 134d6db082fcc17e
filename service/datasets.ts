/**
 * The datasets owner: opens files and bundled datasets (one at a time, with progress and
 * cancel), profiles them, runs the data check, and serves preview rows. Each open dataset is
 * held as a DatasetEntry; the workspace records every dataset opened (the same file keeps its
 * id), says when a file changed since, and keeps the user's column choices for it.
 */
import { stat } from 'node:fs/promises';
import { basename, resolve } from 'node:path';
import type { DatasetSource, DatasetSummary, KnownDataset, RequestParsedInput } from '../shared/contract.js';
import { TickworkError } from '../shared/errors.js';
import { findBundled, listBundled } from '../models/data/bundled.js';
import { DEFAULT_MAX_ROWS, type LoadedFile, type ReadOptions } from '../models/data/read.js';
import { inProcessReader, type DataReader } from './data-reader.js';
import { detectTask, profileTable, toSummary, type ColumnProfile } from '../models/data/schema.js';
import { defaultIgnored, runDoctor } from '../models/data/doctor.js';
import { cell, columnIndex, lineOf } from '../models/data/table.js';
import { boundedSummary, clipRow } from './bounded-cells.js';
import type { EventBus } from './event-bus.js';
import type { Workspace } from './workspace/workspace.js';

export interface DatasetEntry {
  id: string;
  loaded: LoadedFile;
  profiles: ColumnProfile[];
  summary: DatasetSummary;
  /** The cells read as missing when it was opened (absent: the defaults); a run's split.json records them. */
  missingTokens?: readonly string[];
}

const inspectedOnly = (name: string) =>
  `${name} was opened for inspection only (tickwork inspect), which keeps no rows to train on. Open it again to train or preview it.`;

const PREVIEW_ROWS = 50;

export class DatasetStore {
  readonly #entries = new Map<string, DatasetEntry>();
  /** Datasets opened only to be inspected: their summary and data check, nothing that trains. */
  readonly #inspected = new Map<string, DatasetEntry>();
  /** The dataset file being read, if any: cancel() aborts it. */
  #opening: AbortController | null = null;

  constructor(
    private readonly datasetsDir: string,
    private readonly bus: EventBus,
    private readonly workspace: Workspace,
    private readonly reader: DataReader = inProcessReader,
  ) {}

  listBundled() {
    return listBundled();
  }

  /** Read a source into a table (bundled datasets from the app's folder), in the data worker when there is one. */
  load(source: DatasetSource, options: ReadOptions = {}): Promise<LoadedFile> {
    return this.reader.load(source.kind === 'file' ? { ...source, path: resolve(source.path) } : source, this.datasetsDir, options);
  }

  /** Stop the data worker (the service is closing). */
  close(): Promise<void> {
    return this.reader.close();
  }

  async open({ source, options }: RequestParsedInput<'dataset:open'>): Promise<DatasetSummary> {
    if (this.#opening) throw new TickworkError('busy', 'Another dataset is being read. Wait for it, or cancel it, first.');
    const controller = new AbortController();
    this.#opening = controller;
    const file = source.kind === 'file' ? resolve(source.path) : source.name;
    let lastEmit = 0;
    let loaded: LoadedFile;
    try {
      loaded = await this.load(source, {
        ...options,
        signal: controller.signal,
        onProgress: (p) => {
          const now = Date.now();
          if (now - lastEmit < 100 && p.bytes < p.totalBytes) return; // at most ~10 events/s
          lastEmit = now;
          this.bus.emit('dataset:progress', { file, ...p });
        },
      });
    } finally {
      if (this.#opening === controller) this.#opening = null;
    }
    // Cancelled while a read that could not be interrupted went on: its late result is dropped.
    if (controller.signal.aborted) throw new TickworkError('cancelled', `Reading ${basename(file)} was cancelled; nothing was loaded.`);
    const info = source.kind === 'file' ? await stat(resolve(source.path)).catch(() => null) : null;
    const inspect = options?.purpose === 'inspect';
    const entry = this.#describe(loaded, source, options?.maxRows ?? DEFAULT_MAX_ROWS, info, inspect);
    (inspect ? this.#inspected : this.#entries).set(entry.id, { ...entry, missingTokens: options?.missingTokens });
    return entry.summary;
  }

  /** Profile a loaded table, run the data check for the suggested target, and record it in the workspace. */
  #describe(loaded: LoadedFile, source: DatasetSource, maxRows: number, file: { size: number; mtimeMs: number } | null, inspect = false): DatasetEntry {
    const { table } = loaded;
    // Inspected: every row is counted (the Table holds only the data check's rows), and there is no training sample.
    const rows = inspect ? (table.stats?.rows ?? table.rowCount) : table.rowCount;
    const profiles = profileTable(table);
    const stored: DatasetSource = source.kind === 'file' ? { ...source, path: resolve(source.path) } : source;
    const columns = profiles.map((p) => ({ name: p.name, type: p.type }));
    const { id, changed, choices } = this.workspace.openedDataset(
      { source: stored, name: table.name, size: file?.size ?? null, mtimeMs: file?.mtimeMs ?? null, sha256: loaded.sha256, rows },
      columns,
    );
    const suggestedTarget =
      (source.kind === 'bundled' ? findBundled(source.name)?.target : undefined) ?? table.columnNames[table.columnNames.length - 1];
    const targetProfile = profiles[columnIndex(table, suggestedTarget)];
    // Which columns a run leaves out by default does not depend on the target (the target is never an input).
    const leftOut = defaultIgnored(profiles, rows, '');
    const preview: (string | null)[][] = [];
    for (let r = 0; r < Math.min(PREVIEW_ROWS, table.rowCount); r++) preview.push(clipRow(table.columns.map((col) => cell(col, r))));
    const summary: DatasetSummary = {
      id,
      name: table.name,
      source: table.source,
      sha256: loaded.sha256,
      rows,
      delimiter: table.delimiter,
      columns: profiles.map((p) => toSummary(p, leftOut.get(p.name) ?? null)),
      preview,
      sample: table.sample && !inspect ? { totalRows: table.sample.totalRows, maxRows } : null,
      suggestedTarget,
      suggestedTask: targetProfile ? detectTask(targetProfile) : null,
      findings: runDoctor(table, profiles, { target: suggestedTarget }),
      changed,
      choices,
    };
    return { id, loaded, profiles, summary: boundedSummary(summary) };
  }

  /** Datasets the workspace has opened, most recent first. */
  recent(): KnownDataset[] {
    return this.workspace.recentDatasets();
  }

  /** Open a known dataset again from where it was; a file that moved or was deleted is named with what to do. */
  async reopen({ datasetId }: RequestParsedInput<'dataset:reopen'>): Promise<DatasetSummary> {
    const known = this.workspace.dataset(datasetId);
    if (!known) throw new TickworkError('not_found', `The workspace has no dataset with id ${datasetId}. Open the file again.`);
    if (known.source.kind === 'file') {
      const info = await stat(known.source.path).catch(() => null);
      if (!info) {
        throw new TickworkError(
          'not_found',
          `${known.name} is no longer at ${known.source.path} (moved or deleted since ${known.lastOpenedAt.slice(0, 10)}). Open it from where it is now; its runs stay in the workspace.`,
        );
      }
    }
    return this.open({ source: known.source });
  }

  /** Remember the column choices for a dataset. */
  choose({ datasetId, choices }: RequestParsedInput<'dataset:choose'>): { ok: true } {
    if (!this.#entries.has(datasetId) && !this.workspace.dataset(datasetId)) {
      throw new TickworkError('not_found', `No dataset with id ${datasetId}. Open the dataset again.`);
    }
    this.workspace.saveChoices(datasetId, choices);
    const entry = this.#entries.get(datasetId);
    if (entry) entry.summary = { ...entry.summary, choices };
    return { ok: true };
  }

  /** Cancel the dataset being read; false when none is. */
  cancel(): { cancelled: boolean } {
    const controller = this.#opening;
    controller?.abort();
    // Free the slot now, even if the read does not notice the abort, so the next open is not "busy".
    this.#opening = null;
    return { cancelled: controller !== null };
  }

  /** An open dataset, or null. */
  find(datasetId: string): DatasetEntry | null {
    return this.#entries.get(datasetId) ?? null;
  }

  get(datasetId: string): DatasetEntry {
    const entry = this.#entries.get(datasetId);
    const inspected = entry ? null : this.#inspected.get(datasetId);
    if (inspected) throw new TickworkError('bad_data', inspectedOnly(inspected.summary.name));
    if (!entry) throw new TickworkError('not_found', `No open dataset with id ${datasetId}. Open the dataset again.`);
    return entry;
  }

  rows({ datasetId, offset, limit }: RequestParsedInput<'dataset:rows'>) {
    const { table } = this.get(datasetId).loaded;
    const end = Math.min(table.rowCount, offset + limit);
    const rows: (string | null)[][] = [];
    const lines: number[] = [];
    for (let r = offset; r < end; r++) {
      rows.push(clipRow(table.columns.map((col) => cell(col, r))));
      lines.push(lineOf(table, r));
    }
    return { offset, rows, lines };
  }

  check({ datasetId, target, features }: RequestParsedInput<'dataset:check'>) {
    const entry = this.#entries.get(datasetId) ?? this.#inspected.get(datasetId) ?? this.get(datasetId);
    return runDoctor(entry.loaded.table, entry.profiles, { target: target ?? null, features });
  }
}
