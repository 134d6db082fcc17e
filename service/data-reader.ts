/**
 * Who reads dataset files for the service: the data worker (a worker thread running DuckDB and
 * the rest of models/data), so that the thread answering requests is never held by a parse, a
 * profile or the copy of a million rows into typed arrays; or, for the CLI's one-shot commands
 * that serve no requests, this thread (no worker to start).
 *
 * A read goes out as one message and comes back as progress messages and one result: the Table's
 * typed arrays are transferred (moved, not copied), a TickworkError comes back as itself, and
 * cancelling sends a message that aborts the read in the worker. A worker that dies fails the
 * reads it had with a message that says so; the next read starts a new one.
 */
import { Worker } from 'node:worker_threads';
import type { DatasetSource } from '../shared/contract.js';
import { TickworkError } from '../shared/errors.js';
import { loadBundled } from '../models/data/bundled.js';
import { readTableFile, type LoadedFile, type ReadOptions } from '../models/data/read.js';
import type { DataReadRequest, DataWorkerReply } from './data-worker-protocol.js';

export interface DataReader {
  load(source: DatasetSource, datasetsDir: string, options: ReadOptions): Promise<LoadedFile>;
  /** Stop the worker, if any (the service is closing). */
  close(): Promise<void>;
}

/** Reads on the calling thread. */
export const inProcessReader: DataReader = {
  load: (source, datasetsDir, options) =>
    source.kind === 'bundled' ? loadBundled(source.name, datasetsDir, options) : readTableFile(source.path, { sheet: source.sheet, ...options }),
  close: async () => undefined,
};

interface Pending {
  resolve(loaded: LoadedFile): void;
  reject(err: unknown): void;
  onProgress?: ReadOptions['onProgress'];
}

/** Reads in a worker thread running `script` (dist/…/data-worker.cjs), started on the first read. */
export function workerReader(script: string): DataReader {
  let worker: Worker | null = null;
  let next = 0;
  const pending = new Map<number, Pending>();

  const failAll = (reason: string) => {
    for (const [id, p] of pending) {
      pending.delete(id);
      p.reject(new TickworkError('internal', `The data worker stopped while reading (${reason}); nothing was loaded. Open the file again.`));
    }
  };

  const start = (): Worker => {
    const w = new Worker(script);
    w.unref(); // an idle worker does not keep the process alive
    w.on('message', (reply: DataWorkerReply) => {
      const p = pending.get(reply.id);
      if (!p) return;
      if (reply.type === 'progress') {
        p.onProgress?.(reply.progress);
        return;
      }
      pending.delete(reply.id);
      if (reply.type === 'done') p.resolve(reply.loaded);
      else p.reject(reply.error.tickwork ? new TickworkError(reply.error.code, reply.error.message) : new Error(reply.error.message));
    });
    w.on('error', (err) => failAll(err instanceof Error ? err.message : String(err)));
    w.on('exit', (code) => {
      if (worker === w) worker = null;
      failAll(`exit code ${code}`);
    });
    return w;
  };

  return {
    load(source, datasetsDir, options) {
      const { signal, onProgress, ...rest } = options;
      if (signal?.aborted) return Promise.reject(new TickworkError('cancelled', 'Reading was cancelled; nothing was loaded.'));
      worker ??= start();
      // Working: the process stays up for the answer; idle again once it has come.
      worker.ref();
      const w = worker;
      const id = ++next;
      const request: DataReadRequest = { type: 'read', id, source, datasetsDir, options: rest };
      return new Promise<LoadedFile>((resolve, reject) => {
        const abort = () => w.postMessage({ type: 'cancel', id });
        signal?.addEventListener('abort', abort, { once: true });
        const settle = () => {
          signal?.removeEventListener('abort', abort);
          if (pending.size === 0) w.unref();
        };
        pending.set(id, {
          resolve: (loaded) => {
            settle();
            resolve(loaded);
          },
          reject: (err) => {
            settle();
            reject(err);
          },
          onProgress,
        });
        w.postMessage(request);
      });
    },
    async close() {
      const w = worker;
      worker = null;
      if (!w) return;
      // Asked to close first (it closes DuckDB and removes its spill folder); terminated if it does not within 2 s.
      const exited = new Promise<void>((resolve) => w.once('exit', () => resolve()));
      w.postMessage({ type: 'close' });
      const timer = setTimeout(() => void w.terminate(), 2000);
      await exited;
      clearTimeout(timer);
    },
  };
}
