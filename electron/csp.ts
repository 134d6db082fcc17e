/**
 * The desktop renderer's Content-Security-Policy, sent as a response header by the `app://`
 * protocol handler (main.ts) on everything it serves. Plain data (no Electron import), so it is
 * unit-tested without Electron.
 *
 * What the built renderer needs, checked on `dist/renderer` (vite build): one module script and
 * one stylesheet from app://tickwork, no inline <script> or <style>, no style="" attribute in
 * its HTML templates (Svelte sets dynamic styles through the CSSOM, `element.style.cssText` and
 * `style.setProperty`, which CSP does not govern), no images, fonts, frames or workers, and no
 * network: in the desktop app it talks to the service over IPC, never over ws: or fetch. The one
 * fetch is Vite's module-preload polyfill, for its own app:// chunks ('self'). So: no
 * 'unsafe-inline', no 'unsafe-eval', connect-src 'self'.
 *
 * renderer/index.html keeps a meta-tag policy as well (the same in spirit, for browser mode);
 * where both are present the browser enforces both, so the stricter one wins.
 */
export const DESKTOP_CSP_DIRECTIVES: Readonly<Record<string, readonly string[]>> = {
  'default-src': ["'none'"],
  'script-src': ["'self'"],
  'style-src': ["'self'"],
  'img-src': ["'self'"],
  'font-src': ["'self'"],
  'connect-src': ["'self'"],
  'object-src': ["'none'"],
  'frame-src': ["'none'"],
  'worker-src': ["'none'"],
  'base-uri': ["'none'"],
  'form-action': ["'none'"],
  'frame-ancestors': ["'none'"],
};

export const DESKTOP_CSP = Object.entries(DESKTOP_CSP_DIRECTIVES)
  .map(([name, sources]) => `${name} ${sources.join(' ')}`)
  .join('; ');

/** Headers the app:// handler adds to every response. */
export const SECURITY_HEADERS: Readonly<Record<string, string>> = {
  'content-security-policy': DESKTOP_CSP,
  'x-content-type-options': 'nosniff',
};

/** A copy of `response` (status, body and headers kept) with the security headers set. */
export function withSecurityHeaders(response: Response): Response {
  const headers = new Headers(response.headers);
  for (const [name, value] of Object.entries(SECURITY_HEADERS)) headers.set(name, value);
  return new Response(response.body, { status: response.status, statusText: response.statusText, headers });
}
