/**
 * Browser mode's access token, one per workspace, kept in `<workspace>/browser-token` (mode 0600)
 * so a bookmarked URL keeps working across restarts; `--new-token` replaces it. While a server
 * runs, `<workspace>/server.json` (0600) holds its URL for `tickwork serve --print-url`.
 */
import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const TOKEN_FILE = 'browser-token';
const SERVER_FILE = 'server.json';

const newToken = () => randomBytes(24).toString('hex');

/** The workspace's token (made on first use, or anew with `rotate`); a fresh one when there is no folder or it is read-only. */
export function browserToken(dir: string | null, options: { rotate?: boolean; writable?: boolean } = {}): string {
  if (!dir || options.writable === false) return newToken();
  const file = join(dir, TOKEN_FILE);
  if (!options.rotate && existsSync(file)) {
    const token = readFileSync(file, 'utf8').trim();
    if (/^[0-9a-f]{32,}$/.test(token)) return token;
  }
  const token = newToken();
  writeFileSync(file, `${token}\n`, { mode: 0o600 });
  chmodSync(file, 0o600); // an existing file keeps its mode on write
  return token;
}

export function writeServerFile(dir: string | null, server: { url: string; pid: number }): void {
  if (!dir) return;
  const file = join(dir, SERVER_FILE);
  writeFileSync(file, JSON.stringify(server) + '\n', { mode: 0o600 });
  chmodSync(file, 0o600);
}

export function removeServerFile(dir: string | null): void {
  if (dir) rmSync(join(dir, SERVER_FILE), { force: true });
}

/** The URL of the server running for this workspace, or null when none is. */
export function runningServer(dir: string): { url: string; pid: number } | null {
  const file = join(dir, SERVER_FILE);
  if (!existsSync(file)) return null;
  try {
    const server = JSON.parse(readFileSync(file, 'utf8')) as { url: string; pid: number };
    process.kill(server.pid, 0);
    return server;
  } catch {
    return null;
  }
}
