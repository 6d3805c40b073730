import { allRoutes } from '@opsloom/runtime';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../support/server.ts';

describe('OpenAPI document', () => {
  let srv: TestServer;
  let doc: any;
  beforeAll(async () => {
    srv = await startTestServer('sqlite');
    const res = await fetch(`${srv.url}/api/v1/openapi.json`);
    expect(res.status).toBe(200);
    doc = await res.json();
  });
  afterAll(() => srv?.close());

  it('is an OpenAPI 3.1 document that the validator accepts', async () => {
    const { Validator } = await import('@seriousme/openapi-schema-validator');
    const validator = new Validator();
    const result = await validator.validate(doc);
    expect(result.errors ?? []).toEqual([]);
    expect(result.valid).toBe(true);
  });

  it('covers every route the server answers', () => {
    const served = allRoutes.map((r) => `${r.method} /api/v1${r.path.replace(/:(\w+)/g, '{$1}')}`);
    const documented = Object.entries(doc.paths as Record<string, Record<string, unknown>>).flatMap(
      ([path, ops]) => Object.keys(ops).map((m) => `${m} ${path}`),
    );
    expect(documented.sort()).toEqual(served.sort());
    expect(served).toContain('get /api/v1/health');
    expect(served).toContain('post /api/v1/auth/login');
    expect(served).toContain('post /api/v1/definitions/validate');
  });

  it('describes request bodies and roles', () => {
    const login = doc.paths['/api/v1/auth/login'].post;
    expect(login.requestBody.content['application/json'].schema.required).toEqual(['username', 'password']);
    expect(doc.paths['/api/v1/users'].post['x-roles']).toEqual(['admin']);
  });

  it('reports health with the database reachable and migrations current', async () => {
    const res = await srv.client().get('/health');
    expect(res.status).toBe(200);
    expect(res.body).toEqual({
      status: 'ok',
      database: { reachable: true, dialect: 'sqlite', pendingMigrations: [], problem: null },
      retries: { transactions: 0, statements: 0, exhausted: 0 },
    });
  });
});
