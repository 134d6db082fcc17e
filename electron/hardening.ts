/**
 * Guards on every web contents the app creates (the window, and anything a page might open):
 * navigation, redirects and frame navigations away from app://tickwork are stopped, new windows
 * and <webview>s are refused, and each session denies every permission request and check, device
 * access and download. The decisions are in navigation-policy.ts; this file only wires them.
 */
import { app, shell, type Session, type WebContents } from 'electron';
import { isAllowedExternal, navigationVerdict, permissionAllowed, windowOpenVerdict, type NavigationVerdict } from './navigation-policy.js';

const guardedSessions = new WeakSet<Session>();

function openExternally(url: string): void {
  // Only an exact entry of EXTERNAL_LINKS gets here (navigation-policy.ts).
  if (isAllowedExternal(url)) void shell.openExternal(url); /* eng-disable OPEN_EXTERNAL_JS_CHECK: the URL is an exact entry of the EXTERNAL_LINKS allow-list, checked on this line */
}

/** Deny every permission, device and download in this session (once per session). */
export function guardSession(session: Session): void {
  if (guardedSessions.has(session)) return;
  guardedSessions.add(session);
  session.setPermissionRequestHandler((contents, permission, callback) => callback(permissionAllowed(permission, contents.getURL())));
  session.setPermissionCheckHandler((_contents, permission, requestingOrigin) => permissionAllowed(permission, requestingOrigin));
  session.setDevicePermissionHandler(() => false);
  session.on('will-download', (event) => event.preventDefault());
}

function guardContents(contents: WebContents): void {
  // A click on a link (will-navigate) may hand an allowed page to the browser; a frame navigation
  // (it also fires for the main frame's) or a redirect away from the app is only stopped.
  const stay = (event: { url: string; preventDefault(): void }): NavigationVerdict => {
    const verdict = navigationVerdict(event.url);
    if (verdict !== 'allow') event.preventDefault();
    return verdict;
  };
  contents.on('will-navigate', (event) => {
    if (stay(event) === 'open-externally') openExternally(event.url);
  });
  contents.on('will-frame-navigate', (event) => void stay(event));
  contents.on('will-redirect', (event) => void stay(event));
  contents.on('will-attach-webview', (event) => event.preventDefault());
  contents.setWindowOpenHandler(({ url }) => {
    if (windowOpenVerdict(url) === 'open-externally') openExternally(url);
    return { action: 'deny' };
  });
  guardSession(contents.session);
}

/** Install the guards: on the default session now, and on every web contents as it is created. Call once, when the app is ready, before any window. */
export function installGuards(defaultSession: Session): void {
  guardSession(defaultSession);
  app.on('web-contents-created', (_event, contents) => guardContents(contents));
}
