/**
 * Launches the training worker as an Electron utility process: compute never runs in the main
 * process, and a native abort in TensorFlow kills only the worker (reported as a failed run).
 */
import { utilityProcess } from 'electron';
import type { WorkerEndpoint, WorkerLauncher, WorkerToHost } from '../service/worker-protocol.js';

export function utilityWorkerLauncher(script: string): WorkerLauncher {
  return (): WorkerEndpoint => {
    const child = utilityProcess.fork(script, [], { serviceName: 'Tickwork training worker', stdio: 'pipe' });
    let stderrTail = '';
    child.stderr?.on('data', (chunk: Buffer) => {
      stderrTail = (stderrTail + chunk.toString()).slice(-2000);
      process.stderr.write(chunk);
    });
    let exited = false;
    return {
      post: (message) => child.postMessage(message),
      onMessage: (listener) => child.on('message', (message: WorkerToHost) => listener(message)),
      onExit: (listener) =>
        child.on('exit', (code) => {
          exited = true;
          const lastLine = stderrTail.trim().split('\n').pop();
          listener({ code, reason: lastLine ? `exit code ${code}: ${lastLine}` : `exit code ${code}` });
        }),
      terminate: async () => {
        if (exited) return;
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, 2000);
          child.once('exit', () => {
            clearTimeout(timer);
            resolve();
          });
          child.kill();
        });
      },
    };
  };
}
