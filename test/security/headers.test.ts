import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../runtime/src/config.ts';
import { parseFrameAncestors } from '../../runtime/src/http/security-headers.ts';
import { testDatabases } from '../support/databases.ts';
import { startTestServer, type TestServer } from '../support/server.ts';

/** Headers that keep the apps out of frames and personal data out of caches. */
describe.each(testDatabases())('security headers on %s', (dbName) => {
  let srv: TestServer;
  beforeAll(async () => {
    srv = await startTestServer(dbName);
  });
  afterAll(() => srv?.close());

  it('API answers with personal data are never stored by a cache, nor framed, nor sniffed', async () => {
    for (const path of ['/auth/session', '/users', '/records', '/inbox', '/auth/tokens']) {
      const res = await srv.admin.get(path);
      expect(res.status, path).toBe(200);
      expect(res.headers.get('cache-control'), path).toBe('no-store');
      expect(res.headers.get('x-content-type-options'), path).toBe('nosniff');
      expect(res.headers.get('content-security-policy'), path).toContain("frame-ancestors 'none'");
    }
    // Refusals too: a 401 or 404 says who exists or not.
    const anonymous = await srv.client().get('/users');
    expect(anonymous.status).toBe(401);
    expect(anonymous.headers.get('cache-control')).toBe('no-store');
    // The API's description is nobody's data.
    const openapi = await fetch(`${srv.url}/api/v1/openapi.json`);
    expect(openapi.headers.get('cache-control')).toMatch(/public/);
  });

  it('the apps send a CSP without inline scripts and may not be framed', async () => {
    for (const app of ['/portal/', '/workspace/', '/designer/', '/portal/requests/42']) {
      const res = await fetch(`${srv.url}${app}`, { redirect: 'manual' });
      const csp = res.headers.get('content-security-policy') ?? '';
      const script = csp.split(';').find((d) => d.trim().startsWith('script-src')) ?? '';
      expect(script, app).toContain("'self'");
      expect(script, app).not.toContain('unsafe-inline');
      expect(csp, app).toContain("frame-ancestors 'none'");
      expect(csp, app).toContain("object-src 'none'");
      expect(res.headers.get('x-frame-options'), app).toBe('DENY');
    }
  });
});

/** The big screen is the one page a frame may show, and only for the origins the operator lists. */
describe('big-screen framing', () => {
  it('frame-ancestors lists only origins or self; anything that could change the header is refused', () => {
    expect(parseFrameAncestors(undefined)).toEqual([]);
    expect(parseFrameAncestors("https://noc.example.com/, 'self' https://*.example.org:8443")).toEqual([
      'https://noc.example.com',
      "'self'",
      'https://*.example.org:8443',
    ]);
    for (const bad of [
      '*',
      'https://a.example.com/path',
      "https://a.example.com; script-src 'unsafe-inline'",
      'ftp://x',
    ])
      expect(() => parseFrameAncestors(bad), bad).toThrow(/is not an origin/);
    expect(() => loadConfig({ OPSLOOM_BIGSCREEN_FRAME_ANCESTORS: '*' })).toThrow(
      /OPSLOOM_BIGSCREEN_FRAME_ANCESTORS/,
    );
  });

  it('without the setting nobody frames /bigscreen; with it, the listed origins frame it and nothing else', async () => {
    const closed = await startTestServer('sqlite');
    const open = await startTestServer('sqlite', {
      env: { OPSLOOM_BIGSCREEN_FRAME_ANCESTORS: 'https://noc.example.com' },
    });
    try {
      const wall = await fetch(`${closed.url}/bigscreen/service-desk`);
      expect(wall.headers.get('content-security-policy')).toContain("frame-ancestors 'none'");
      expect(wall.headers.get('x-frame-options')).toBe('DENY');
      const framed = await fetch(`${open.url}/bigscreen/service-desk`);
      expect(framed.headers.get('content-security-policy')).toContain(
        'frame-ancestors https://noc.example.com',
      );
      expect(framed.headers.get('x-frame-options')).toBeNull();
      // The other apps and the API stay unframeable.
      for (const path of ['/workspace/', '/portal/', '/api/v1/bigscreen/service-desk/stamp']) {
        const res = await fetch(`${open.url}${path}`);
        expect(res.headers.get('content-security-policy'), path).toContain("frame-ancestors 'none'");
      }
    } finally {
      await closed.close();
      await open.close();
    }
  });
});
