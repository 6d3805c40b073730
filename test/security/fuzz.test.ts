import http from 'node:http';
import knex, { type Knex } from 'knex';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApiClient, isCodedRefusal } from '../support/client.ts';
import { testDatabases } from '../support/databases.ts';
import { DEMO_PASSWORD, SHIPPED_PLUGINS } from '../support/plugins.ts';
import { startTestServer, type TestServer } from '../support/server.ts';
import { type FuzzRequest, malformed, operationsOf, random } from './fuzz-requests.ts';

/**
 * The bad-input fuzzer: every operation of the served OpenAPI document gets malformed requests
 * (fuzz-requests.ts), anonymously and with an admin's and a requester's token. No answer may be a
 * 5xx, none may hang, every refusal is a coded JSON error, a refused request writes nothing, and
 * the server is healthy afterwards. Seeded: OPSLOOM_FUZZ_SEED replays a run, OPSLOOM_FUZZ_RUNS
 * sets the requests per operation.
 */
const SEED = Number(process.env.OPSLOOM_FUZZ_SEED ?? 20261207);
const RUNS = Number(process.env.OPSLOOM_FUZZ_RUNS ?? 150);
const BODY_LIMIT = 64 * 1024;

/**
 * Tables a refused request may legitimately write: login throttling counts refused logins (that
 * is its job), sessions come and go with logins, and record numbers (MySQL: taken ahead of the
 * create's transaction) or id blocks may be spent by a create refused later, leaving a gap.
 */
const MAY_CHANGE = new Set([
  'knex_migrations',
  'knex_migrations_lock',
  'login_failures',
  'login_known_clients',
  'login_address_accounts',
  'sessions',
  'record_sequences',
  'id_blocks',
]);

/** One query that changes whenever a row is added, removed or its version, state or timestamps move. */
async function fingerprintQuery(db: Knex, dialect: string): Promise<string> {
  const columns: { table: string; column: string }[] =
    dialect === 'sqlite'
      ? (
          await Promise.all(
            (
              await db.raw("select name from sqlite_master where type = 'table' and name not like 'sqlite_%'")
            ).map(async (t: { name: string }) =>
              (
                await db.raw(`pragma table_info(\`${t.name}\`)`)
              ).map((c: { name: string }) => ({
                table: t.name,
                column: c.name,
              })),
            ),
          )
        ).flat()
      : (
          await db.raw(
            'select table_name as `table`, column_name as `column` from information_schema.columns where table_schema = database()',
          )
        )[0];
  const tables = new Map<string, string[]>();
  for (const { table, column } of columns) {
    if (MAY_CHANGE.has(table)) continue;
    tables.set(table, [...(tables.get(table) ?? []), column]);
  }
  const selects = [...tables].map(([table, cols]) => {
    const terms = ['count(*)'];
    for (const c of cols) {
      if (['version', 'revision', 'latest_version', 'updated_at', 'attempts'].includes(c))
        terms.push(`coalesce(sum(\`${c}\`), 0)`);
      if (['revoked_at', 'ended_at', 'closed_at', 'resolved_at', 'locked_until', 'decided_at'].includes(c))
        terms.push(`count(\`${c}\`)`);
      if (['status', 'state', 'roles', 'password_hash', 'draft', 'body', 'data'].includes(c))
        terms.push(`coalesce(sum(length(\`${c}\`)), 0)`);
    }
    return { table, terms };
  });
  // UNION ALL wants as many columns on every side: the shorter ones are padded with zeros.
  const width = Math.max(...selects.map((x) => x.terms.length));
  return selects
    .map(({ table, terms }) => {
      const padded = [...terms, ...Array<string>(width - terms.length).fill('0')];
      return `select '${table}' as t, ${padded.map((x, i) => `${x} as c${i}`).join(', ')} from \`${table}\``;
    })
    .join(' union all ');
}

