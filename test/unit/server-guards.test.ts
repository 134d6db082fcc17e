/** The browser-mode server's gate: Host names, request targets, and capped request bodies. */
import { mkdtempSync, readFileSync, existsSync } from 'node:fs';
import type { IncomingMessage } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { allowedHosts, decodedPath, hostOf, receiveBody, requestUrl, TooLarge } from '../../service/server-guards';

const body = (chunks: string[], headers: Record<string, string> = {}) => Object.assign(Readable.from(chunks.map((c) => Buffer.from(c))), { headers }) as unknown as IncomingMessage;

describe('server guards', () => {
  it('reads the host name of a Host header, without its port', () => {
    expect(hostOf('LocalHost:8765')).toBe('localhost');
    expect(hostOf('[::1]:80')).toBe('[::1]');
    expect(hostOf('127.0.0.1')).toBe('127.0.0.1');
    for (const bad of [undefined, '', 'a b', '[::1', 'host:port', 'a:1:2']) expect(hostOf(bad)).toBeNull();
  });

  it('allows loopback names and the bound address only', () => {
    const hosts = allowedHosts('127.0.0.1');
    expect([...hosts].sort()).toEqual(['127.0.0.1', '[::1]', 'localhost']);
    expect(allowedHosts('192.168.1.5').has('192.168.1.5')).toBe(true);
    expect(allowedHosts('::1').has('[::1]')).toBe(true);
    expect(hosts.has('evil.example')).toBe(false);
  });

  it('turns a bad target or percent-encoding into null, not an exception', () => {
    expect(requestUrl({ url: '//' } as IncomingMessage)).toBeNull();
    expect(decodedPath(new URL('http://localhost/%zz'))).toBeNull();
    expect(decodedPath(new URL('http://localhost/a%20b'))).toBe('/a b');
  });

  it('stores a body up to the limit and refuses one past it, announced or streamed', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tickwork-guards-'));
    await receiveBody(body(['0123', '4567']), join(dir, 'ok'), 8);
    expect(readFileSync(join(dir, 'ok'), 'utf8')).toBe('01234567');
    await expect(receiveBody(body(['0123', '45678']), join(dir, 'streamed'), 8)).rejects.toBeInstanceOf(TooLarge);
    await expect(receiveBody(body([], { 'content-length': '9' }), join(dir, 'announced'), 8)).rejects.toThrow('larger than the 0 MB limit');
    expect(existsSync(join(dir, 'announced'))).toBe(false);
  });
});
