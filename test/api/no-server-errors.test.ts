import { allRoutes } from '@opsloom/runtime';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AnyRoute } from '../../runtime/src/http/api.ts';
import { REPORT_INCIDENT } from '../records/helpers.ts';
import { ApiClient, isCodedRefusal, type Reply } from '../support/client.ts';
import { testDatabases } from '../support/databases.ts';
import { DEMO_PASSWORD, SHIPPED_PLUGINS } from '../support/plugins.ts';
import { startTestServer, type TestServer } from '../support/server.ts';

/**
 * Every route, whoever calls it with whatever input, answers below 500, and every refusal is the
 * runtime's JSON error naming a code and saying what is wrong, in Chinese when asked in Chinese.
 * Inputs are drawn from the route's own schemas (so many get past the request check into the
 * handler) with any node replaced now and then by something else: a wrong type, an empty or
 * oversize string, a hostile string. A new route is covered the day it is added. Seeded, so a
 * failure reproduces (the first failing input is reported as drawn: shrinking would replay
 * requests against a database that has moved on).
 */

// Well under 30: POST /auth/login's failures on distinct accounts count against this client's
// address (30 an hour, auth/throttle.ts), and the throwaway user signs in again for the routes
// after it (from an address that logged it in before, so the address limit does not hold it).
const RUNS_PER_ROUTE = 12;

const HOSTILE = [
  null,
  0,
  -1,
  1.5,
  2 ** 53,
  '',
  ' ',
  'x'.repeat(5000),
  '💥\u0000\u202e',
  "' OR 1=1 --",
  '../../etc/passwd',
  '{{ 7 * 7 }}',
  '<script>alert(1)</script>',
  true,
  [],
  {},
  [null],
  { a: { b: [1, { c: 'd' }] } },
];

/** Words the runtime knows, so a drawn string sometimes names something that exists. */
const KNOWN = [
  'incident',
  'incident-flow',
  'service-request',
  'change',
  'form',
  'process',
  'rule',
  'sla',
  'service-desk',
  'alice',
  'open',
  'triage',
  'P1',
  'network',
  'en',
  'zh-CN',
];

type Schema = {
  type?: string;
  anyOf?: Schema[];
  const?: unknown;
  enum?: unknown[];
  items?: Schema;
  properties?: Record<string, Schema>;
  required?: string[];
};

function input(schema: Schema | undefined, depth = 0): fc.Arbitrary<unknown> {
  const other = fc.oneof(fc.constantFrom(...HOSTILE), fc.jsonValue({ maxDepth: 2 }));
  if (!schema || depth > 4) return other;
  return fc.oneof({ weight: 1, arbitrary: other }, { weight: 12, arbitrary: shaped(schema, depth) });
}

function shaped(s: Schema, depth: number): fc.Arbitrary<unknown> {
  if (s.anyOf?.length) return fc.oneof(...s.anyOf.map((x) => input(x, depth + 1)));
  if (s.const !== undefined) return fc.constant(s.const);
  if (s.enum?.length) return fc.constantFrom(...s.enum);
  switch (s.type) {
    case 'string':
      return fc.oneof(
        { weight: 3, arbitrary: fc.constantFrom(...KNOWN) },
        { weight: 1, arbitrary: fc.string({ maxLength: 30 }) },
      );
    case 'integer':
      return fc.oneof(fc.integer({ min: -2, max: 50 }), fc.constantFrom(2 ** 31, 2 ** 53));
    case 'number':
      return fc.double({ noNaN: true, noDefaultInfinity: true });
    case 'boolean':
      return fc.boolean();
    case 'array':
      return fc.array(input(s.items, depth + 1), { maxLength: 3 });
    case 'object': {
      const model: Record<string, fc.Arbitrary<unknown>> = {};
      for (const [key, value] of Object.entries(s.properties ?? {})) model[key] = input(value, depth + 1);
      return fc.record(model, { requiredKeys: (s.required ?? []).filter((k) => k in model) });
    }
    default:
      return fc.jsonValue({ maxDepth: 2 });
  }
}

/** A path parameter: what its schema allows, an id that exists, or junk. */
function pathValue(schema: Schema | undefined, ids: number[]): fc.Arbitrary<string> {
  return fc.oneof(
    { weight: 4, arbitrary: input(schema).map((v) => String(v)) },
    { weight: 2, arbitrary: fc.constantFrom(...ids.map(String)) },
    {
      weight: 1,
      arbitrary: fc.constantFrom('0', '-1', 'abc', '1.5', '99999999999999999999', 'x'.repeat(300), '%00'),
    },
  );
}

