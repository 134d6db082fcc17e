/** `tickwork serve`: browser mode. */
import { backendPreferenceFromEnv } from '../../models/backend-preference.js';
import { createNodeService } from '../../service/runtime.js';
import { startServer } from '../../service/http-server.js';
import { BACKEND_PREFERENCES } from '../../shared/run-config.js';
import { numberFlag, oneOf } from '../flags.js';

export async function cmdServe(values: Record<string, string | boolean | undefined>): Promise<void> {
  const port = numberFlag('port', values.port as string | undefined, true) ?? 8765;
  const host = (values.host as string | undefined) ?? '127.0.0.1';
  const service = createNodeService({ backend: backendPreferenceFromEnv(oneOf('backend', values.backend as string | undefined, BACKEND_PREFERENCES)) });
  const server = await startServer(service, { port, host });
  console.log(`Tickwork is running in browser mode. Open:\n  ${server.url}`);
  if (host !== '127.0.0.1' && host !== 'localhost' && host !== '::1') {
    console.log(`Warning: listening on ${host}; anyone who can reach it and has the URL (with its token) can use it.`);
  }
  const shutdown = async () => {
    await server.close();
    await service.dispose();
    process.exit(0);
  };
  process.once('SIGINT', shutdown);
  process.once('SIGTERM', shutdown);
}
