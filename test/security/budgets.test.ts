import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ApiClient } from '../support/client.ts';
import { testDatabases } from '../support/databases.ts';
import { formDef, processDef, publishDefinitions } from '../support/fixtures.ts';
import { startTestServer, type TestServer } from '../support/server.ts';

// Requester-supplied data must never be able to freeze the server: regular expressions run on RE2,
// expressions and templates have budgets, and publish refuses what would always run out.

const CATASTROPHIC = '^(a+)+$';
const EVIL = `${'a'.repeat(30)}!`;

const form = formDef('budget-form', {
  numberPrefix: 'BUD',
  schema: {
    type: 'object',
    required: ['title'],
    properties: {
      title: { type: 'string', maxLength: 2000 },
      code: { type: 'string' },
      serial: { type: 'string', pattern: CATASTROPHIC },
      items: { type: 'array', items: { type: 'object', properties: { price: { type: 'number' } } } },
      tags: { type: 'array', items: { type: 'string' } },
      justification: { type: 'string' },
    },
  },
  rules: [
    {
      id: 'code-check',
      when: `record.code.matches("${CATASTROPHIC}")`,
      effect: 'require',
      fields: ['justification'],
    },
    {
      id: 'expensive-pair',
      when: 'record.items.exists(a, record.items.exists(b, a.price + b.price > 1000000))',
      effect: 'require',
      fields: ['justification'],
    },
  ],
});

const catalog = {
  kind: 'catalog',
  key: 'budget-catalog',
  name: { 'zh-CN': '预算测试', en: 'Budget tests' },
  categories: [{ id: 'c', name: { 'zh-CN': '测试', en: 'Tests' } }],
  items: [
    {
      id: 'budget',
      name: { 'zh-CN': '测试单', en: 'Test ticket' },
      category: 'c',
      form: 'budget-form',
      process: 'budget-flow',
    },
  ],
};

/** Runs in the job runner after each create: quadratic over the tags, and a template that loops. */
const heavyRules = [
  {
    kind: 'rule',
    key: 'tag-pairs',
    name: { 'zh-CN': '标签两两比较', en: 'Tag pairs' },
    event: 'record.created',
    form: 'budget-form',
    condition: 'record.tags.map(a, record.tags.map(b, a + b)).size() > 0',
    actions: [{ type: 'setField', field: 'justification', value: '"seen"' }],
  },
  {
    kind: 'rule',
    key: 'loud-message',
    name: { 'zh-CN': '超长消息', en: 'Loud message' },
    event: 'record.created',
    form: 'budget-form',
    actions: [
      {
        type: 'notify',
        channel: 'inapp',
        recipients: [{ type: 'requester' }],
        template: { body: '{% for i in (1..100000) %}{{ record.title }}{% endfor %}' },
      },
    ],
  },
];

