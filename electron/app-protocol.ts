/**
 * Which file of the built renderer an app:// request names (main.ts serves it, with the CSP
 * header of csp.ts): only app://tickwork/…, only inside the renderer folder, the folder itself
 * meaning index.html. No Electron import: unit-tested without Electron.
 */
import { resolve, sep } from 'node:path';

export type AppRequest = { file: string } | { status: 400 | 403 | 404; message: string };

export function resolveAppRequest(rendererDir: string, requestUrl: string): AppRequest {
  let url: URL;
  try {
    url = new URL(requestUrl);
  } catch {
    return { status: 400, message: 'Bad request: not a URL' };
  }
  if (url.protocol !== 'app:' || url.host !== 'tickwork') return { status: 404, message: 'Not found' };
  let path: string;
  try {
    path = decodeURIComponent(url.pathname);
  } catch {
    return { status: 400, message: 'Bad request: the path is not valid percent-encoding' };
  }
  if (path.includes('\0')) return { status: 400, message: 'Bad request: the path holds a NUL character' };
  const root = resolve(rendererDir);
  const file = resolve(root, path.replace(/^[/\\]+/, '') || 'index.html');
  if (!file.startsWith(root + sep)) return { status: 403, message: 'Forbidden' };
  return { file };
}
