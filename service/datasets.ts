/**
 * The datasets owner: opens files and bundled datasets (one at a time, with progress and
 * cancel), profiles them, runs the data check, and serves preview rows. Each open dataset is
 * held as a DatasetEntry until the service ends.
 */
import { randomUUID } from 'node:crypto';
import { resolve } from 'node:path';
import type { DatasetSource, DatasetSummary, RequestParsedInput } from '../shared/contract.js';
import { TickworkError } from '../shared/errors.js';
import { findBundled, listBundled, loadBundled } from '../models/data/bundled.js';
import { DEFAULT_MAX_ROWS, readTableFile, type LoadedFile, type ReadOptions } from '../models/data/read.js';
import { detectTask, profileTable, toSummary, type ColumnProfile } from '../models/data/schema.js';
import { defaultIgnored, runDoctor } from '../models/data/doctor.js';
import { cell, columnIndex, lineOf } from '../models/data/table.js';
import type { EventBus } from './event-bus.js';

export interface DatasetEntry {
  id: string;
  loaded: LoadedFile;
  profiles: ColumnProfile[];
  summary: DatasetSummary;
}

const PREVIEW_ROWS = 50;

export class DatasetStore {
  readonly #entries = new Map<string, DatasetEntry>();
  /** The dataset file being read, if any: cancel() aborts it. */
  #opening: AbortController | null = null;

  constructor(
    private readonly datasetsDir: string,
    private readonly bus: EventBus,
  ) {}

  listBundled() {
    return listBundled();
  }

  /** Read a source into a table (bundled datasets from the app's folder). */
  load(source: DatasetSource, options: ReadOptions = {}): Promise<LoadedFile> {
    if (source.kind === 'bundled') return loadBundled(source.name, this.datasetsDir);
    return readTableFile(resolve(source.path), { sheet: source.sheet, ...options });
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
      this.#opening = null;
    }
    const entry = this.#describe(loaded, source, options?.maxRows ?? DEFAULT_MAX_ROWS);
    this.#entries.set(entry.id, entry);
    return entry.summary;
  }

  /** Profile a loaded table and run the data check for the suggested target. */
  #describe(loaded: LoadedFile, source: DatasetSource, maxRows: number): DatasetEntry {
    const { table } = loaded;
    const profiles = profileTable(table);
    const id = randomUUID();
    const suggestedTarget =
      (source.kind === 'bundled' ? findBundled(source.name)?.target : undefined) ?? table.columnNames[table.columnNames.length - 1];
    const targetProfile = profiles[columnIndex(table, suggestedTarget)];
    // Which columns a run leaves out by default does not depend on the target (the target is never an input).
    const leftOut = defaultIgnored(profiles, table.rowCount, '');
    const preview: (string | null)[][] = [];
    for (let r = 0; r < Math.min(PREVIEW_ROWS, table.rowCount); r++) preview.push(table.columns.map((col) => cell(col, r)));
    const summary: DatasetSummary = {
      id,
      name: table.name,
      source: table.source,
      sha256: loaded.sha256,
      rows: table.rowCount,
      delimiter: table.delimiter,
      columns: profiles.map((p) => toSummary(p, leftOut.get(p.name) ?? null)),
      preview,
      sample: table.sample ? { totalRows: table.sample.totalRows, maxRows } : null,
      suggestedTarget,
      suggestedTask: targetProfile ? detectTask(targetProfile) : null,
      findings: runDoctor(table, profiles, { target: suggestedTarget }),
    };
    return { id, loaded, profiles, summary };
  }

  /** Cancel the dataset being read; false when none is. */
  cancel(): { cancelled: boolean } {
    const controller = this.#opening;
    controller?.abort();
    return { cancelled: controller !== null };
  }

  get(datasetId: string): DatasetEntry {
    const entry = this.#entries.get(datasetId);
    if (!entry) throw new TickworkError('not_found', `No open dataset with id ${datasetId}. Open the dataset again.`);
    return entry;
  }

  rows({ datasetId, offset, limit }: RequestParsedInput<'dataset:rows'>) {
    const { table } = this.get(datasetId).loaded;
    const end = Math.min(table.rowCount, offset + limit);
    const rows: (string | null)[][] = [];
    const lines: number[] = [];
    for (let r = offset; r < end; r++) {
      rows.push(table.columns.map((col) => cell(col, r)));
      lines.push(lineOf(table, r));
    }
    return { offset, rows, lines };
  }

  check({ datasetId, target, features }: RequestParsedInput<'dataset:check'>) {
    const entry = this.get(datasetId);
    return runDoctor(entry.loaded.table, entry.profiles, { target: target ?? null, features });
  }
}
