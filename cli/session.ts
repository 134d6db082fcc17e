/** The service behind every command, and opening a dataset with a progress line. */
import { basename } from 'node:path';
import type { DatasetSource, DatasetSummary, TickworkApi } from '../shared/contract.js';
import { BACKEND_PREFERENCES } from '../shared/run-config.js';
import { backendPreferenceFromEnv } from '../models/backend-preference.js';
import { inMemoryApi } from '../service/in-memory-transport.js';
import { createNodeService } from '../service/runtime.js';
import type { WorkbenchService } from '../service/workbench-service.js';
import { workspaceDir } from '../service/workspace/location.js';
import { Workspace } from '../service/workspace/workspace.js';
import { numberFlag, oneOf, type Flags } from './flags.js';

/** The workspace a command uses: --no-workspace keeps nothing; else --workspace DIR, $TICKWORK_WORKSPACE or the per-user data folder. */
export function openWorkspace(values: Flags): Workspace {
  if (values['no-workspace'] === true) return Workspace.inMemory();
  return Workspace.open(workspaceDir({ flag: values.workspace as string | undefined }));
}

/** Run a command against a service on the command's workspace, then shut both down. */
export async function withService<T>(values: Flags, fn: (api: TickworkApi, service: WorkbenchService) => Promise<T>): Promise<T> {
  const backend = oneOf('backend', values.backend as string | undefined, BACKEND_PREFERENCES);
  const workspace = openWorkspace(values);
  if (workspace.info.note) process.stderr.write(`note: ${workspace.info.note}\n`);
  // One-shot commands serve no requests while a file is read: it is read on this thread (no worker to start).
  const service = createNodeService({ backend: backendPreferenceFromEnv(backend), workspace, readData: 'here' });
  try {
    return await fn(inMemoryApi(service), service);
  } finally {
    await service.dispose();
  }
}

/**
 * Open a dataset with a progress line on stderr (a bar on a terminal, a line per quarter
 * otherwise); Ctrl-C while reading cancels it.
 */
export async function openWithProgress(api: TickworkApi, source: DatasetSource, values: Flags, purpose: 'train' | 'inspect' = 'train'): Promise<DatasetSummary> {
  const get = (k: string) => values[k] as string | undefined;
  const tty = process.stderr.isTTY === true;
  let lastQuarter = 0;
  let shown = false;
  let checking = false;
  const off = api.onDatasetProgress((p) => {
    if (p.totalBytes < 8 * 2 ** 20) return; // small files: no bar
    if (p.stage === 'checking') {
      // Read: said once, then the statistics and the data check are computed.
      if (checking) return;
      checking = true;
      process.stderr.write(`${tty && shown ? '\r\x1b[K' : ''}read ${basename(p.file)}: ${p.rows.toLocaleString('en-US')} rows; computing the statistics and the data check…${tty ? '' : '\n'}`);
      lastQuarter = 4;
      shown = true;
      return;
    }
    const share = p.totalBytes > 0 ? p.bytes / p.totalBytes : 0;
    const mb = (n: number) => `${(n / 2 ** 20).toFixed(0)} MB`;
    const text = `reading ${basename(p.file)}: ${(100 * share).toFixed(0)}% (${mb(p.bytes)} of ${mb(p.totalBytes)}, about ${p.rows.toLocaleString('en-US')} rows)`;
    if (tty) {
      const width = 24;
      const filled = Math.round(share * width);
      process.stderr.write(`\r[${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${text}`);
      shown = true;
    } else if (Math.floor(share * 4) > lastQuarter) {
      lastQuarter = Math.floor(share * 4);
      process.stderr.write(`${text}\n`);
    }
  });
  const cancel = () => void api.cancelOpenDataset({});
  process.once('SIGINT', cancel);
  try {
    const maxRows = numberFlag('max-rows', get('max-rows'), true);
    const missing = get('missing');
    const sql = get('sql');
    const options = {
      ...(maxRows !== undefined ? { maxRows } : {}),
      ...(missing !== undefined ? { missingTokens: missing.split(',') } : {}),
      ...(sql !== undefined ? { query: sql } : {}),
      ...(purpose === 'inspect' ? { purpose } : {}),
    };
    const summary = await api.openDataset({ source, ...(Object.keys(options).length > 0 ? { options } : {}) });
    if (summary.sample) {
      process.stderr.write(
        `${tty && shown ? '\n' : ''}${summary.name} has ${summary.sample.totalRows.toLocaleString('en-US')} rows; statistics and the data check cover all of them, ` +
          `training uses a random sample of ${summary.rows.toLocaleString('en-US')} (--max-rows).\n`,
      );
    } else if (tty && shown) process.stderr.write('\n');
    return summary;
  } finally {
    process.removeListener('SIGINT', cancel);
    off();
  }
}

/**
 * Ctrl-C and SIGTERM both ask to stop (a run then ends `stopped`, keeping its model); a second
 * signal quits at once. Returns the function that removes the handlers.
 */
export function onStopSignals(stop: () => void): () => void {
  const first = () => {
    stop();
    for (const signal of ['SIGINT', 'SIGTERM'] as const) {
      process.off(signal, first);
      process.once(signal, () => process.exit(130));
    }
  };
  process.once('SIGINT', first);
  process.once('SIGTERM', first);
  return () => {
    process.off('SIGINT', first);
    process.off('SIGTERM', first);
  };
}
