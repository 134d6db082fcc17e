/**
 * "Serve this model" in the app: a model of the registry served over HTTP on a free loopback port
 * by the same scoring service as `tickwork serve-model` (service/model-server/), one per model,
 * until stopped or the service ends. The service reads the model's export folder: the one in the
 * workspace, or one written to a temporary folder for a workspace that keeps nothing.
 */
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { ServingStats } from '../shared/contract.js';
import { TickworkError } from '../shared/errors.js';
import type { ModelRegistry } from './model-registry.js';
import { startModelServer, type ModelServer } from './model-server/supervisor.js';
import type { Workspace } from './workspace/workspace.js';
import { makeTempDir } from './temp-dirs.js';

interface Served {
  server: ModelServer;
  name: string;
  scratch: string | null;
}

export class ModelServing {
  readonly #served = new Map<string, Served>();

  constructor(
    private readonly models: ModelRegistry,
    private readonly workspace: Workspace,
  ) {}

  async start(modelId: string) {
    const running = this.#served.get(modelId);
    const served = running ?? (await this.#start(modelId));
    const { server, name } = served;
    const example = JSON.stringify({ rows: [server.models[0].example] });
    const curl = `curl -s -H "Authorization: Bearer ${server.token}" -H 'content-type: application/json' -d '${example.replace(/'/g, "'\\''")}' ${server.url}/v1/models/${name}/predict`;
    return { modelId, name, url: server.url, token: server.token, curl };
  }

  async #start(modelId: string): Promise<Served> {
    const entry = await this.models.get(modelId);
    let dir = this.workspace.model(modelId)?.dir ?? null;
    let scratch: string | null = null;
    if (!dir) {
      scratch = await makeTempDir('serving');
      dir = join(scratch, 'model');
      await this.models.export({ modelId, dir, format: 'folder', quantize: 'none', force: false });
    }
    const name = (entry.info.runId ? `run-${entry.info.runId.slice(0, 8)}` : 'model').replace(/[^A-Za-z0-9._-]/g, '-');
    const server = await startModelServer({ models: [`${name}=${dir}`], host: '127.0.0.1', port: 0, workers: 1, log: () => undefined });
    const served = { server, name, scratch };
    this.#served.set(modelId, served);
    void server.closed.finally(() => {
      if (this.#served.get(modelId) === served) this.#served.delete(modelId);
    });
    return served;
  }

  async stop(modelId: string): Promise<{ stopped: boolean }> {
    const served = this.#served.get(modelId);
    if (!served) return { stopped: false };
    this.#served.delete(modelId);
    await served.server.stop();
    if (served.scratch) await rm(served.scratch, { recursive: true, force: true });
    return { stopped: true };
  }

  stats(modelId: string): ServingStats {
    const served = this.#served.get(modelId);
    if (!served) return { running: false, requests: 0, failedRequests: 0, rows: 0, warningShare: null, p95Ms: null, drift: [], alerts: [] };
    const all = served.server.stats();
    const m = all.models[served.name];
    if (!m) throw new TickworkError('internal', `the scoring service has no model ${served.name}`);
    return {
      running: true,
      requests: m.requests,
      failedRequests: m.failedRequests,
      rows: m.rows,
      warningShare: m.warningShare,
      p95Ms: m.p95Ms,
      drift: m.drift.map((d) => ({ input: d.input, psi: d.psi, missingShare: d.missingShare, unseenShare: d.unseenShare })),
      alerts: all.alerts.map((a) => a.message),
    };
  }

  async dispose(): Promise<void> {
    await Promise.all([...this.#served.keys()].map((id) => this.stop(id)));
  }
}