function request(route: AnyRoute, ids: number[]) {
  const params = (route.params as Schema | undefined)?.properties ?? {};
  const names = [...route.path.matchAll(/:(\w+)/g)].map((m) => m[1]!);
  const query = (route.query as Schema | undefined)?.properties ?? {};
  const queryArb: Record<string, fc.Arbitrary<unknown>> = {};
  for (const [key, value] of Object.entries(query)) queryArb[key] = input(value);
  return fc.record({
    path: fc.tuple(...names.map((n) => pathValue(params[n], ids))).map((values) => {
      let i = 0;
      return route.path.replace(/:(\w+)/g, () => encodeURIComponent(values[i++]!));
    }),
    query: fc.record(queryArb, { requiredKeys: [] }),
    body:
      route.method === 'get' || route.method === 'delete'
        ? fc.constant(undefined)
        : route.body
          ? input(route.body as Schema)
          : fc.oneof({ weight: 4, arbitrary: fc.constant({}) }, { weight: 1, arbitrary: input(undefined) }),
    caller: fc.oneof(
      { weight: 4, arbitrary: fc.constant('admin') },
      { weight: 1, arbitrary: fc.constantFrom('agent', 'manager', 'user', 'anonymous') },
    ),
    locale: fc.constantFrom('en', 'zh-CN'),
  });
}

function queryString(query: Record<string, unknown>): string {
  const parts = Object.entries(query).map(
    ([k, v]) =>
      `${encodeURIComponent(k)}=${encodeURIComponent(typeof v === 'string' ? v : JSON.stringify(v))}`,
  );
  return parts.length ? `?${parts.join('&')}` : '';
}

/** Every place in a JSON value, as the keys leading to it. */
function places(value: unknown, at: (string | number)[] = [], out: (string | number)[][] = []) {
  out.push(at);
  if (value && typeof value === 'object')
    for (const [k, v] of Object.entries(value)) places(v, [...at, Array.isArray(value) ? Number(k) : k], out);
  return out;
}

type Edit = { at: number; op: string; value: unknown; from: number };

/** A definition with a few places deleted, replaced, copied from elsewhere in it, or duplicated. */
function mutated(definition: unknown, edits: Edit[]): unknown {
  const copy = structuredClone(definition) as Record<string, unknown>;
  for (const edit of edits) {
    const all = places(copy).filter((p) => p.length > 0 && p[0] !== 'kind' && p[0] !== 'key');
    if (!all.length) break;
    const at = all[edit.at % all.length]!;
    let parent = copy as Record<string | number, unknown>;
    for (const k of at.slice(0, -1)) parent = parent[k] as Record<string | number, unknown>;
    const last = at[at.length - 1]!;
    const list = Array.isArray(parent) ? (parent as unknown[]) : null;
    if (edit.op === 'delete' && !list) delete parent[last];
    else if (edit.op === 'remove' && list) list.splice(Number(last), 1);
    else if (edit.op === 'duplicate' && list) list.push(structuredClone(list[Number(last)]));
    else if (edit.op === 'copy') {
      let source: unknown = copy;
      for (const k of all[edit.from % all.length]!) source = (source as Record<string | number, unknown>)[k];
      parent[last] = structuredClone(source);
    } else parent[last] = edit.value;
  }
  return copy;
}

