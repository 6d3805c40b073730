import { createHmac } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testDatabases } from '../support/databases.ts';
import type { TestServer } from '../support/server.ts';
import { type HttpPeer, startHttpPeer } from './peers.ts';
import { createTicket, type People, publishRule, retire, startNotifyServer, until } from './setup.ts';

const SECRET = 'hook-secret-123';
const template = {
  subject: { 'zh-CN': '工单 {{ record.number }} 已创建', en: 'Ticket {{ record.number }} created' },
  body: { 'zh-CN': '标题：{{ record.title }}\n提交人：{{ actor }}', en: 'Title: {{ record.title }}' },
};

describe.each(testDatabases())('webhook and IM robot notifications on %s', (dbName) => {
  let srv: TestServer;
  let people: People;
  let peer: HttpPeer;

  beforeAll(async () => {
    ({ srv, people } = await startNotifyServer(dbName));
    peer = await startHttpPeer();
    // Credentials live in the secret store; definitions refer to them by name.
    for (const [name, value] of Object.entries({
      HOOK_SECRET: SECRET,
      DINGTALK_SECRET: 'SECxyz',
      FEISHU_SECRET: 'fs',
      ROBOT_TOKEN: 'abc',
    }))
      expect((await srv.admin.put(`/secrets/${name}`, { value })).status).toBe(200);
  });
  afterAll(async () => {
    await peer?.close();
    await srv?.close();
  });

  it('a webhook carries the record as JSON, signed with the rule secret', async () => {
    await publishRule(srv, {
      kind: 'rule',
      key: 'hook',
      name: 'Webhook',
      event: 'record.created',
      form: 'ticket',
      condition: 'record.category == "hook"',
      actions: [
        {
          type: 'notify',
          channel: 'webhook',
          url: `${peer.url}/hooks/{{ record.type }}?n={{ record.number }}`,
          secret: '{{ secrets.HOOK_SECRET }}',
          template,
        },
      ],
    });
    const rec = await createTicket(people.wang, { category: 'hook' });
    const req = await until(async () => peer.requests.find((r) => r.path === '/hooks/ticket'), 'webhook');
    expect(req.url).toBe(`/hooks/ticket?n=${rec.number}`);
    expect(req.headers['content-type']).toContain('application/json');
    const expected = `sha256=${createHmac('sha256', SECRET).update(req.raw).digest('hex')}`;
    expect(req.headers['x-opsloom-signature']).toBe(expected);
    expect(req.headers['x-opsloom-delivery']).toMatch(/^\d+$/);
    expect(req.json).toMatchObject({
      event: 'record.created',
      source: 'rule:hook',
      actor: 'wang',
      subject: `工单 ${rec.number} 已创建`,
      link: `https://itsm.example.com/workspace/records/${rec.id}`,
      record: {
        id: rec.id,
        number: rec.number,
        title: 'Printer on fire',
        requester: 'wang',
        category: 'hook',
      },
    });
    // A signature over other bytes does not verify.
    const forged = `sha256=${createHmac('sha256', 'wrong').update(req.raw).digest('hex')}`;
    expect(req.headers['x-opsloom-signature']).not.toBe(forged);
    await retire(srv, 'hook');
  });

  it('a webhook that fails is retried and delivered once', async () => {
    await publishRule(srv, {
      kind: 'rule',
      key: 'hook-retry',
      name: 'Webhook retry',
      event: 'record.created',
      form: 'ticket',
      condition: 'record.category == "retry"',
      actions: [{ type: 'notify', channel: 'webhook', url: `${peer.url}/retry`, template }],
    });
    peer.answer = { status: 503, body: 'down' };
    const rec = await createTicket(people.wang, { category: 'retry' });
    await until(async () => {
      const items = (await srv.admin.get('/notifications/outbox?status=pending')).body.items as any[];
      return items.some((m) => m.recordId === rec.id && /503/.test(m.lastError ?? ''));
    }, 'a failed webhook attempt');
    peer.answer = { status: 200, body: 'ok' };
    await until(async () => peer.requests.some((r) => r.path === '/retry'), 'webhook after recovery');
    await new Promise((r) => setTimeout(r, 500));
    expect(peer.requests.filter((r) => r.path === '/retry')).toHaveLength(1);
    expect(peer.requests.find((r) => r.path === '/retry')!.headers['x-opsloom-signature']).toBeUndefined();
    await retire(srv, 'hook-retry');
  });

  it('IM robots get their vendor formats: DingTalk, Feishu, WeCom, Slack', async () => {
    const im = (format: string, extra: Record<string, unknown> = {}) => ({
      type: 'notify',
      channel: 'im',
      format,
      url: `${peer.url}/im/${format}?access_token={{ secrets.ROBOT_TOKEN }}`,
      template,
      ...extra,
    });
    await publishRule(srv, {
      kind: 'rule',
      key: 'robots',
      name: 'Robots',
      event: 'record.created',
      form: 'ticket',
      condition: 'record.category == "im"',
      actions: [
        im('dingtalk', { secret: '{{ secrets.DINGTALK_SECRET }}' }),
        im('feishu', { secret: '{{ secrets.FEISHU_SECRET }}' }),
        im('wecom'),
        im('slack'),
      ],
    });
    const rec = await createTicket(people.wang, { category: 'im' });
    const got = await until(async () => {
      const list = peer.requests.filter((r) => r.path.startsWith('/im/'));
      return list.length >= 4 ? list : null;
    }, 'four robot posts');
    const by = (f: string) => got.find((r) => r.path === `/im/${f}`)!;
    const link = `https://itsm.example.com/workspace/records/${rec.id}`;

    const ding = by('dingtalk');
    expect(ding.json.msgtype).toBe('markdown');
    expect(ding.json.markdown.title).toBe(`工单 ${rec.number} 已创建`);
    expect(ding.json.markdown.text).toContain('标题：Printer on fire');
    expect(ding.json.markdown.text).toContain(`(${link})`);
    // DingTalk signing: timestamp + sign in the query, HMAC-SHA256 of "timestamp\nsecret".
    const q = new URL(ding.url, 'http://x').searchParams;
    const ts = q.get('timestamp')!;
    expect(q.get('access_token')).toBe('abc');
    expect(q.get('sign')).toBe(createHmac('sha256', 'SECxyz').update(`${ts}\nSECxyz`).digest('base64'));

    const feishu = by('feishu');
    expect(feishu.json.msg_type).toBe('post');
    expect(feishu.json.content.post.zh_cn.title).toBe(`工单 ${rec.number} 已创建`);
    expect(feishu.json.content.post.zh_cn.content[0]).toEqual([
      { tag: 'text', text: '标题：Printer on fire' },
    ]);
    expect(feishu.json.content.post.zh_cn.content.at(-1)[0]).toMatchObject({ tag: 'a', href: link });
    expect(feishu.json.sign).toBe(
      createHmac('sha256', `${feishu.json.timestamp}\nfs`).update('').digest('base64'),
    );

    const wecom = by('wecom');
    expect(wecom.json.msgtype).toBe('markdown');
    expect(wecom.json.markdown.content).toContain(`**工单 ${rec.number} 已创建**`);
    expect(wecom.json.markdown.content).toContain(link);

    const slack = by('slack');
    expect(slack.json.text).toContain(`工单 ${rec.number} 已创建`);
    expect(slack.json.blocks[0]).toMatchObject({ type: 'header', text: { type: 'plain_text' } });
    expect(slack.json.blocks[1].text.text).toContain('Printer on fire');
    expect(JSON.stringify(slack.json.blocks)).toContain(link);
    await retire(srv, 'robots');
  });

  it('a robot answering with a vendor error code counts as a failure', async () => {
    await publishRule(srv, {
      kind: 'rule',
      key: 'robot-err',
      name: 'Robot error',
      event: 'record.created',
      form: 'ticket',
      condition: 'record.category == "imerr"',
      actions: [{ type: 'notify', channel: 'im', format: 'dingtalk', url: `${peer.url}/im/err`, template }],
    });
    peer.answer = { status: 200, body: '{"errcode":310000,"errmsg":"keywords not in content"}' };
    const rec = await createTicket(people.wang, { category: 'imerr' });
    try {
      const failed = await until(async () => {
        const items = (await srv.admin.get('/notifications/outbox')).body.items as any[];
        return items.find((m) => m.recordId === rec.id && m.lastError);
      }, 'a refused robot post');
      expect(failed.lastError).toContain('keywords not in content');
      expect(failed.to).not.toContain('access_token');
    } finally {
      peer.answer = { status: 200, body: '{"errcode":0}' };
      await retire(srv, 'robot-err');
    }
  });
});
