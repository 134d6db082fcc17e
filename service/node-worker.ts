/**
 * Launches the training worker as a Node worker thread (CLI, browser mode, tests).
 */
import { Worker } from 'node:worker_threads';
import type { WorkerEndpoint, WorkerLauncher, HostToWorker, WorkerToHost } from './worker-protocol.js';

function transferables(message: HostToWorker): ArrayBuffer[] {
  // Feature matrices are copied once per run; transferring would detach the service's copies.
  void message;
  return [];
}

export function nodeWorkerLauncher(script: string): WorkerLauncher {
  return (): WorkerEndpoint => {
    const worker = new Worker(script);
    let exited = false;
    let stderrTail = '';
    worker.on('error', (err) => {
      stderrTail = err instanceof Error ? err.message : String(err);
    });
    return {
      post: (message) => worker.postMessage(message, transferables(message)),
      onMessage: (listener) => worker.on('message', (m: WorkerToHost) => listener(m)),
      onExit: (listener) =>
        worker.on('exit', (code) => {
          exited = true;
          listener({ code, reason: stderrTail || `exit code ${code}` });
        }),
      terminate: async () => {
        if (!exited) await worker.terminate();
      },
    };
  };
}
