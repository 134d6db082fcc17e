/**
 * The data worker: reads, types and profiles dataset files (DuckDB and models/data) on its own
 * thread and hands the Table back with its typed arrays transferred. See data-reader.ts.
 */
import { parentPort } from 'node:worker_threads';
import { TickworkError } from '../shared/errors.js';
import { closeEngine } from '../models/data/engine.js';
import type { LoadedFile } from '../models/data/read.js';
import { inProcessReader } from './data-reader.js';
import type { DataWorkerReply, HostToDataWorker } from './data-worker-protocol.js';

if (!parentPort) throw new Error('data-worker must run as a worker thread');
const port = parentPort;
const reads = new Map<number, AbortController>();

/** The buffers of the Table's typed arrays, each once: moved to the service, not copied. */
function buffersOf(loaded: LoadedFile): ArrayBuffer[] {
  const buffers = new Set<ArrayBuffer>();
  const add = (a: ArrayBufferView) => {
    if (a.buffer instanceof ArrayBuffer) buffers.add(a.buffer);
  };
  for (const column of loaded.table.columns) add(column.kind === 'number' ? column.values : column.codes);
  if (loaded.table.sample) add(loaded.table.sample.lines);
  return [...buffers];
}

const post = (reply: DataWorkerReply, transfer: ArrayBuffer[] = []) => port.postMessage(reply, transfer);

port.on('message', (message: HostToDataWorker) => {
  if (message.type === 'cancel') {
    reads.get(message.id)?.abort();
    return;
  }
  if (message.type === 'close') {
    for (const controller of reads.values()) controller.abort();
    void closeEngine().finally(() => process.exit(0));
    return;
  }
  const { id, source, datasetsDir, options } = message;
  const controller = new AbortController();
  reads.set(id, controller);
  inProcessReader
    .load(source, datasetsDir, { ...options, signal: controller.signal, onProgress: (progress) => post({ type: 'progress', id, progress }) })
    .then(
      (loaded) => post({ type: 'done', id, loaded }, buffersOf(loaded)),
      (err: unknown) =>
        post({
          type: 'failed',
          id,
          error: err instanceof TickworkError ? { tickwork: true, code: err.code, message: err.message } : { tickwork: false, code: 'internal', message: (err as Error)?.message ?? String(err) },
        }),
    )
    .finally(() => reads.delete(id));
});
