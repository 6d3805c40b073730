import { useSyncExternalStore } from 'react';

/** A tiny history router: the designer has a few screens, not worth a routing library. */
const BASE = '/designer';

function subscribe(cb: () => void): () => void {
  window.addEventListener('popstate', cb);
  return () => window.removeEventListener('popstate', cb);
}

export function navigate(path: string): void {
  history.pushState(null, '', `${BASE}${path}`);
  window.dispatchEvent(new PopStateEvent('popstate'));
}

/** The path below /designer, e.g. "/" or "/process/service-request-flow". */
export function usePath(): string {
  const pathname = useSyncExternalStore(subscribe, () => location.pathname);
  const rest = pathname.startsWith(BASE) ? pathname.slice(BASE.length) : pathname;
  return rest === '' ? '/' : rest;
}

export type Route =
  | { page: 'list' }
  | { page: 'edit'; kind: string; key: string }
  | { page: 'admin'; section: string };

export function matchRoute(path: string): Route {
  const admin = /^\/admin(?:\/([a-z-]+))?\/?$/.exec(path);
  if (admin) return { page: 'admin', section: admin[1] ?? 'users' };
  const m = /^\/([a-z]+)\/([^/]+)\/?$/.exec(path);
  if (m) return { page: 'edit', kind: m[1]!, key: decodeURIComponent(m[2]!) };
  return { page: 'list' };
}
