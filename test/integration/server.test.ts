/**
 * Browser mode's server: token required for pages, uploads and the WebSocket; the WebSocket
 * serves the same contract (validated) and pushes events.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { startServer, type RunningServer } from '../../service/http-server';
import { createNodeService } from '../../service/runtime';
import type { WorkbenchService } from '../../service/workbench-service';
import { wsRequest } from '../helpers/ws-request';

let service: WorkbenchService;
let server: RunningServer;

beforeAll(async () => {
  service = createNodeService({ backend: 'wasm' });
  server = await startServer(service, { port: 0, host: '127.0.0.1' });
});

afterAll(async () => {
  await server.close();
  await service.dispose();
});

const base = () => `http://127.0.0.1:${server.port}`;

function connect(query: string, headers: Record<string, string> = {}): Promise<WebSocket> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(`ws://127.0.0.1:${server.port}/api/ws${query}`, { headers });
    ws.once('open', () => resolve(ws));
    ws.once('unexpected-response', (_req, res) => reject(new Error(`HTTP ${res.statusCode}`)));
    ws.once('error', reject);
  });
}


describe('browser-mode server', () => {
  it('binds 127.0.0.1 and prints a URL with the token', () => {
    expect(server.url).toBe(`http://127.0.0.1:${server.port}/?token=${server.token}`);
    expect(server.token).toMatch(/^[0-9a-f]{48}$/);
  });

  it('refuses pages, uploads and downloads without the token (403)', async () => {
    expect((await fetch(`${base()}/`)).status).toBe(403);
    expect((await fetch(`${base()}/?token=wrong`)).status).toBe(403);
    expect((await fetch(`${base()}/api/upload?name=a.csv`, { method: 'POST', body: 'a,b\n1,2\n' })).status).toBe(403);
    const ok = await fetch(server.url);
    expect(ok.status).toBe(200);
    expect(ok.headers.get('content-security-policy')).toContain("default-src 'self'");
    expect(ok.headers.get('set-cookie')).toMatch(/tickwork_token=\w+; HttpOnly; SameSite=Strict/);
  });

  it('refuses a WebSocket without the token, or from another origin', async () => {
    await expect(connect('')).rejects.toThrow('HTTP 403');
    await expect(connect(`?token=${server.token}`, { Origin: 'http://evil.example' })).rejects.toThrow('HTTP 403');
  });

  it('serves the contract over the WebSocket, validating input', async () => {
    const ws = await connect(`?token=${server.token}`);
    try {
      const listed = await wsRequest(ws, 1, 'dataset:list', {});
      expect(listed.ok).toBe(true);
      expect((listed.result as { name: string }[]).map((d) => d.name)).toContain('iris');
      const bad = await wsRequest(ws, 2, 'dataset:open', { source: { kind: 'file', path: 42 } });
      expect(bad.ok).toBe(false);
      expect(bad.error!.code).toBe('invalid_input');
      expect(bad.error!.message).toContain('dataset:open: invalid input — source.path');
      const unknown = await wsRequest(ws, 3, 'system:shutdown', {});
      expect(unknown.error!.message).toContain('unknown channel');
    } finally {
      ws.close();
    }
  });

  it('uploads a file with the token and opens it', async () => {
    const cookie = `tickwork_token=${server.token}`;
    const res = await fetch(`${base()}/api/upload?name=${encodeURIComponent('../../etc/my data.csv')}`, {
      method: 'POST',
      body: 'a,b,y\n1,2,0\n3,4,1\n',
      headers: { cookie },
    });
    expect(res.status).toBe(200);
    const { path } = (await res.json()) as { path: string };
    expect(path).toMatch(/tickwork-uploads-.*my data\.csv$/);
    const summary = await service['dataset:open']({ source: { kind: 'file', path } });
    expect(summary.rows).toBe(2);
  });
});