describe.each(testDatabases())('expression, pattern and template budgets on %s', (dbName) => {
  let srv: TestServer;
  let requester: ApiClient;

  beforeAll(async () => {
    srv = await startTestServer(dbName);
    await srv.admin.post('/groups', { key: 'service-desk', name: { en: 'Desk' }, type: 'support' });
    await publishDefinitions(srv.admin, [
      form,
      processDef('budget-flow', 'budget-form'),
      catalog,
      ...heavyRules,
    ]);
    requester = await srv.userClient('budget-requester', ['user']);
  });
  afterAll(() => srv?.close());

  /**
   * Runs `work` while asking /health every 20 ms; returns work's answer and the slowest health
   * answer. The runtime shares this process's event loop, so a blocked loop shows here too.
   */
  async function whileWatchingHealth<T>(
    work: () => Promise<T>,
  ): Promise<{ result: T; slowestHealthMs: number }> {
    let slowest = 0;
    let done = false;
    const watcher = (async () => {
      while (!done) {
        const started = performance.now();
        const res = await fetch(`${srv.url}/api/v1/health`);
        await res.text();
        slowest = Math.max(slowest, performance.now() - started);
        await new Promise((r) => setTimeout(r, 20));
      }
    })();
    try {
      return { result: await work(), slowestHealthMs: slowest };
    } finally {
      done = true;
      await watcher;
    }
  }

  /**
   * The slowest /health answer while `work` runs, the best of three tries: the machine is shared,
   * so one try can be slow for reasons of its own, while a loop held by the work (seconds, before
   * these budgets) holds every try.
   */
  async function healthWhile<T>(work: () => Promise<T>): Promise<{ result: T; slowestHealthMs: number }> {
    let best = await whileWatchingHealth(work);
    for (let i = 0; i < 2 && best.slowestHealthMs >= 200; i++) {
      const next = await whileWatchingHealth(work);
      if (next.slowestHealthMs < best.slowestHealthMs) best = next;
    }
    return best;
  }

  const create = (data: Record<string, unknown>) =>
    requester.post('/records', {
      type: 'budget-form',
      catalogItem: 'budget-catalog/budget',
      data: { title: 't', ...data },
    });

  it('answers a catastrophic CEL matches at once, and /health within 200 ms meanwhile', async () => {
    const { result, slowestHealthMs } = await healthWhile(() =>
      Promise.all([
        create({ code: EVIL }),
        create({ code: EVIL }),
        create({ code: 'aaaa', justification: 'j' }),
      ]),
    );
    expect(result.map((r) => r.status)).toEqual([201, 201, 201]);
    expect(slowestHealthMs).toBeLessThan(200);
    // The rule still means what it says on a matching value.
    const needs = await create({ code: 'aaaa' });
    expect(needs.status).toBe(400);
    expect(needs.body.error.details.problems.map((p: { path: string }) => p.path)).toContain(
      '/justification',
    );
  });

  it('checks a JSON Schema pattern on RE2 too', async () => {
    const { result, slowestHealthMs } = await healthWhile(() => create({ serial: EVIL }));
    expect(result.status).toBe(400);
    expect(result.body.error.details.problems[0].path).toBe('/serial');
    expect(slowestHealthMs).toBeLessThan(200);
    expect((await create({ serial: 'aaa' })).status).toBe(201);
  });

  it('refuses data that runs a form rule out of budget with 422 naming the form and rule, writing nothing', async () => {
    const before = (await srv.admin.get('/records?type=budget-form')).body.total;
    const items = Array.from({ length: 2000 }, () => ({ price: 1 }));
    const { result, slowestHealthMs } = await healthWhile(() => create({ items }));
    expect(result.status).toBe(422);
    expect(result.body.error.code).toBe('expression_budget');
    expect(result.body.error.message).toContain('form budget-form');
    expect(result.body.error.message).toContain('/rules/1/when');
    expect(result.body.error.details.at).toBe('/rules/1/when');
    expect(slowestHealthMs).toBeLessThan(200);
    expect((await srv.admin.get('/records?type=budget-form')).body.total).toBe(before);
    // A table of ordinary size passes the same rule.
    expect((await create({ items: items.slice(0, 20) })).status).toBe(201);
  });

  it('stops a rule that runs out of budget in the job runner, and a template that would write 100 MB', async () => {
    const tags = Array.from({ length: 400 }, (_, i) => `tag-${i}`);
    const { result, slowestHealthMs } = await healthWhile(async () => {
      const created = await create({ title: 'x'.repeat(1000), tags });
      expect(created.status).toBe(201);
      await expect
        .poll(async () => {
          const history = (await srv.admin.get(`/records/${created.body.id}/history`)).body.items;
          return history
            .filter((h: { kind: string }) => h.kind === 'rule_failed')
            .map((h: { detail: { rule: string } }) => h.detail.rule)
            .sort();
        })
        .toEqual(['loud-message', 'tag-pairs']);
      return created;
    });
    expect(slowestHealthMs).toBeLessThan(200);
    const history = (await srv.admin.get(`/records/${result.body.id}/history`)).body.items;
    const failures = history.filter((h: { kind: string }) => h.kind === 'rule_failed');
    expect(failures.map((f: { detail: { error: string } }) => f.detail.error).join(' ')).toMatch(/budget/);
    expect(failures.map((f: { detail: { error: string } }) => f.detail.error).join(' ')).toMatch(
      /1000000|render limit/,
    );
    const record = (await srv.admin.get(`/records/${result.body.id}`)).body;
    expect(record.data.justification).toBeUndefined();
    const inbox = (await requester.get('/inbox')).body.items as { body?: string }[];
    expect(inbox.every((m) => (m.body ?? '').length < 1_000_000)).toBe(true);
  });

  it('refuses at publish what would always run out, or grows with a power of the data', async () => {
    const literal = `[${Array.from({ length: 80 }, (_, i) => i).join(', ')}]`;
    const cases = [
      {
        condition: `${literal}.map(a, ${literal}.map(b, ${literal}.map(c, a + b + c))).size() > 0`,
        code: 'expression.cost',
      },
      {
        condition: 'record.tags.exists(a, record.tags.exists(b, record.tags.exists(c, a == b && b == c)))',
        code: 'expression.unbounded',
      },
      { condition: 'record.code.matches("(a)\\\\1")', code: 'pattern.unsafe' },
    ];
    for (const [i, c] of cases.entries()) {
      const res = await srv.admin.post('/definitions', {
        ...heavyRules[0],
        key: `refused-${i}`,
        condition: c.condition,
      });
      expect(res.status, c.code).toBe(422);
      expect(res.body.error.details.problems.map((p: { code: string }) => p.code)).toEqual([c.code]);
      expect(res.body.error.details.problems[0].path).toBe('/condition');
    }
    const lookahead = await srv.admin.post(
      '/definitions',
      formDef('lookahead-form', {
        numberPrefix: 'LKA',
        schema: { type: 'object', properties: { title: { type: 'string', pattern: '^(?=.*[A-Z]).+$' } } },
      }),
    );
    expect(lookahead.status).toBe(422);
    expect(lookahead.body.error.details.problems[0]).toMatchObject({
      code: 'pattern.unsafe',
      path: '/schema/properties/title/pattern',
    });
    expect(lookahead.body.error.details.problems[0].message['zh-CN']).toMatch(/正则/);
  });
});
