/**
 * The desktop renderer's Content-Security-Policy (electron/csp.ts): no inline styles or scripts,
 * no eval, no network beyond the app's own origin, and the header on every app:// response.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { resolveAppRequest } from '../../electron/app-protocol';
import { DESKTOP_CSP, DESKTOP_CSP_DIRECTIVES, withSecurityHeaders } from '../../electron/csp';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const parse = (policy: string) =>
  new Map(
    policy
      .split(';')
      .map((d) => d.trim().split(/\s+/))
      .filter((d) => d[0])
      .map(([name, ...sources]) => [name, sources]),
  );

describe('desktop CSP', () => {
  it('allows nothing inline, no eval, and connects only to app://tickwork itself', () => {
    const csp = parse(DESKTOP_CSP);
    expect(DESKTOP_CSP).not.toMatch(/unsafe-inline|unsafe-eval|unsafe-hashes|ws:|wss:|https?:|\*/);
    expect(csp.get('default-src')).toEqual(["'none'"]);
    expect(csp.get('script-src')).toEqual(["'self'"]);
    expect(csp.get('style-src')).toEqual(["'self'"]);
    expect(csp.get('connect-src')).toEqual(["'self'"]);
    for (const name of ['object-src', 'base-uri', 'form-action', 'frame-ancestors', 'frame-src', 'worker-src']) expect(csp.get(name), name).toEqual(["'none'"]);
    expect([...csp.keys()]).toEqual(Object.keys(DESKTOP_CSP_DIRECTIVES));
  });

  it('the meta tag in renderer/index.html allows no inline style or script and no other host either', () => {
    const html = readFileSync(`${ROOT}renderer/index.html`, 'utf8');
    const meta = /<meta http-equiv="Content-Security-Policy" content="([^"]+)"/.exec(html);
    expect(meta, 'renderer/index.html has a CSP meta tag').not.toBeNull();
    const csp = parse(meta![1]);
    expect(meta![1]).not.toMatch(/unsafe-inline|unsafe-eval|ws:|wss:|https?:|\*/);
    expect(csp.get('style-src')).toEqual(["'self'"]);
    expect(csp.get('connect-src')).toEqual(["'self'"]);
  });

  it('adds the policy and nosniff to a response, keeping its status, body and content type', async () => {
    const original = new Response('<!doctype html><title>x</title>', { status: 200, headers: { 'content-type': 'text/html', 'content-security-policy': "default-src *" } });
    const secured = withSecurityHeaders(original);
    expect(secured.status).toBe(200);
    expect(secured.headers.get('content-type')).toBe('text/html');
    expect(secured.headers.get('content-security-policy')).toBe(DESKTOP_CSP);
    expect(secured.headers.get('x-content-type-options')).toBe('nosniff');
    expect(await secured.text()).toBe('<!doctype html><title>x</title>');
    const missing = withSecurityHeaders(new Response('Not found', { status: 404 }));
    expect(missing.status).toBe(404);
    expect(missing.headers.get('content-security-policy')).toBe(DESKTOP_CSP);
  });
});

describe('app:// requests (electron/app-protocol.ts)', () => {
  const dir = '/opt/tickwork/dist/renderer';
  it('name a file inside the renderer folder, the folder itself meaning index.html', () => {
    expect(resolveAppRequest(dir, 'app://tickwork/')).toEqual({ file: `${dir}/index.html` });
    expect(resolveAppRequest(dir, 'app://tickwork/index.html')).toEqual({ file: `${dir}/index.html` });
    expect(resolveAppRequest(dir, 'app://tickwork/assets/index-abc.js?v=1#x')).toEqual({ file: `${dir}/assets/index-abc.js` });
    expect(resolveAppRequest(dir, 'app://tickwork/assets/a%20b.css')).toEqual({ file: `${dir}/assets/a b.css` });
  });

  it('refuse everything else with a status: other hosts, paths out of the folder, bad encoding', () => {
    expect(resolveAppRequest(dir, 'app://evil/index.html')).toMatchObject({ status: 404 });
    expect(resolveAppRequest(dir, 'app://tickwork.evil/index.html')).toMatchObject({ status: 404 });
    expect(resolveAppRequest(dir, 'app://tickwork/%2e%2e/%2e%2e/%2e%2e/etc/passwd')).toEqual({ file: `${dir}/etc/passwd` }); // dot segments are resolved by the URL, inside
    expect(resolveAppRequest(dir, 'app://tickwork/..%2f..%2fsecret')).toMatchObject({ status: 403 });
    expect(resolveAppRequest(dir, 'app://tickwork/%2fetc%2fpasswd')).toEqual({ file: `${dir}/etc/passwd` }); // leading slashes stay inside
    expect(resolveAppRequest(dir, 'app://tickwork/..%2frenderer-other/x')).toMatchObject({ status: 403 }); // a sibling that shares the prefix
    expect(resolveAppRequest(dir, 'app://tickwork/%E0%A4%A')).toMatchObject({ status: 400, message: expect.stringMatching(/percent-encoding/) });
    expect(resolveAppRequest(dir, 'app://tickwork/a%00.html')).toMatchObject({ status: 400 });
    expect(resolveAppRequest(dir, 'not a url')).toMatchObject({ status: 400 });
  });
});
