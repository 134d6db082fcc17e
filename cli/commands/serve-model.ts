/**
 * `tickwork serve-model` — an HTTP scoring service for exported models (service/model-server/).
 *
 *   tickwork serve-model --model <dir|zip|NAME=PATH> [--model …] [--port 8780] [--host 127.0.0.1]
 *     [--workers 1] [--token-file F] [--max-rows 10000] [--max-body-mb 16] [--drift-window 1000]
 *     [--alert-psi 0.2] [--alert-error-rate R] [--alert-latency-ms MS] [--alert-webhook URL]
 *     [--backend auto]
 *
 * Prints the URL and the token, then runs until SIGTERM / Ctrl-C, which drain in-flight requests.
 * This file stays free of tfjs: the workers that load it are separate processes.
 */
import { parseArgs } from 'node:util';
import { TickworkError } from '../../shared/errors.js';
import { BACKEND_PREFERENCES, type BackendPreference } from '../../shared/run-config.js';
import { backendPreferenceFromEnv } from '../../models/backend-preference.js';
import { readTokenFile } from '../../service/model-server/auth.js';
import { isLoopback, startModelServer } from '../../service/model-server/supervisor.js';

export const SERVE_MODEL_USAGE = `Usage: tickwork serve-model --model <dir|zip> [--model …] [options]

Serves exported models over HTTP: POST /v1/models/<name>/predict (JSON rows or CSV), GET /v1/models,
GET /v1/models/<name> (model card), GET /metrics (Prometheus), GET /healthz, GET /readyz.

  --model PATH|NAME=PATH  an export folder or .zip, served as its folder/zip name or NAME (repeatable);
                          run:ID serves the model of a workspace run (--workspace DIR: which workspace)
  --port 8780             0 picks a free port          --host 127.0.0.1   (this machine only)
  --workers 1             processes sharing the port, each loading every model once
  --token-file F          the bearer token to require (default: a new one, printed)
  --max-rows 10000        rows per request             --max-body-mb 16   request body size
  --drift-window 1000     recent rows that drift (PSI, missing, unseen) is measured over
  --alert-psi 0.2         alert when an input's PSI reaches this (0 turns it off)
  --alert-error-rate R    alert when this share of recent predict requests fail (e.g. 0.05)
  --alert-latency-ms MS   alert when the p95 latency of recent predict requests reaches MS
  --alert-webhook URL     POST each alert (and its end) there as JSON
  --backend auto          ${BACKEND_PREFERENCES.join('|')} (or TICKWORK_BACKEND)
`;

class UsageError extends TickworkError {
  constructor(message: string) {
    super('invalid_input', `${message}\nRun "tickwork serve-model --help" for usage.`);
  }
}

function number(name: string, value: string | undefined, integer: boolean): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (value.trim() === '' || !Number.isFinite(n) || (integer && !Number.isInteger(n))) {
    throw new UsageError(`--${name} must be ${integer ? 'a whole number' : 'a number'}, received "${value}"`);
  }
  return n;
}

/** Runs the service; resolves to -1 (keep running) once it listens. */
export async function serveModelCommand(argv: string[]): Promise<number> {
  if (argv.includes('--help') || argv.includes('-h')) {
    console.log(SERVE_MODEL_USAGE);
    return 0;
  }
  const { values } = parseArgs({
    args: argv,
    strict: true,
    allowPositionals: false,
    options: {
      model: { type: 'string', multiple: true },
      port: { type: 'string' },
      host: { type: 'string' },
      workers: { type: 'string' },
      'token-file': { type: 'string' },
      'max-rows': { type: 'string' },
      'max-body-mb': { type: 'string' },
      'drift-window': { type: 'string' },
      'alert-psi': { type: 'string' },
      'alert-error-rate': { type: 'string' },
      'alert-latency-ms': { type: 'string' },
      'alert-webhook': { type: 'string' },
      backend: { type: 'string' },
      workspace: { type: 'string' },
    },
  });
  const backend = values.backend as string | undefined;
  if (backend !== undefined && !(BACKEND_PREFERENCES as readonly string[]).includes(backend)) {
    throw new UsageError(`--backend must be one of ${BACKEND_PREFERENCES.join(', ')}, received "${backend}"`);
  }
  const host = values.host ?? '127.0.0.1';
  const maxBodyMb = number('max-body-mb', values['max-body-mb'], false);
  const psi = number('alert-psi', values['alert-psi'], false);
  const tokenFile = values['token-file'];
  const token = tokenFile !== undefined ? await readTokenFile(tokenFile) : undefined;

  const server = await startModelServer({
    models: values.model ?? [],
    workspace: values.workspace ?? null,
    host,
    port: number('port', values.port, true),
    workers: number('workers', values.workers, true),
    token,
    backend: backendPreferenceFromEnv(backend as BackendPreference | undefined),
    limits: {
      ...(maxBodyMb !== undefined ? { maxBodyBytes: Math.round(maxBodyMb * 2 ** 20) } : {}),
      ...(values['max-rows'] !== undefined ? { maxRows: number('max-rows', values['max-rows'], true) } : {}),
    },
    driftWindow: number('drift-window', values['drift-window'], true),
    alerts: {
      ...(psi !== undefined ? { psi: psi === 0 ? null : psi } : {}),
      errorRate: number('alert-error-rate', values['alert-error-rate'], false) ?? null,
      latencyMs: number('alert-latency-ms', values['alert-latency-ms'], false) ?? null,
      webhook: values['alert-webhook'] ?? null,
    },
  });

  const first = server.models[0];
  const example = JSON.stringify({ rows: [first.example] });
  console.log(`tickwork serve-model: ${server.models.length} model(s) on ${server.workers} worker(s), backend ${server.backend}`);
  for (const m of server.models) console.log(`  ${m.name}  (${m.task}, ${m.inputs.length} inputs)  POST ${server.url}/v1/models/${m.name}/predict`);
  console.log(`url: ${server.url}`);
  console.log(tokenFile !== undefined ? `token: the one in ${tokenFile}` : `token: ${server.token}`);
  console.log(
    `try: curl -s -H "Authorization: Bearer $TOKEN" -H 'content-type: application/json' -d '${example.replace(/'/g, "'\\''")}' ${server.url}/v1/models/${first.name}/predict`,
  );
  if (!isLoopback(host)) {
    console.log(`warning: listening on ${host}, not only this machine: anyone who can reach it and has the token can score rows. Prefer a TLS proxy in front of it.`);
  }
  const shutdown = (signal: string) => {
    process.stderr.write(`tickwork serve-model: ${signal}: finishing the requests in flight, then stopping.\n`);
    void server.stop().then(() => process.exit(0));
  };
  process.once('SIGINT', () => shutdown('SIGINT'));
  process.once('SIGTERM', () => shutdown('SIGTERM'));
  void server.closed.then(() => process.exit(0));
  return -1;
}