describe.each(testDatabases())('no route answers 5xx on %s', (dbName) => {
  let srv: TestServer;
  let callers: Record<string, ApiClient>;
  const ids: number[] = [];

  beforeAll(async () => {
    srv = await startTestServer(dbName, { demo: true, pluginsDir: SHIPPED_PLUGINS });
    const login = (u: string) => new ApiClient(srv.url).login(u, DEMO_PASSWORD);
    callers = {
      admin: srv.admin,
      agent: await login('zhangwei'),
      manager: await login('chenjing'),
      user: await login('zhaolei'),
      anonymous: srv.client(),
    };
    // Something real to point at: a record and its task.
    const rec = await callers.user!.post('/records', {
      type: 'incident',
      catalogItem: REPORT_INCIDENT,
      data: { title: '打印机卡纸', description: '三楼打印机', category: 'hardware', impact: 3, urgency: 3 },
    });
    expect(rec.status).toBe(201);
    ids.push(rec.body.id);
    const tasks = await callers.admin!.get(`/records/${rec.body.id}/tasks`);
    ids.push(...tasks.body.items.map((t: { id: number }) => t.id));
    // The account the routes that end or change a session are drawn against.
    await srv.userClient('fuzz-victim', ['agent'], ['service-desk']);
  }, 120_000);
  afterAll(() => srv?.close());

  // Routes that end the caller's own session or change its password run as a throwaway user,
  // so the callers above stay signed in for the routes after them.
  const selfService = (route: AnyRoute) => route.path === '/auth/logout' || route.path === '/auth/password';

  it('runs what passes a definition check: a published mutant of a shipped definition never makes a 5xx', async () => {
    const shipped = (await srv.admin.get('/definitions')).body.items as { kind: string; key: string }[];
    const edit = fc.record({
      at: fc.nat(),
      op: fc.constantFrom('delete', 'replace', 'copy', 'duplicate', 'remove'),
      value: input(undefined),
      from: fc.nat(),
    });
    const run = fc.record({
      target: fc.constantFrom(...shipped),
      edits: fc.array(edit, { minLength: 1, maxLength: 3 }),
    });
    await fc.assert(
      fc.asyncProperty(run, async ({ target, edits }) => {
        const url = `/definitions/${target.kind}/${target.key}`;
        const check = (reply: Reply, what: string) => {
          const said = `${what} after ${JSON.stringify(edits).slice(0, 400)} on ${url}: ${reply.status} ${JSON.stringify(reply.body)?.slice(0, 300)}`;
          expect(reply.status, said).toBeLessThan(500);
          if (reply.status >= 400) expect(isCodedRefusal(reply), said).toBe(true);
          return reply;
        };
        const original = check(await srv.admin.get(url), 'read');
        const mutant = mutated(original.body.definition, edits);
        const put = check(
          await srv.admin.put(`${url}/draft`, { revision: original.body.revision, definition: mutant }),
          'draft',
        );
        if (put.status >= 300) return;
        const published = check(
          await srv.admin.post(`${url}/publish`, { revision: put.body.revision }),
          'publish',
        );
        if (published.status < 300) {
          await exercise(check);
          // Back to the shipped definition, so each run breaks one thing.
          const now = (await srv.admin.get(url)).body.revision;
          const restored = check(
            await srv.admin.put(`${url}/draft`, { revision: now, definition: original.body.definition }),
            'restore',
          );
          check(await srv.admin.post(`${url}/publish`, { revision: restored.body.revision }), 'republish');
        } else await srv.admin.delete(`${url}/draft`);
      }),
      { numRuns: 60, seed: 20261205, endOnFailure: true },
    );
  }, 600_000);

  /** A ticket's life as far as the published definitions let it go. */
  async function exercise(check: (reply: Reply, what: string) => Reply) {
    const created = check(
      await callers.user!.post('/records', {
        type: 'incident',
        catalogItem: REPORT_INCIDENT,
        data: {
          title: '邮件发不出去',
          description: 'Outlook 报错',
          category: 'software',
          impact: 2,
          urgency: 2,
        },
      }),
      'create',
    );
    check(await callers.user!.get('/catalog'), 'catalog');
    check(await callers.user!.get('/forms/incident'), 'form');
    check(await callers.agent!.get('/records?type=incident&limit=5'), 'list');
    if (created.status !== 201) return;
    const id = created.body.id;
    const tasks = check(await callers.admin!.get(`/records/${id}/tasks`), 'tasks');
    for (const task of tasks.body.items ?? [])
      for (const action of (task.actions ?? []).slice(0, 1))
        check(
          await callers.admin!.post(`/tasks/${task.id}/actions/${action.key}`, { comment: '已处理' }),
          `action ${action.key}`,
        );
    check(await callers.agent!.get(`/records/${id}`), 'read');
    check(await callers.agent!.get(`/records/${id}/history`), 'history');
    check(await callers.agent!.get(`/records/${id}/sla`), 'sla');
  }

  it('answers every route below 500, and every refusal with a coded error', async () => {
    let seed = 20261204;
    for (const route of allRoutes) {
      await fc.assert(
        fc.asyncProperty(request(route, ids), async (r) => {
          const client = selfService(route)
            ? await new ApiClient(srv.url).login('fuzz-victim', 'fuzz-victim-password')
            : callers[r.caller]!;
          client.locale = r.locale;
          const reply = await client.request(
            route.method.toUpperCase(),
            r.path + queryString(r.query),
            r.body,
          );
          const what = `${route.method.toUpperCase()} ${r.path} as ${r.caller} (${r.locale}): ${reply.status} ${JSON.stringify(reply.body)?.slice(0, 300)}`;
          expect(reply.status, what).toBeLessThan(500);
          if (reply.status >= 400) expect(isCodedRefusal(reply, r.locale), what).toBe(true);
        }),
        { numRuns: RUNS_PER_ROUTE, seed: seed++, endOnFailure: true },
      );
    }
  }, 600_000);
});
