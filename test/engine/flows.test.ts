import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApiClient } from '../support/client.ts';
import { testDatabases } from '../support/databases.ts';
import { publishCatalogItems, throughItem } from '../support/fixtures.ts';
import { DEMO_PASSWORD } from '../support/plugins.ts';
import { startTestServer, type TestServer } from '../support/server.ts';
import { waitFor } from '../support/wait.ts';

const pos = { x: 0, y: 0 };
const label = (en: string) => ({ en, 'zh-CN': en });
const approve = { key: 'approve', label: label('Approve'), style: 'primary' };
const reject = { key: 'reject', label: label('Reject'), style: 'danger' };

const FORM = {
  kind: 'form',
  key: 'purchase',
  name: label('Purchase'),
  numberPrefix: 'PUR',
  schema: {
    type: 'object',
    required: ['title'],
    properties: { title: { type: 'string' }, amount: { type: 'number' }, note: { type: 'string' } },
  },
  indexed: ['amount'],
};

/** start → approval (mode, approvers) → fulfil (service-desk) → done; reject → rejected. */
function approvalFlow(
  key: string,
  mode: string,
  approvers: string | { type: string; value: string },
  approval: Record<string, unknown> = {},
) {
  return {
    kind: 'process',
    key,
    name: label(key),
    form: 'purchase',
    nodes: [
      { id: 'start', type: 'start', position: pos },
      {
        id: 'approval',
        type: 'userTask',
        position: pos,
        status: 'approving',
        assignee: typeof approvers === 'string' ? { type: 'user', value: approvers } : approvers,
        approval: { mode, ...approval },
      },
      {
        id: 'fulfil',
        type: 'userTask',
        position: pos,
        status: 'fulfilling',
        assignee: { type: 'group', value: 'service-desk' },
        distribution: 'claim',
      },
      { id: 'done', type: 'end', position: pos, outcome: 'resolved' },
      { id: 'rejected', type: 'end', position: pos, outcome: 'rejected' },
    ],
    edges: [
      { id: 'e1', source: 'start', target: 'approval' },
      { id: 'e2', source: 'approval', target: 'fulfil', action: approve },
      { id: 'e3', source: 'approval', target: 'rejected', action: reject },
      { id: 'e4', source: 'fulfil', target: 'done', action: { key: 'resolve', label: label('Resolve') } },
    ],
  };
}

