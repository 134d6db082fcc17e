/** `tickwork serve`: browser mode on the workspace; `--print-url` prints the URL of the one running. */
import { backendPreferenceFromEnv } from '../../models/backend-preference.js';
import { createNodeService } from '../../service/runtime.js';
import { startServer } from '../../service/http-server.js';
import { browserToken, removeServerFile, runningServer, writeServerFile } from '../../service/workspace/browser-token.js';
import { workspaceDir } from '../../service/workspace/location.js';
import { BACKEND_PREFERENCES } from '../../shared/run-config.js';
import { numberFlag, oneOf, type Flags } from '../flags.js';
import { openWorkspace } from '../session.js';
import { WritePolicy } from '../../service/write-policy.js';
import { delimiter } from 'node:path';

const LOOPBACK = new Set(['127.0.0.1', 'localhost', '::1']);

/** Returns true when a server was started (and keeps running). */
export async function cmdServe(values: Flags): Promise<boolean> {
  if (values['print-url'] === true) {
    const dir = workspaceDir({ flag: values.workspace as string | undefined });
    const server = runningServer(dir);
    if (!server) console.log(`No Tickwork server is running for the workspace ${dir}. Start one with: tickwork serve`);
    else console.log(server.url);
    return false;
  }
  const port = numberFlag('port', values.port as string | undefined, true) ?? 8765;
  const host = (values.host as string | undefined) ?? '127.0.0.1';
  const workspace = openWorkspace(values);
  if (workspace.info.note) console.log(`Note: ${workspace.info.note}`);
  const { dir } = workspace.info;
  // A page holding the token writes only under these (and folders it opened data from): write-policy.ts.
  const allowed = typeof values['allow-dir'] === 'string' ? values['allow-dir'].split(delimiter).filter((d) => d !== '') : [];
  const writes = WritePolicy.within({ workspace: dir, allowed });
  const service = createNodeService({ backend: backendPreferenceFromEnv(oneOf('backend', values.backend as string | undefined, BACKEND_PREFERENCES)), workspace, writes });
  const token = browserToken(dir, { rotate: values['new-token'] === true, writable: workspace.recording });
  const server = await startServer(service, { port, host, token });
  writeServerFile(workspace.recording ? dir : null, { url: server.url, pid: process.pid });
  console.log(`Tickwork is running in browser mode${dir ? ` on the workspace ${dir}` : ''}. Open:\n  ${server.url}`);
  if (!LOOPBACK.has(host)) {
    console.log(
      `Warning: listening on ${host}, not only on this machine. The token in the URL is then the only protection, and traffic is plain HTTP: ` +
        'prefer loopback and an SSH tunnel (ssh -L 8765:127.0.0.1:8765 server) to reach it from another machine.',
    );
  }
  const shutdown = async () => {
    removeServerFile(workspace.recording ? dir : null);
    await server.close();
    await service.dispose();
    process.exit(0);
  };
  // Every request path answers its own errors; should a promise still fail unobserved, the server
  // (which holds every run in memory) says so and keeps running rather than exiting.
  process.on('unhandledRejection', (reason) => {
    console.error(`tickwork: internal error (the server keeps running): ${(reason as Error)?.message ?? String(reason)}`);
  });
  process.once('SIGINT', shutdown);
  process.once('SIGTERM', shutdown);
  return true;
}
