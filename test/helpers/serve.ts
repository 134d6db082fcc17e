/**
 * Starts `tickwork serve --port 0` as a child process (the real CLI, service and worker) and
 * returns the URL it prints.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));

export interface Served {
  url: string;
  origin: string;
  token: string;
  process: ChildProcess;
  output: () => string;
  stop(): Promise<void>;
}

/** Start `tickwork serve`; each server gets a workspace of its own unless `env` names one (TICKWORK_WORKSPACE). */
export function serve(extraArgs: string[] = [], env: NodeJS.ProcessEnv = {}, options: { cwd?: string } = {}): Promise<Served> {
  const workspace = mkdtempSync(join(tmpdir(), 'tickwork-e2e-workspace-'));
  const child = spawn(process.execPath, [join(ROOT, 'bin/tickwork.js'), 'serve', '--port', '0', ...extraArgs], {
    // The folder relative paths resolve against (the repository unless a test gives its own).
    cwd: options.cwd ?? ROOT,
    env: { ...process.env, TICKWORK_WORKSPACE: workspace, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`tickwork serve did not print a URL in 30 s:\n${output}`)), 30_000);
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      const match = /(http:\/\/\S+\?token=(\w+))/.exec(output);
      if (match) {
        clearTimeout(timer);
        const url = match[1];
        resolve({
          url,
          origin: new URL(url).origin,
          token: match[2],
          process: child,
          output: () => output,
          stop: () =>
            new Promise<void>((done) => {
              if (child.exitCode !== null) return done();
              child.once('exit', () => done());
              child.kill('SIGTERM');
            }),
        });
      }
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`tickwork serve exited with ${code}:\n${output}`));
    });
  });
}