describe.each(testDatabases())('process engine on %s', (dbName) => {
  let srv: TestServer;
  const people: Record<string, ApiClient> = {};
  beforeAll(async () => {
    srv = await startTestServer(dbName, { demo: true, env: { OPSLOOM_JOB_POLL_MS: '50' } });
    for (const u of ['zhaolei', 'zhangwei', 'lina', 'wangfang', 'liuyang', 'chenjing'])
      people[u] = await new ApiClient(srv.url).login(u, DEMO_PASSWORD);
    const defs = [
      FORM,
      approvalFlow('all-flow', 'all', 'lina,chenjing'),
      approvalFlow('any-flow', 'any', 'lina,chenjing'),
      approvalFlow('seq-flow', 'sequential', 'lina,chenjing'),
      approvalFlow('single-flow', 'single', 'lina'),
      approvalFlow('role-any-flow', 'any', { type: 'role', value: 'agent' }),
      approvalFlow('own-flow', 'any', { type: 'role', value: 'manager' }, { excludeRequester: true }),
    ];
    for (const d of defs) {
      expect((await srv.admin.post('/definitions', d)).status).toBe(201);
      const published = await srv.admin.post(`/definitions/${d.kind}/${d.key}/publish`);
      expect(published.status, JSON.stringify(published.body)).toBe(201);
    }
    // Zhaolei, a requester, raises purchases through a catalog item for each flow.
    await offer('all-flow', 'any-flow', 'seq-flow', 'single-flow', 'role-any-flow');
  });
  afterAll(() => srv?.close());

  const offer = (...processes: string[]) =>
    publishCatalogItems(
      srv.admin,
      processes.map((process) => ({ form: 'purchase', process })),
    );

  async function create(process: string, data: Record<string, unknown> = {}) {
    const res = await people.zhaolei!.post(
      '/records',
      throughItem('purchase', process, { title: `buy via ${process}`, amount: 100, ...data }),
    );
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    return res.body as { id: number; number: string; status: string };
  }
  const tasks = async (who: string, id: number) =>
    (await people[who]!.get(`/records/${id}/tasks`)).body.items;
  const record = async (id: number) => (await srv.admin.get(`/records/${id}`)).body;
  async function act(who: string, id: number, action: string, body: object = {}) {
    const [task] = await tasks(who, id);
    return people[who]!.post(`/tasks/${task.id}/actions/${action}`, body);
  }

  it('会签 (all): the task completes only when every approver approved', async () => {
    const rec = await create('all-flow');
    expect((await record(rec.id)).status).toBe('approving');
    const [t] = await tasks('lina', rec.id);
    expect(t.approvalMode).toBe('all');
    expect(t.approvers.map((a: { username: string }) => a.username)).toEqual(['lina', 'chenjing']);
    // Someone with no part in the record cannot even see it.
    expect((await people.zhangwei!.post(`/tasks/${t.id}/actions/approve`)).status).toBe(404);
    // A 会签 asks every approver at once.
    await waitFor(async () => (await asked('chenjing', rec)).length === 1, 'chenjing asked');
    expect(await asked('lina', rec)).toHaveLength(1);
    expect((await act('lina', rec.id, 'approve')).body).toEqual({ completed: false, recordId: rec.id });
    expect((await act('lina', rec.id, 'approve')).status).toBe(403);
    expect((await record(rec.id)).status).toBe('approving');
    expect((await act('chenjing', rec.id, 'approve')).body.completed).toBe(true);
    expect((await record(rec.id)).status).toBe('fulfilling');
  });

  it('会签 (all): one rejection ends the vote at once', async () => {
    const rec = await create('all-flow');
    expect((await act('chenjing', rec.id, 'reject', { comment: '预算不足' })).body.completed).toBe(true);
    const r = await record(rec.id);
    expect(r.status).toBe('rejected');
    expect(r.closedAt).toBeGreaterThan(0);
    expect(await tasks('lina', rec.id)).toEqual([]);
  });

  it('或签 (any): the first decision decides', async () => {
    const rec = await create('any-flow');
    expect((await act('chenjing', rec.id, 'approve')).body.completed).toBe(true);
    expect((await record(rec.id)).status).toBe('fulfilling');
  });

  it('或签 by a role: every holder of the role is an approver, and the first decision decides', async () => {
    const rec = await create('role-any-flow');
    const [t] = await tasks('wangfang', rec.id);
    expect(t.approvalMode).toBe('any');
    expect(t.approvers.map((a: { username: string }) => a.username).sort()).toEqual([
      'lina',
      'liuyang',
      'wangfang',
      'zhangwei',
    ]);
    expect(t.can.claim).toBe(false);
    expect((await act('wangfang', rec.id, 'approve')).body.completed).toBe(true);
    expect((await record(rec.id)).status).toBe('fulfilling');
  });

  it('an approval the requester alone could give waits for an admin instead of the requester', async () => {
    // The only manager asks for the managers' approval of her own purchase.
    const res = await people.chenjing!.post('/records', {
      type: 'purchase',
      process: 'own-flow',
      data: { title: 'own purchase', amount: 100 },
    });
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    const [t] = await tasks('chenjing', res.body.id);
    expect(t.approvers).toEqual([]);
    expect(t.can).toMatchObject({ act: false, claim: false });
    expect((await people.chenjing!.post(`/tasks/${t.id}/claim`)).status).toBe(403);
    expect((await people.chenjing!.post(`/tasks/${t.id}/actions/approve`)).status).toBe(403);
    expect((await srv.admin.post(`/tasks/${t.id}/actions/approve`)).status).toBe(200);
    expect((await record(res.body.id)).status).toBe('fulfilling');
  });

  // The approval messages of one record in someone's inbox.
  const asked = async (who: string, rec: { id: number }) =>
    ((await people[who]!.get('/inbox')).body.items as { recordId: number; event: string }[]).filter(
      (i) => i.recordId === rec.id && i.event === 'approval.requested',
    );

  it('sequential: approvers decide in order, each asked when their turn comes', async () => {
    const rec = await create('seq-flow');
    expect((await record(rec.id)).assignee).toBe('lina');
    await waitFor(async () => (await asked('lina', rec)).length === 1, 'lina asked');
    const [t] = await tasks('chenjing', rec.id);
    expect(t.can.act).toBe(false);
    expect((await people.chenjing!.post(`/tasks/${t.id}/actions/approve`)).status).toBe(403);
    expect(await asked('chenjing', rec)).toEqual([]);
    expect((await act('lina', rec.id, 'approve')).body.completed).toBe(false);
    expect((await record(rec.id)).assignee).toBe('chenjing');
    await waitFor(async () => (await asked('chenjing', rec)).length === 1, 'chenjing asked after lina');
    expect(await asked('lina', rec)).toHaveLength(1);
    expect((await act('chenjing', rec.id, 'approve')).body.completed).toBe(true);
    expect((await record(rec.id)).status).toBe('fulfilling');
  });

  it('加签: an added approver must also approve', async () => {
    const rec = await create('single-flow');
    const [t] = await tasks('lina', rec.id);
    expect((await people.lina!.post(`/tasks/${t.id}/approvers`, { username: 'liuyang' })).status).toBe(204);
    expect((await act('lina', rec.id, 'approve')).body.completed).toBe(false);
    expect((await record(rec.id)).status).toBe('approving');
    expect((await act('liuyang', rec.id, 'approve')).body.completed).toBe(true);
    expect((await record(rec.id)).status).toBe('fulfilling');
  });

  it('转交: a transferred task belongs to the new assignee only', async () => {
    const rec = await create('single-flow');
    const [t] = await tasks('lina', rec.id);
    expect((await people.zhangwei!.post(`/tasks/${t.id}/transfer`, { to: 'wangfang' })).status).toBe(404);
    expect((await people.lina!.post(`/tasks/${t.id}/transfer`, { to: 'wangfang' })).status).toBe(204);
    // Lina has no part in the record any more: it is out of her sight.
    expect((await people.lina!.post(`/tasks/${t.id}/actions/approve`)).status).toBe(404);
    expect((await act('wangfang', rec.id, 'approve')).body.completed).toBe(true);
  });

  it('退回: fulfilment can return the request to approval', async () => {
    const rec = await create('single-flow');
    await act('lina', rec.id, 'approve');
    const [f] = await tasks('zhangwei', rec.id);
    await people.zhangwei!.post(`/tasks/${f.id}/claim`);
    const [claimed] = await tasks('zhangwei', rec.id);
    expect(claimed.returnTargets).toEqual(['approval']);
    const bad = await people.zhangwei!.post(`/tasks/${f.id}/return`, { node: 'done' });
    expect(bad.status).toBe(400);
    expect(bad.body.error.message).toContain('approval');
    expect(
      (await people.zhangwei!.post(`/tasks/${f.id}/return`, { node: 'approval', comment: '请补充型号' }))
        .status,
    ).toBe(204);
    expect((await record(rec.id)).status).toBe('approving');
    const [again] = await tasks('lina', rec.id);
    expect(again.node).toBe('approval');
    expect(again.can.act).toBe(true);
  });

  it('催办: urging puts a reminder in the approver inbox', async () => {
    await people.lina!.post('/inbox/read', {});
    await new Promise((r) => setTimeout(r, 200));
    const before = (await people.lina!.get('/inbox')).body.unread;
    const rec = await create('single-flow');
    const [t] = await tasks('zhaolei', rec.id);
    expect((await people.zhaolei!.post(`/tasks/${t.id}/urge`, { message: '急用' })).status).toBe(204);
    const inbox = await waitFor(async () => {
      const res = (await people.lina!.get('/inbox')).body;
      return res.unread >= before + 2 ? res : null;
    }, 'the reminder in the inbox');
    expect(
      inbox.items.some(
        (i: { title: string; body: string }) => i.title.includes(rec.number) && i.body === '急用',
      ),
    ).toBe(true);
    expect((await people.lina!.post('/inbox/read', {})).body.marked).toBeGreaterThan(0);
    expect((await people.lina!.get('/inbox')).body.unread).toBe(0);
  });

  it('parallel branches meet at the join; a timer fires by itself; a gateway picks by condition', async () => {
    const flow = {
      kind: 'process',
      key: 'par-flow',
      name: label('Parallel'),
      form: 'purchase',
      nodes: [
        { id: 'start', type: 'start', position: pos },
        { id: 'gw', type: 'exclusiveGateway', position: pos },
        { id: 'split', type: 'parallelSplit', position: pos },
        {
          id: 'a',
          type: 'userTask',
          position: pos,
          status: 'parallel',
          assignee: { type: 'user', value: 'zhangwei' },
        },
        {
          id: 'b',
          type: 'userTask',
          position: pos,
          status: 'parallel',
          assignee: { type: 'user', value: 'wangfang' },
        },
        { id: 'join', type: 'parallelJoin', position: pos, status: 'joined' },
        { id: 'wait', type: 'timer', position: pos, status: 'cooling', timer: { delay: 'PT1S' } },
        {
          id: 'mark',
          type: 'serviceTask',
          position: pos,
          action: { type: 'setFields', values: { note: '"waited " + string(record.amount)' } },
        },
        { id: 'end', type: 'end', position: pos, outcome: 'done' },
      ],
      edges: [
        { id: 'e0', source: 'start', target: 'gw' },
        { id: 'big', source: 'gw', target: 'split', condition: 'record.amount >= 1000' },
        { id: 'small', source: 'gw', target: 'end', default: true },
        { id: 'ea', source: 'split', target: 'a' },
        { id: 'eb', source: 'split', target: 'b' },
        { id: 'ea2', source: 'a', target: 'join' },
        { id: 'eb2', source: 'b', target: 'join' },
        { id: 'ej', source: 'join', target: 'wait' },
        { id: 'ew', source: 'wait', target: 'mark' },
        { id: 'em', source: 'mark', target: 'end' },
      ],
    };
    expect((await srv.admin.post('/definitions', flow)).status).toBe(201);
    expect((await srv.admin.post('/definitions/process/par-flow/publish')).status).toBe(201);
    await offer('par-flow');

    const small = await create('par-flow', { amount: 5 });
    expect((await record(small.id)).status).toBe('done');

    const big = await create('par-flow', { amount: 5000 });
    expect((await tasks('zhangwei', big.id)).map((t: { node: string }) => t.node).sort()).toEqual(['a', 'b']);
    expect((await act('zhangwei', big.id, 'complete')).status).toBe(200);
    expect((await record(big.id)).status).toBe('parallel');
    const [b] = (await tasks('wangfang', big.id)).filter((t: { node: string }) => t.node === 'b');
    expect((await people.wangfang!.post(`/tasks/${b.id}/actions/complete`)).status).toBe(200);
    expect((await record(big.id)).status).toBe('cooling');
    const done = await waitFor(async () => {
      const r = await record(big.id);
      return r.status === 'done' ? r : null;
    }, 'the timer to fire');
    expect(done.data.note).toBe('waited 5000');
    const history = (await srv.admin.get(`/audit`)).status;
    expect(history).toBe(200);
  });

  it('keeps running records on the process version they started on', async () => {
    const rec = await create('single-flow');
    const v2 = approvalFlow('single-flow', 'single', 'wangfang');
    (v2.nodes[1] as Record<string, unknown>).status = 'approving-v2';
    const detail = (await srv.admin.get('/definitions/process/single-flow')).body;
    expect(
      (
        await srv.admin.put('/definitions/process/single-flow/draft', {
          revision: detail.revision,
          definition: v2,
        })
      ).status,
    ).toBe(200);
    expect((await srv.admin.post('/definitions/process/single-flow/publish')).body.version).toBe(2);
    // The running record still waits on lina (v1); a new one goes to wangfang (v2).
    expect((await act('lina', rec.id, 'approve')).body.completed).toBe(true);
    expect((await record(rec.id)).status).toBe('fulfilling');
    const fresh = await create('single-flow');
    expect(await record(fresh.id)).toMatchObject({ status: 'approving-v2', assignee: 'wangfang' });
  });

  it('a sub-process runs on the record and resumes its parent when it ends', async () => {
    const child = {
      kind: 'process',
      key: 'child-flow',
      name: label('Child'),
      form: 'purchase',
      nodes: [
        { id: 'start', type: 'start', position: pos },
        {
          id: 'check',
          type: 'userTask',
          position: pos,
          status: 'child-check',
          assignee: { type: 'user', value: 'liuyang' },
        },
        { id: 'end', type: 'end', position: pos },
      ],
      edges: [
        { id: 'c1', source: 'start', target: 'check' },
        { id: 'c2', source: 'check', target: 'end' },
      ],
    };
    const parent = {
      kind: 'process',
      key: 'parent-flow',
      name: label('Parent'),
      form: 'purchase',
      nodes: [
        { id: 'start', type: 'start', position: pos },
        { id: 'sub', type: 'subProcess', position: pos, process: 'child-flow' },
        {
          id: 'after',
          type: 'userTask',
          position: pos,
          status: 'after-child',
          assignee: { type: 'user', value: 'zhangwei' },
        },
        { id: 'end', type: 'end', position: pos, outcome: 'closed' },
      ],
      edges: [
        { id: 'p1', source: 'start', target: 'sub' },
        { id: 'p2', source: 'sub', target: 'after' },
        { id: 'p3', source: 'after', target: 'end' },
      ],
    };
    for (const d of [child, parent]) {
      expect((await srv.admin.post('/definitions', d)).status).toBe(201);
      expect((await srv.admin.post(`/definitions/process/${d.key}/publish`)).status).toBe(201);
    }
    await offer('parent-flow');
    const rec = await create('parent-flow');
    expect((await record(rec.id)).status).toBe('child-check');
    expect((await act('liuyang', rec.id, 'complete')).status).toBe(200);
    expect((await record(rec.id)).status).toBe('after-child');
    expect((await act('zhangwei', rec.id, 'complete')).status).toBe(200);
    expect((await record(rec.id)).status).toBe('closed');
  });

  it('refuses an unknown action naming the available ones', async () => {
    const rec = await create('single-flow');
    const res = await act('wangfang', rec.id, 'launch');
    expect(res.status).toBe(400);
    expect(res.body.error.message).toContain('approve, reject');
  });
  it('indexes the values a process sets while the record is created', async () => {
    const flow = {
      kind: 'process',
      key: 'double-flow',
      name: label('double'),
      form: 'purchase',
      nodes: [
        { id: 'start', type: 'start', position: pos },
        {
          id: 'double',
          type: 'serviceTask',
          position: pos,
          action: { type: 'setFields', values: { amount: 'record.amount * 2' } },
        },
        {
          id: 'review',
          type: 'userTask',
          position: pos,
          status: 'reviewing',
          assignee: { type: 'user', value: 'lina' },
        },
        { id: 'end', type: 'end', position: pos, outcome: 'done' },
      ],
      edges: [
        { id: 'e1', source: 'start', target: 'double' },
        { id: 'e2', source: 'double', target: 'review' },
        { id: 'e3', source: 'review', target: 'end' },
      ],
    };
    expect((await srv.admin.post('/definitions', flow)).status).toBe(201);
    expect((await srv.admin.post('/definitions/process/double-flow/publish')).status).toBe(201);
    await offer('double-flow');
    const rec = await create('double-flow', { amount: 777 });
    expect((await record(rec.id)).data.amount).toBe(1554);
    // The index holds the value the process set, not the one submitted, and only that one.
    const ids = async (q: string) =>
      (await srv.admin.get(`/records?type=purchase&${q}`)).body.items.map((r: { id: number }) => r.id);
    expect(await ids('f.amount=1554')).toEqual([rec.id]);
    expect(await ids('f.amount=777')).toEqual([]);
  });
});
