import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApiClient } from '../support/client.ts';
import { testDatabases } from '../support/databases.ts';
import { DEMO_PASSWORD, SHIPPED_PLUGINS } from '../support/plugins.ts';
import { startTestServer, type TestServer } from '../support/server.ts';
import { waitFor } from '../support/wait.ts';

/**
 * The itil-change plugin through the HTTP API: a normal change goes to the CAB, whose members
 * each vote (会签: all must approve, one rejection ends it), waits for its window, is implemented
 * and reviewed; a standard change skips the CAB.
 */
describe.each(testDatabases())('change flow on %s', (dbName) => {
  let srv: TestServer;
  // The demo's CAB: lina, liuyang, chenjing. The network group (wangfang) raises and implements:
  // an agent raises directly only the types their groups work.
  const people: Record<string, ApiClient> = {};
  beforeAll(async () => {
    srv = await startTestServer(dbName, { pluginsDir: SHIPPED_PLUGINS, demo: true });
    for (const u of ['lina', 'liuyang', 'chenjing', 'wangfang'])
      people[u] = await new ApiClient(srv.url).login(u, DEMO_PASSWORD);
  });
  afterAll(() => srv?.close());

  const change = (changeType: string) => ({
    title: `核心交换机固件升级 (${changeType})`,
    changeType,
    risk: 'medium',
    plan: '备份配置后升级固件',
    backoutPlan: '回滚到旧固件',
    // The window has begun: the timer falls due at once.
    windowStart: new Date(Date.now() - 60_000).toISOString(),
    windowEnd: new Date(Date.now() + 3_600_000).toISOString(),
  });
  const create = async (changeType: string) => {
    const res = await people.wangfang!.post('/records', { type: 'change', data: change(changeType) });
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    return res.body;
  };
  const taskOf = async (who: string, id: number) =>
    (await people[who]!.get(`/records/${id}/tasks`)).body.items[0];
  const status = async (id: number, who = 'wangfang') =>
    (await people[who]!.get(`/records/${id}`)).body.status as string;

  it('the CAB approves as its members: every one of them votes, then the change is scheduled and implemented', async () => {
    const chg = await create('normal');
    expect(chg.status).toBe('cab-review');
    // Each member has a vote of their own; nobody claims the approval for the whole board.
    for (const member of ['lina', 'liuyang', 'chenjing']) {
      const task = await taskOf(member, chg.id);
      expect(task.can, member).toMatchObject({ act: true, claim: false });
      expect(task.actions.map((a: { key: string }) => a.key).sort()).toEqual(['approve', 'reject']);
    }
    const outsider = await taskOf('wangfang', chg.id);
    expect(outsider.can.act).toBe(false);
    expect((await people.wangfang!.post(`/tasks/${outsider.id}/actions/approve`)).status).toBe(403);

    const task = await taskOf('lina', chg.id);
    expect((await people.lina!.post(`/tasks/${task.id}/actions/approve`)).status).toBe(200);
    expect((await people.liuyang!.post(`/tasks/${task.id}/actions/approve`)).status).toBe(200);
    // A vote is cast once; two of three is not yet the board's approval.
    expect((await people.lina!.post(`/tasks/${task.id}/actions/approve`)).status).toBe(403);
    expect(await status(chg.id)).toBe('cab-review');
    expect((await people.chenjing!.post(`/tasks/${task.id}/actions/approve`)).status).toBe(200);

    // The window has begun, so the timer moves it on to the network group.
    await waitFor(async () => (await status(chg.id)) === 'implementing', 'the change to reach implementing');
    const implement = await taskOf('wangfang', chg.id);
    expect((await people.wangfang!.post(`/tasks/${implement.id}/claim`)).status).toBe(204);
    const refused = await people.wangfang!.post(`/tasks/${implement.id}/actions/complete`);
    expect(refused.status).toBe(400);
    expect(
      (
        await people.wangfang!.post(`/tasks/${implement.id}/actions/complete`, {
          data: { implementationResult: 'successful' },
        })
      ).status,
    ).toBe(200);
    expect(await status(chg.id)).toBe('review');

    // The history names each member's vote, the last one deciding.
    const history = (await people.wangfang!.get(`/records/${chg.id}/history`)).body.items as {
      kind: string;
      actor: string;
      detail: { event?: string; action?: string; decided?: boolean } | null;
    }[];
    const votes = history.filter((h) => h.kind === 'task' && h.detail?.event === 'vote');
    expect(votes.map((h) => [h.actor, h.detail?.action, h.detail?.decided])).toEqual([
      ['lina', 'approve', false],
      ['liuyang', 'approve', false],
      ['chenjing', 'approve', true],
    ]);
  });

  it("one member's rejection ends the vote at once", async () => {
    const chg = await create('normal');
    const task = await taskOf('liuyang', chg.id);
    expect((await people.lina!.post(`/tasks/${task.id}/actions/approve`)).status).toBe(200);
    expect((await people.liuyang!.post(`/tasks/${task.id}/actions/reject`)).status).toBe(200);
    const rec = (await people.wangfang!.get(`/records/${chg.id}`)).body;
    expect(rec).toMatchObject({ status: 'rejected', statusCategory: 'done' });
    expect(rec.closedAt).not.toBeNull();
    expect((await people.chenjing!.post(`/tasks/${task.id}/actions/approve`)).status).toBe(409);
  });

  it('a CAB member who raises a change has no vote on it', async () => {
    const res = await people.lina!.post('/records', { type: 'change', data: change('normal') });
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    const chg = res.body;
    const own = await taskOf('lina', chg.id);
    expect(own.approvers.map((a: { username: string }) => a.username)).toEqual(['liuyang', 'chenjing']);
    expect(own.can.act).toBe(false);
    expect((await people.lina!.post(`/tasks/${own.id}/actions/approve`)).status).toBe(403);
    expect((await people.liuyang!.post(`/tasks/${own.id}/actions/approve`)).status).toBe(200);
    expect((await people.chenjing!.post(`/tasks/${own.id}/actions/approve`)).status).toBe(200);
    await waitFor(
      async () => (await status(chg.id, 'lina')) === 'implementing',
      'the change to reach implementing',
    );
  });

  it('a standard change skips the CAB', async () => {
    const chg = await create('standard');
    await waitFor(
      async () => (await status(chg.id)) === 'implementing',
      'the standard change to reach implementing',
    );
  });
});
