import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testDatabases } from '../support/databases.ts';
import { formDef, processDef } from '../support/fixtures.ts';
import { startTestServer, type TestServer } from '../support/server.ts';

describe.each(testDatabases())('bad input on %s', (dbName) => {
  let srv: TestServer;
  beforeAll(async () => {
    srv = await startTestServer(dbName, { env: { OPSLOOM_BODY_LIMIT: '64kb' } });
  });
  afterAll(() => srv?.close());

  async function definitionCount(): Promise<number> {
    return (await srv.admin.get('/definitions')).body.items.length;
  }

  it('answers malformed JSON with 400 malformed_json', async () => {
    const res = await srv.admin.request('POST', '/definitions', undefined, {
      raw: '{"kind": "form", "key": ',
    });
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe('malformed_json');
    expect(res.body.error.message).toMatch(/not valid JSON/);
    const login = await srv.client().request('POST', '/auth/login', undefined, { raw: "{username:'admin'}" });
    expect(login.status).toBe(400);
  });

  it('answers a body that is not JSON with 415', async () => {
    const res = await srv.admin.request('POST', '/groups', undefined, {
      raw: 'key=x&type=support',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
    });
    expect(res.status).toBe(415);
    expect(res.body.error.code).toBe('unsupported_media_type');
  });

  it('names the field with the wrong type', async () => {
    const res = await srv.admin.post('/users', { username: 'typo', roles: 'admin' });
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe('validation_failed');
    expect(res.body.error.details.problems[0].path).toBe('/roles');
    expect(res.body.error.message).toContain('/roles');
    const login = await srv.client().post('/auth/login', { username: 42, password: 'x' });
    expect(login.status).toBe(400);
    expect(login.body.error.details.problems[0].path).toBe('/username');
  });

  it('names unknown and missing fields', async () => {
    const unknown = await srv.admin.post('/groups', {
      key: 'g-unknown',
      name: { en: 'G' },
      type: 'support',
      colour: 'red',
    });
    expect(unknown.status).toBe(400);
    expect(unknown.body.error.details.problems.map((p: { path: string }) => p.path)).toContain('/colour');
    expect(unknown.body.error.message).toContain('colour');
    const missing = await srv.admin.post('/groups', { name: { en: 'G' }, type: 'support' });
    expect(missing.status).toBe(400);
    expect(missing.body.error.details.problems.map((p: { path: string }) => p.path)).toContain('/key');
    expect((await srv.admin.get('/groups')).body.items.map((g: { key: string }) => g.key)).not.toContain(
      'g-unknown',
    );
  });

  it('names a bad query or path parameter', async () => {
    const q = await srv.admin.get('/users?limit=lots');
    expect(q.status).toBe(400);
    expect(q.body.error.details.problems[0].path).toBe('/limit');
    const p = await srv.admin.get('/definitions/widget/x1');
    expect(p.status).toBe(400);
    expect(p.body.error.details.problems.some((x: { path: string }) => x.path === '/kind')).toBe(true);
  });

  it('refuses an oversize body with 413 and stores nothing', async () => {
    const before = await definitionCount();
    const huge = formDef('huge-form', { description: 'x'.repeat(100_000) });
    const res = await srv.admin.post('/definitions', huge);
    expect(res.status).toBe(413);
    expect(res.body.error.code).toBe('body_too_large');
    expect(res.body.error.message).toContain('64kb');
    expect(await definitionCount()).toBe(before);
  });

  it('refuses an invalid definition with 422 naming every problem, and stores nothing', async () => {
    const before = await definitionCount();
    const broken = processDef('broken-flow');
    broken.nodes.push({ id: 'island', type: 'end', position: { x: 9, y: 9 }, outcome: 'closed' } as never);
    (broken.edges[1] as Record<string, unknown>).guards = [{ condition: 'record.reason ==', message: 'x' }];
    const res = await srv.admin.post('/definitions', broken);
    expect(res.status).toBe(422);
    expect(res.body.error.code).toBe('invalid_definition');
    const problems = res.body.error.details.problems as {
      path: string;
      code: string;
      message: { en: string; 'zh-CN': string };
    }[];
    expect(problems.length).toBeGreaterThanOrEqual(2);
    expect(problems.some((p) => p.message.en.includes('island'))).toBe(true);
    expect(problems.some((p) => p.path === '/edges/1/guards/0/condition')).toBe(true);
    for (const p of problems) expect(p.message['zh-CN']).not.toBe(p.message.en);
    expect(res.body.error.message).toMatch(/problem/);

    const unknownKind = await srv.admin.post('/definitions', { kind: 'spreadsheet', key: 'x1', name: 'X' });
    expect(unknownKind.status).toBe(422);
    const unknownField = await srv.admin.post('/definitions', formDef('extra-field', { colour: 'blue' }));
    expect(unknownField.status).toBe(422);
    expect(unknownField.body.error.details.problems[0].path).toBe('/colour');
    expect(await definitionCount()).toBe(before);
  });

  it('checks the definitions it is asked to validate without storing them', async () => {
    const before = await definitionCount();
    const res = await srv.admin.post('/definitions/validate', { kind: 'form', key: 'v', name: 'V' });
    expect(res.status).toBe(200);
    expect(res.body.ok).toBe(false);
    expect(res.body.problems.map((p: { path: string }) => p.path)).toContain('/schema');
    expect(await definitionCount()).toBe(before);
  });

  it('answers unknown routes and methods with JSON errors', async () => {
    const res = await srv.admin.get('/no-such-thing');
    expect(res.status).toBe(404);
    expect(res.body.error.code).toBe('route_not_found');
    const method = await srv.admin.request('PATCH', '/health', {});
    expect(method.status).toBe(405);
    expect(method.body.error.code).toBe('method_not_allowed');
  });

  it('refuses numbers out of range that ajv would take: Infinity (1e400) in a query or a body', async () => {
    const q = await srv.admin.get('/notifications/outbox?before=1e400');
    expect(q.status).toBe(400);
    expect(q.body.error.details.problems[0].path).toBe('/before');
    const huge = await srv.admin.get('/users?limit=20&offset=99999999999999999999');
    expect(huge.status).toBe(400);
    const body = await srv.admin.request('POST', '/auth/tokens', undefined, {
      raw: '{"name":"x","expiresInDays":1e400}',
    });
    expect(body.status).toBe(400);
    expect(body.body.error.details.problems[0].path).toBe('/expiresInDays');
  });

  it('refuses a body sent to a call that takes none', async () => {
    const res = await srv.admin.post('/auth/logout', { everything: true });
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe('validation_failed');
    expect((await srv.admin.get('/auth/session')).status).toBe(200);
  });

  it('answers a missing definition with 404 naming it', async () => {
    const res = await srv.admin.get('/definitions/form/never-made');
    expect(res.status).toBe(404);
    expect(res.body.error.message).toContain('never-made');
  });
});
