/**
 * Where the desktop app's web contents may go, and what they may ask for: pure decisions (no
 * Electron import), unit-tested without Electron; hardening.ts wires them to every web contents.
 *
 * - The renderer is app://tickwork/… and stays there: any other navigation, redirect or frame
 *   navigation is stopped, new windows are never opened.
 * - A link to the web opens in the system browser only when it is on EXTERNAL_LINKS, exactly.
 * - No web permission is granted (camera, notifications, clipboard read, …): the app needs none.
 */

/** The renderer's origin (served by the app:// protocol handler in main.ts). */
export const RENDERER_ORIGIN = 'app://tickwork';

/**
 * The documentation pages the renderer links to, which a click opens in the system browser.
 * Today the renderer links to none (test/unit/navigation-policy.test.ts checks the renderer's
 * sources against this list), so nothing is opened; add a page here when a link to it is added.
 */
export const EXTERNAL_LINKS: readonly string[] = [];

/** Web permissions the renderer may use. None: it needs no camera, clipboard read, notifications, … */
export const GRANTED_PERMISSIONS: readonly string[] = [];

function parse(url: string): URL | null {
  try {
    return new URL(url);
  } catch {
    return null;
  }
}

/** A page of the app itself: app://tickwork/… (not another host of the scheme, not a look-alike). */
export function isAppUrl(url: string): boolean {
  const u = parse(url);
  return u !== null && u.protocol === 'app:' && u.host === 'tickwork' && u.username === '' && u.password === '';
}

/** An https URL on the allow-list, compared exactly after URL normalisation (no prefixes, no other paths). */
export function isAllowedExternal(url: string, allowList: readonly string[] = EXTERNAL_LINKS): boolean {
  const u = parse(url);
  if (!u || u.protocol !== 'https:' || u.username !== '' || u.password !== '') return false;
  return allowList.some((allowed) => parse(allowed)?.href === u.href);
}

export type NavigationVerdict = 'allow' | 'open-externally' | 'deny';

/** A navigation, redirect or frame navigation: stay in the app, hand an allowed link to the browser, or stop it. */
export function navigationVerdict(url: string, allowList: readonly string[] = EXTERNAL_LINKS): NavigationVerdict {
  if (isAppUrl(url)) return 'allow';
  return isAllowedExternal(url, allowList) ? 'open-externally' : 'deny';
}

/** window.open / target=_blank: never a new window; an allowed link goes to the system browser. */
export function windowOpenVerdict(url: string, allowList: readonly string[] = EXTERNAL_LINKS): 'open-externally' | 'deny' {
  return isAllowedExternal(url, allowList) ? 'open-externally' : 'deny';
}

/** A permission request or check: granted only when listed and asked by the app's own page. */
export function permissionAllowed(permission: string, requestingUrl: string | undefined, granted: readonly string[] = GRANTED_PERMISSIONS): boolean {
  return granted.includes(permission) && requestingUrl !== undefined && isAppUrl(requestingUrl);
}
