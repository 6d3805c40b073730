import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { gunzipSync } from 'node:zlib';
import Koa from 'koa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { serveWebApps } from './static.ts';

describe('serveWebApps', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'opsloom-static-'));
  const big = `console.log(${JSON.stringify('x'.repeat(5000))});`;
  let server: ReturnType<Koa['listen']>;
  let base: string;
  beforeAll(async () => {
    fs.mkdirSync(path.join(dir, 'assets'));
    fs.writeFileSync(path.join(dir, 'index.html'), '<!doctype html><div id="root"></div>');
    fs.writeFileSync(path.join(dir, 'assets/index-AbCd1234.js'), big);
    fs.writeFileSync(path.join(os.tmpdir(), 'opsloom-secret.txt'), 'secret');
    const app = new Koa();
    app.use(serveWebApps([{ mount: '/portal', dir }]));
    app.use((ctx) => {
      ctx.status = 404;
      ctx.body = 'none';
    });
    server = app.listen(0, '127.0.0.1');
    await new Promise((r) => server.once('listening', r));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => {
    server.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });
  const get = (p: string, headers: Record<string, string> = {}) =>
    fetch(`${base}${p}`, { headers, redirect: 'manual' });

  it('redirects / to the portal', async () => {
    const res = await get('/');
    expect(res.status).toBe(302);
    expect(res.headers.get('location')).toBe('/portal/');
  });

  it('falls back to index.html for client-side routes, never cached for long', async () => {
    const res = await get('/portal/requests/12');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/text\/html/);
    expect(res.headers.get('cache-control')).toBe('no-cache');
    expect(await res.text()).toContain('id="root"');
  });

  it('serves hashed assets immutable and gzipped to browsers that accept it', async () => {
    const res = await get('/portal/assets/index-AbCd1234.js', { 'accept-encoding': 'gzip' });
    expect(res.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
    expect(res.headers.get('content-encoding')).toBe('gzip');
    const raw = await fetch(`${base}/portal/assets/index-AbCd1234.js`, {
      headers: { 'accept-encoding': 'identity' },
    });
    expect(raw.headers.get('content-encoding')).toBeNull();
    expect(await raw.text()).toBe(big);
    // fetch decompresses on its own; read the raw bytes with node:http to see what travelled.
    const zipped = await new Promise<Buffer>((resolve) =>
      http.get(`${base}/portal/assets/index-AbCd1234.js`, { headers: { 'accept-encoding': 'gzip' } }, (r) => {
        const chunks: Buffer[] = [];
        r.on('data', (c) => chunks.push(c));
        r.on('end', () => resolve(Buffer.concat(chunks)));
      }),
    );
    expect(zipped.length).toBeLessThan(big.length / 10);
    expect(gunzipSync(zipped).toString()).toBe(big);
  });

  it('answers 404 for a missing asset and never leaves the app folder', async () => {
    expect((await get('/portal/assets/missing-AbCd1234.js')).status).toBe(404);
    expect((await get('/portal/..%2fopsloom-secret.txt')).status).toBe(404);
    expect((await get('/other')).status).toBe(404);
  });
});
