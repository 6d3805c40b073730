import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTicket, type People, publishRule, startNotifyServer, until } from '../notify/setup.ts';
import { testDatabases } from '../support/databases.ts';
import type { TestServer } from '../support/server.ts';

const rule = (key: string, body: Record<string, unknown>) => ({ kind: 'rule', key, name: key, ...body });

describe.each(testDatabases())('automation rules on %s', (dbName) => {
  let srv: TestServer;
  let people: People;

  beforeAll(async () => {
    ({ srv, people } = await startNotifyServer(dbName));
    await publishRule(
      srv,
      rule('vip-triage', {
        event: 'record.created',
        form: 'ticket',
        condition: 'record.category == "vip" && record.priority == "P3"',
        actions: [
          { type: 'raisePriority' },
          { type: 'assign', assignee: { type: 'user', value: 'bob' } },
          { type: 'setField', field: 'note', value: '"auto: " + record.title' },
        ],
      }),
    );
    await publishRule(
      srv,
      rule('tell-assignee', {
        event: 'task.assigned',
        form: 'ticket',
        condition: 'record.category == "vip"',
        actions: [
          {
            type: 'notify',
            channel: 'inapp',
            recipients: [{ type: 'assignee' }],
            template: {
              subject: { 'zh-CN': '新任务：{{ record.number }}', en: 'New task: {{ record.number }}' },
              body: {
                'zh-CN': '{{ task.name | localize }}：{{ record.title }}',
                en: '{{ task.name | localize }}: {{ record.title }}',
              },
            },
          },
        ],
      }),
    );
    await publishRule(
      srv,
      rule('resolve-by-comment', {
        event: 'record.commented',
        form: 'ticket',
        condition: 'event.body.contains("#resolve")',
        actions: [{ type: 'transition', action: 'resolve' }],
      }),
    );
    await publishRule(
      srv,
      rule('tell-requester-resolved', {
        event: 'record.transitioned',
        condition: 'record.status == "resolved" && changes.status.to == "resolved"',
        actions: [
          {
            type: 'notify',
            channel: 'inapp',
            recipients: [{ type: 'requester' }],
            template: {
              subject: { 'zh-CN': '{{ record.number }} 已解决', en: '{{ record.number }} resolved' },
              body: '{{ link }}',
            },
          },
        ],
      }),
    );
    await publishRule(
      srv,
      rule('count-updates', {
        event: 'record.updated',
        form: 'ticket',
        condition: 'record.category == "loop"',
        actions: [
          { type: 'setField', field: 'counter', value: '"counter" in record ? record.counter + 1 : 1' },
        ],
      }),
    );
    await publishRule(
      srv,
      rule('limited', {
        event: 'record.created',
        form: 'ticket',
        condition: 'record.category == "limit"',
        maxActionsPerRun: 2,
        actions: [
          { type: 'setField', field: 'note', value: '"one"' },
          { type: 'setField', field: 'owner', value: '"two"' },
          { type: 'setField', field: 'counter', value: '3' },
        ],
      }),
    );
    await publishRule(
      srv,
      rule('broken', {
        event: 'record.created',
        form: 'ticket',
        condition: 'record.category == "broken"',
        actions: [{ type: 'setField', field: 'priority', value: '"P9"' }],
      }),
    );
  });
  afterAll(() => srv?.close());

  const record = async (id: number) => (await srv.admin.get(`/records/${id}`)).body;
  const history = async (id: number) => (await srv.admin.get(`/records/${id}/history`)).body.items as any[];

  it('record.created + condition: raise priority, assign, set a field; task.assigned tells the assignee', async () => {
    const rec = await createTicket(people.wang, { category: 'vip', priority: 'P3' });
    const done = await until(async () => {
      const r = await record(rec.id);
      return (r.note ?? r.data.note) ? r : null;
    }, 'rule actions');
    expect(done.priority).toBe('P2');
    expect(done.assignee).toBe('bob');
    expect(done.data.note).toBe('auto: Printer on fire');
    // The open task followed the record: bob can act on it now.
    const [task] = (await people.bob.get(`/records/${rec.id}/tasks`)).body.items;
    expect(task.assignee).toBe('bob');
    expect(task.can.act).toBe(true);
    const h = await history(rec.id);
    // Other rules ran on this record's events too (tell-assignee): find vip-triage's entry by its detail.
    const ran = h.find((e) => e.kind === 'rule' && e.detail?.rule === 'vip-triage');
    expect(ran.actor).toBe('rule:vip-triage');
    expect(JSON.stringify(ran)).toContain('raisePriority:P2');
    expect(h.some((e) => e.kind === 'field' && e.field === 'priority' && e.actor === 'rule:vip-triage')).toBe(
      true,
    );
    // The rule's assignment emitted task.assigned, which another rule turned into an inbox message in bob's language.
    const inbox = await until(async () => {
      const items = (await people.bob.get('/inbox')).body.items as any[];
      return items.find((i) => i.title === `New task: ${rec.number}`);
    }, 'inbox message');
    expect(inbox.body).toBe('Work on it: Printer on fire');
    // The runtime's own message for a task assigned reaches bob too, from the same events: once as a
    // member of the queue the new task went to, once when the rule assigned it to him.
    const own = await until(async () => {
      const items = (await people.bob.get('/inbox')).body.items as any[];
      const mine = items.filter((i) => i.event === 'task.assigned' && i.title.startsWith(rec.number));
      return mine.length ? mine : null;
    }, 'the runtime message');
    await until(async () => {
      const items = (await people.bob.get('/inbox')).body.items as any[];
      return (
        items.filter((i) => i.event === 'task.assigned' && i.title === own[0].title).length === 2 || null
      );
    }, 'both runtime messages');
    expect(own[0].title).toBe(`${rec.number} is waiting for you: Printer on fire`);
    // The condition does not hold for other tickets.
    const plain = await createTicket(people.wang, { category: 'vip', priority: 'P4' });
    await new Promise((r) => setTimeout(r, 400));
    expect((await record(plain.id)).priority).toBe('P4');
  });

  it('record.commented → transition (the open task’s edge); record.transitioned → notify the requester', async () => {
    const rec = await createTicket(people.wang, { category: 'other' });
    const c = await people.wang.post(`/records/${rec.id}/comments`, { body: 'fixed it myself #resolve' });
    expect(c.status, JSON.stringify(c.body)).toBe(201);
    const resolved = await until(async () => {
      const r = await record(rec.id);
      return r.status === 'resolved' ? r : null;
    }, 'resolved by rule');
    expect(resolved.resolvedAt).toBeGreaterThan(0);
    expect((await people.bob.get(`/records/${rec.id}/tasks`)).body.items).toEqual([]);
    const t = (await history(rec.id)).find((e) => e.kind === 'transition');
    expect(t.actor).toBe('rule:resolve-by-comment');
    const msg = await until(async () => {
      const items = (await people.wang.get('/inbox')).body.items as any[];
      return items.find((i) => i.title === `${rec.number} 已解决`);
    }, 'requester told in zh-CN');
    expect(msg.body).toBe(`https://itsm.example.com/portal/requests/${rec.id}`);
  });

  it('a rule that triggers itself runs once and stops with a history note', async () => {
    const rec = await createTicket(people.wang, { category: 'loop' });
    const fresh = await record(rec.id);
    const patched = await people.bob.patch(`/records/${rec.id}`, {
      version: fresh.version,
      data: { owner: 'bob' },
    });
    expect(patched.status, JSON.stringify(patched.body)).toBe(200);
    const note = await until(
      async () => (await history(rec.id)).find((e) => e.kind === 'rule_skipped'),
      'loop note',
    );
    expect(note.actor).toBe('rule:count-updates');
    expect(note.detail).toMatchObject({ rule: 'count-updates', reason: 'loop', chain: ['count-updates'] });
    await new Promise((r) => setTimeout(r, 500));
    expect((await record(rec.id)).data.counter).toBe(1);
    expect((await history(rec.id)).filter((e) => e.kind === 'rule')).toHaveLength(1);
  });

  it('a run stops after maxActionsPerRun actions, with a note', async () => {
    const rec = await createTicket(people.wang, { category: 'limit' });
    const note = await until(
      async () => (await history(rec.id)).find((e) => e.kind === 'rule_limit'),
      'limit note',
    );
    expect(note.detail).toMatchObject({ rule: 'limited', limit: 2, skipped: 1 });
    const r = await record(rec.id);
    expect(r.data.note).toBe('one');
    expect(r.data.owner).toBe('two');
    expect(r.data.counter).toBeUndefined();
  });

  it('an action that cannot be carried out is rolled back and noted; other rules still run', async () => {
    const rec = await createTicket(people.wang, { category: 'broken', priority: 'P4' });
    const note = await until(
      async () => (await history(rec.id)).find((e) => e.kind === 'rule_failed'),
      'failure',
    );
    expect(note.detail.rule).toBe('broken');
    expect(note.detail.error).toContain('priority');
    expect((await record(rec.id)).priority).toBe('P4');
  });

  it('preview renders a template against a record, per language and recipient', async () => {
    const rec = await createTicket(people.wang, { category: 'preview' });
    const template = {
      subject: { 'zh-CN': '工单 {{ record.number }}', en: 'Ticket {{ record.number }}' },
      body: {
        'zh-CN': '{{ recipient.displayName }} 您好：{{ link }}',
        en: 'Hi {{ recipient.displayName }}: {{ link }}',
      },
    };
    const en = await srv.admin.post('/notifications/preview', { template, recordId: rec.id, locale: 'en' });
    expect(en.status, JSON.stringify(en.body)).toBe(200);
    expect(en.body).toMatchObject({
      subject: `Ticket ${rec.number}`,
      locale: 'en',
      link: `https://itsm.example.com/workspace/records/${rec.id}`,
    });
    const asWang = await srv.admin.post('/notifications/preview', {
      template,
      recordId: rec.id,
      recipient: 'wang',
    });
    expect(asWang.body).toEqual({
      subject: `工单 ${rec.number}`,
      body: `王小明 您好：https://itsm.example.com/portal/requests/${rec.id}`,
      locale: 'zh-CN',
      link: `https://itsm.example.com/portal/requests/${rec.id}`,
    });
    const bad = await srv.admin.post('/notifications/preview', {
      template: { body: '{{ oops' },
      recordId: rec.id,
    });
    expect(bad.status).toBe(422);
    expect(bad.body.error.code).toBe('template_invalid');
    expect(bad.body.error.details.problems[0].message['zh-CN']).toContain('模板');
    expect((await srv.admin.post('/notifications/preview', { template, recordId: 99999999 })).status).toBe(
      404,
    );
    expect(
      (await srv.admin.post('/notifications/preview', { template, recordId: rec.id, recipient: 'ghost' }))
        .status,
    ).toBe(404);
    expect((await srv.admin.post('/notifications/preview', { recordId: rec.id })).status).toBe(400);
    expect((await people.bob.post('/notifications/preview', { template, recordId: rec.id })).status).toBe(
      403,
    );
  });
});
