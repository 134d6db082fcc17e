/**
 * Starts `tickwork serve-model` as a child process (the real CLI, supervisor and workers) and
 * returns the URL and token it prints.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));

export interface ServedModel {
  url: string;
  /** The printed token ('' when it came from --token-file). */
  token: string;
  process: ChildProcess;
  output: () => string;
  /** Resolves with the exit code once the process has exited. */
  exited: Promise<number | null>;
  stop(): Promise<number | null>;
}

export function serveModel(args: string[], env: NodeJS.ProcessEnv = {}): Promise<ServedModel> {
  const child = spawn(process.execPath, ['bin/tickwork.js', 'serve-model', '--port', '0', ...args], {
    cwd: ROOT,
    env: { ...process.env, TICKWORK_BACKEND: 'wasm', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`serve-model did not start in 60 s:\n${output}`)), 60_000);
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      const url = /^url: (\S+)$/m.exec(output);
      const token = /^token: (\S+)$/m.exec(output);
      if (url && /^try: /m.test(output)) {
        clearTimeout(timer);
        resolve({
          url: url[1],
          token: token?.[1] ?? '',
          process: child,
          output: () => output,
          exited,
          stop: () => {
            if (child.exitCode === null) child.kill('SIGTERM');
            return exited;
          },
        });
      }
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`serve-model exited with ${code}:\n${output}`));
    });
  });
}
