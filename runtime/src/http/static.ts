import fs from 'node:fs';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import type Koa from 'koa';
import { REPO_ROOT } from '../config.ts';

/** A built single-page app: the URL prefix it answers and the folder Vite built it into. */
export interface WebApp {
  /** URL prefix without a trailing slash, e.g. "/portal". */
  mount: string;
  /** The app's built `dist` folder (holds index.html and assets/). */
  dir: string;
}

/** Every web app the runtime serves; an app whose folder is missing (not built) answers 404. */
export const WEB_APPS: WebApp[] = [
  { mount: '/portal', dir: path.join(REPO_ROOT, 'runtime/dist/portal') },
  { mount: '/workspace', dir: path.join(REPO_ROOT, 'runtime/dist/workspace') },
  { mount: '/bigscreen', dir: path.join(REPO_ROOT, 'runtime/dist/bigscreen') },
  { mount: '/designer', dir: path.join(REPO_ROOT, 'designer/dist') },
];

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.ico': 'image/x-icon',
  '.webp': 'image/webp',
  '.woff': 'font/woff',
  '.woff2': 'font/woff2',
  '.ttf': 'font/ttf',
  '.txt': 'text/plain; charset=utf-8',
  '.wasm': 'application/wasm',
};
const COMPRESSIBLE = new Set([
  '.html',
  '.js',
  '.mjs',
  '.css',
  '.json',
  '.map',
  '.svg',
  '.txt',
  '.ttf',
  '.wasm',
]);
/** Vite names built assets `name-<hash>.ext` under assets/: their content never changes. */
const HASHED = /\/assets\/.+-[A-Za-z0-9_-]{8,}\.[a-z0-9]+$/;

interface Loaded {
  body: Buffer;
  gzip: Buffer | null;
  mtimeMs: number;
  type: string;
}

/**
 * Serves each app's built files: hashed assets with a year-long immutable cache, anything else
 * revalidated; gzip when the browser accepts it (compressed once per file version and kept in
 * memory); client-side routes fall back to the app's index.html. `/` redirects to the portal.
 */
export function serveWebApps(apps: WebApp[] = WEB_APPS): Koa.Middleware {
  const cache = new Map<string, Loaded>();

  function load(file: string): Loaded | null {
    let stat: fs.Stats;
    try {
      stat = fs.statSync(file);
    } catch {
      return null;
    }
    if (!stat.isFile()) return null;
    const hit = cache.get(file);
    if (hit && hit.mtimeMs === stat.mtimeMs) return hit;
    const body = fs.readFileSync(file);
    const ext = path.extname(file).toLowerCase();
    const loaded: Loaded = {
      body,
      gzip: COMPRESSIBLE.has(ext) && body.length > 1024 ? gzipSync(body, { level: 9 }) : null,
      mtimeMs: stat.mtimeMs,
      type: TYPES[ext] ?? 'application/octet-stream',
    };
    cache.set(file, loaded);
    return loaded;
  }

  return async (ctx, next) => {
    if (ctx.method !== 'GET' && ctx.method !== 'HEAD') return next();
    if (ctx.path === '/') {
      ctx.redirect('/portal/');
      return;
    }
    const app = apps.find((a) => ctx.path === a.mount || ctx.path.startsWith(`${a.mount}/`));
    if (!app) return next();
    if (ctx.path === app.mount) {
      ctx.redirect(`${app.mount}/${ctx.querystring ? `?${ctx.querystring}` : ''}`);
      return;
    }
    let rel: string;
    try {
      rel = decodeURIComponent(ctx.path.slice(app.mount.length + 1));
    } catch {
      return next();
    }
    const root = path.resolve(app.dir);
    const wanted = path.resolve(root, rel);
    // Nothing outside the app's folder, whatever the path says.
    if (wanted !== root && !wanted.startsWith(root + path.sep)) return next();
    let file = rel === '' ? null : load(wanted);
    let spa = false;
    if (!file) {
      // A missing asset is a 404; a missing page is a client-side route of the app.
      if (rel.startsWith('assets/') || path.extname(rel)) return next();
      file = load(path.join(root, 'index.html'));
      spa = true;
      if (!file) return next();
    }
    ctx.type = file.type;
    ctx.set('Vary', 'Accept-Encoding');
    ctx.set(
      'Cache-Control',
      !spa && HASHED.test(ctx.path) ? 'public, max-age=31536000, immutable' : 'no-cache',
    );
    ctx.set('Last-Modified', new Date(file.mtimeMs).toUTCString());
    if (file.gzip && ctx.acceptsEncodings('gzip', 'identity') === 'gzip') {
      ctx.set('Content-Encoding', 'gzip');
      ctx.body = file.gzip;
    } else {
      ctx.body = file.body;
    }
  };
}
