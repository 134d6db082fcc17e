/**
 * Launches the training worker as a Node worker thread (CLI, browser mode, tests).
 */
import { Worker } from 'node:worker_threads';
import type { WorkerEndpoint, WorkerLauncher, WorkerToHost } from './worker-protocol.js';

export function nodeWorkerLauncher(script: string): WorkerLauncher {
  return (): WorkerEndpoint => {
    const worker = new Worker(script);
    let exited = false;
    let stderrTail = '';
    worker.on('error', (err) => {
      stderrTail = err instanceof Error ? err.message : String(err);
    });
    return {
      // Messages are copied, not transferred: the service keeps its feature matrices (the model
      // registry needs the test split to measure quantization).
      post: (message) => worker.postMessage(message),
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
