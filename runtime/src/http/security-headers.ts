import type Koa from 'koa';

/**
 * The web apps' Content-Security-Policy:
 *  - scripts only from this origin: Vite emits no inline script, so an injected <script> or
 *    event-handler attribute does not run. `'unsafe-eval'` stays allowed for one reason: the
 *    forms are validated in the browser by ajv (through rjsf), which compiles each form's JSON
 *    Schema into a function with `new Function`. Forms come from the database and are rewritten
 *    per step (hidden fields dropped, required ones added), so they cannot be precompiled at build
 *    time; a validator that interprets schemas (no eval) under rjsf would remove it.
 *  - styles also inline: antd's CSS-in-JS and Monaco write <style> elements at run time;
 *  - images and fonts also as data: URIs (the app icon, Monaco's codicons);
 *  - Monaco's workers are this origin's files (blob: for the ones it spawns itself);
 *  - nothing may frame the apps (clickjacking). The big screen (/bigscreen) is the one page that
 *    may be framed — a wall-screen rotation or an operations portal shows it in a frame — and
 *    only by the origins OPSLOOM_BIGSCREEN_FRAME_ANCESTORS lists (none by default).
 */
const WEB_APP_DIRECTIVES = [
  "default-src 'self'",
  "script-src 'self' 'unsafe-eval'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data: blob:",
  "font-src 'self' data:",
  "connect-src 'self'",
  "worker-src 'self' blob:",
  "object-src 'none'",
  "base-uri 'self'",
  "form-action 'self'",
];
export const WEB_APP_CSP = [...WEB_APP_DIRECTIVES, "frame-ancestors 'none'"].join('; ');

/** The big screen's policy: the apps' own, framed only by `ancestors` (none: not at all). */
export function bigScreenCsp(ancestors: readonly string[]): string {
  return [...WEB_APP_DIRECTIVES, `frame-ancestors ${ancestors.length ? ancestors.join(' ') : "'none'"}`].join(
    '; ',
  );
}

/** A source a frame-ancestors list may hold: 'self', or an http(s) origin (a `*.` subdomain wildcard, a port). */
const ANCESTOR = /^(?:'self'|https?:\/\/(?:\*\.)?[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*(?::(?:\d{1,5}|\*))?\/?)$/;

/**
 * OPSLOOM_BIGSCREEN_FRAME_ANCESTORS: the origins that may show the big screen in a frame, separated by
 * spaces or commas (`https://noc.example.com 'self'`). Anything else — a bare `*`, a path, a
 * quote or semicolon that would change the header — is refused at start.
 */
export function parseFrameAncestors(text: string | undefined): string[] {
  const items = (text ?? '').split(/[\s,]+/).filter(Boolean);
  const bad = items.find((s) => !ANCESTOR.test(s));
  if (bad !== undefined)
    throw new Error(`"${bad}" is not an origin (https://host[:port], https://*.domain) or 'self'`);
  return items.map((s) => s.replace(/\/$/, ''));
}

export interface SecurityHeaderOptions {
  /** Who may frame /bigscreen (see parseFrameAncestors); empty: nobody. */
  bigScreenFrameAncestors?: readonly string[];
}

const isBigScreen = (path: string) => path === '/bigscreen' || path.startsWith('/bigscreen/');

/** API answers are data, never a page: nothing runs in them and nothing frames them. */
const API_CSP = "default-src 'none'; frame-ancestors 'none'";

/**
 * Headers every answer carries. API answers carry records, people and tokens: no cache may keep
 * them (`no-store`) unless a route says otherwise, e.g. the OpenAPI document.
 */
export function securityHeaders(options: SecurityHeaderOptions = {}): Koa.Middleware {
  const ancestors = options.bigScreenFrameAncestors ?? [];
  const bigScreen = bigScreenCsp(ancestors);
  return async (ctx, next) => {
    ctx.set('X-Content-Type-Options', 'nosniff');
    ctx.set('Referrer-Policy', 'same-origin');
    ctx.set('X-Frame-Options', 'DENY');
    try {
      await next();
    } finally {
      const api = ctx.path.startsWith('/api/');
      const wall = !api && isBigScreen(ctx.path);
      // X-Frame-Options cannot name origins; where framing is allowed, frame-ancestors says who.
      if (wall && ancestors.length) ctx.remove('X-Frame-Options');
      if (!ctx.response.get('Content-Security-Policy'))
        ctx.set('Content-Security-Policy', api ? API_CSP : wall ? bigScreen : WEB_APP_CSP);
      if (api && !ctx.response.get('Cache-Control')) ctx.set('Cache-Control', 'no-store');
    }
  };
}