describe.each(testDatabases())('OpenAPI-driven bad-input fuzzer on %s', (dbName) => {
  let srv: TestServer;
  let db: Knex;
  let query: string;
  const identities: { name: string; headers: Record<string, string> }[] = [
    { name: 'anonymous', headers: {} },
  ];
  const ids = new Map<string, string>();

  beforeAll(async () => {
    // Jobs off: the only writes are the requests' own, so "a refused request wrote nothing" holds.
    srv = await startTestServer(dbName, {
      pluginsDir: SHIPPED_PLUGINS,
      demo: true,
      jobs: false,
      env: { OPSLOOM_BODY_LIMIT: '64kb' },
    });
    db =
      dbName === 'sqlite'
        ? knex({
            client: 'better-sqlite3',
            connection: { filename: srv.db.url.slice('sqlite://'.length) },
            useNullAsDefault: true,
          })
        : knex({ client: 'mysql2', connection: srv.db.url });
    query = await fingerprintQuery(db, dbName);
    const zhaolei = await new ApiClient(srv.url).login('zhaolei', DEMO_PASSWORD);
    for (const [name, client] of [
      ['admin', srv.admin],
      ['requester', zhaolei],
    ] as const) {
      const token = await client.post('/auth/tokens', { name: `fuzz ${name}` });
      identities.push({ name, headers: { authorization: `Bearer ${token.body.token}` } });
    }
    // Something for path parameters to name, so a request broken elsewhere gets past the lookups.
    const rec = await zhaolei.post('/records', {
      type: 'incident',
      catalogItem: 'incident-catalog/report-incident',
      data: { title: 'fuzz', description: '-', category: 'other', impact: 3, urgency: 3 },
    });
    const task = (await srv.admin.get(`/records/${rec.body.id}/tasks`)).body.items[0];
    // Token ids in paths name a token of its own, so a revoke the fuzzer gets right revokes that one.
    const victim = await srv.admin.post('/auth/tokens', { name: 'fuzz victim' });
    ids.set('/auth/tokens/{id}', String(victim.body.id));
    for (const [name, value] of Object.entries({
      id: String(rec.body.id),
      taskId: String(task.id),
      kind: 'form',
      key: 'incident',
      username: 'zhaolei',
      name: 'FUZZ_SECRET',
      version: '1',
      action: 'accept',
      number: rec.body.number,
    }))
      ids.set(name, value);
  }, 120_000);
  afterAll(async () => {
    await db?.destroy();
    await srv?.close();
  });

  const fingerprint = async () =>
    JSON.stringify(await db.raw(query).then((r) => (dbName === 'mysql' ? r[0] : r)));

  /** node:http, not fetch: fetch refuses a GET with a body, which a hostile client may well send. */
  function send(
    req: FuzzRequest,
    headers: Record<string, string>,
  ): Promise<{ status: number; body: unknown; headers: Headers }> {
    return new Promise((resolve, reject) => {
      const r = http.request(
        req.url,
        {
          method: req.method,
          headers: {
            ...req.headers,
            ...headers,
            'accept-language': 'zh-CN',
            ...(req.body === undefined ? {} : { 'content-length': String(Buffer.byteLength(req.body)) }),
          },
          timeout: 15_000,
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () => {
            const text = Buffer.concat(chunks).toString();
            let body: unknown = text;
            try {
              body = JSON.parse(text);
            } catch {
              // not JSON
            }
            const h = new Headers();
            for (const [k, v] of Object.entries(res.headers)) if (typeof v === 'string') h.set(k, v);
            resolve({ status: res.statusCode ?? 0, body, headers: h });
          });
        },
      );
      r.on('timeout', () => r.destroy(new Error('no answer within 15 s')));
      r.on('error', reject);
      r.end(req.body);
    });
  }

  it(`answers ${RUNS} malformed requests per operation below 500, coded, writing nothing when refused (seed ${SEED})`, async () => {
    const doc = await (await fetch(`${srv.url}/api/v1/openapi.json`)).json();
    const operations = operationsOf(doc);
    expect(operations.length).toBeGreaterThan(50);
    const rand = random(SEED);
    const failures: string[] = [];
    const statuses = new Map<number, number>();
    let before = await fingerprint();
    for (const op of operations) {
      for (let i = 0; i < RUNS && failures.length < 20; i++) {
        const who = identities[i % identities.length]!;
        const idFor = (name: string) => ids.get(op.path.replace(/^\/api\/v1/, '')) ?? ids.get(name) ?? '1';
        const req = malformed(op, rand, srv.url, idFor, BODY_LIMIT);
        const where = `${req.method} ${op.path} as ${who.name}: ${req.what} (seed ${SEED}, operation ${op.method} ${op.path}, draw ${i})`;
        let reply: Awaited<ReturnType<typeof send>>;
        try {
          reply = await send(req, who.headers);
        } catch (err) {
          failures.push(`${where}: no answer (${(err as Error).message})`);
          continue;
        }
        statuses.set(reply.status, (statuses.get(reply.status) ?? 0) + 1);
        if (reply.status >= 500) {
          failures.push(`${where}: ${reply.status} ${JSON.stringify(reply.body).slice(0, 300)}`);
          continue;
        }
        if (reply.status >= 400) {
          const json = (reply.headers.get('content-type') ?? '').includes('json');
          if (!json || !isCodedRefusal({ ...reply, body: reply.body as never }, 'zh-CN'))
            failures.push(
              `${where}: ${reply.status} is not a coded refusal in Chinese: ${String(JSON.stringify(reply.body)).slice(0, 200)}`,
            );
          const after = await fingerprint();
          if (after !== before)
            failures.push(`${where}: refused with ${reply.status} but wrote to the database`);
          before = after;
        } else {
          // Accepted (a request broken only where the route does not look): it may write.
          before = await fingerprint();
        }
      }
    }
    console.log(
      `fuzzer (${dbName}, seed ${SEED}): ${operations.length} operations × ${RUNS}; answers ${JSON.stringify(Object.fromEntries(statuses))}`,
    );
    expect(failures).toEqual([]);
    const health = await send({ method: 'GET', url: `${srv.url}/api/v1/health`, headers: {}, what: '' }, {});
    expect(health.status).toBe(200);
    expect((health.body as { status: string }).status).toBe('ok');
    expect(({} as Record<string, unknown>).admin).toBeUndefined();
  }, 900_000);
});
