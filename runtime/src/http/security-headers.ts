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
 *  - nothing may frame the apps (clickjacking). The big-screen page a later issue adds is the one
 *    page that may be framed, by an allow-list.
 */
export const WEB_APP_CSP = [
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
  "frame-ancestors 'none'",
].join('; ');

/** API answers are data, never a page: nothing runs in them and nothing frames them. */
const API_CSP = "default-src 'none'; frame-ancestors 'none'";

/**
 * Headers every answer carries. API answers carry records, people and tokens: no cache may keep
 * them (`no-store`) unless a route says otherwise, e.g. the OpenAPI document.
 */
export function securityHeaders(): Koa.Middleware {
  return async (ctx, next) => {
    ctx.set('X-Content-Type-Options', 'nosniff');
    ctx.set('Referrer-Policy', 'same-origin');
    ctx.set('X-Frame-Options', 'DENY');
    try {
      await next();
    } finally {
      const api = ctx.path.startsWith('/api/');
      if (!ctx.response.get('Content-Security-Policy'))
        ctx.set('Content-Security-Policy', api ? API_CSP : WEB_APP_CSP);
      if (api && !ctx.response.get('Cache-Control')) ctx.set('Cache-Control', 'no-store');
    }
  };
}
