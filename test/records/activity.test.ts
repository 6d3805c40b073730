import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApiClient } from '../support/client.ts';
import { testDatabases } from '../support/databases.ts';
import { DEMO_PASSWORD, SHIPPED_PLUGINS } from '../support/plugins.ts';
import { startTestServer, type TestServer } from '../support/server.ts';
import { download, reportIncident, upload } from './helpers.ts';

/** Who sees a record, and its comments, attachments and watchers, through the HTTP API. */
describe.each(testDatabases())('record visibility, comments, attachments and watchers on %s', (dbName) => {
  let srv: TestServer;
  let zhaolei: ApiClient; // user
  let alice: ApiClient; // user
  let zhangwei: ApiClient; // agent, service-desk
  let wangfang: ApiClient; // agent, second-line
  let chenjing: ApiClient; // manager
  let a: { id: number; number: string }; // zhaolei's
  let b: { id: number; number: string }; // alice's
  let attachmentOfA: number;

  beforeAll(async () => {
    srv = await startTestServer(dbName, {
      pluginsDir: SHIPPED_PLUGINS,
      demo: true,
      env: { OPSLOOM_ATTACHMENT_MAX_BYTES: '4096' },
    });
    const as = (u: string) => new ApiClient(srv.url).login(u, DEMO_PASSWORD);
    [zhaolei, alice, zhangwei, wangfang, chenjing] = await Promise.all([
      as('zhaolei'),
      as('alice'),
      as('zhangwei'),
      as('wangfang'),
      as('chenjing'),
    ]);
    a = await reportIncident(zhaolei, { title: '显示器闪烁', description: '屏幕一直闪' });
    b = await reportIncident(alice, { title: 'Laptop battery', description: 'drains fast' });
    const up = await upload(zhaolei, a.id, {
      name: 'screen.txt',
      type: 'text/plain',
      content: 'flicker log',
    });
    expect(up.status).toBe(201);
    attachmentOfA = up.body.id;
  });
  afterAll(() => srv?.close());

  it('answers 404, never data, for records a caller may not see', async () => {
    const notFound = async (res: Promise<{ status: number; body: any }>) => {
      const r = await res;
      expect(r.status).toBe(404);
      expect(JSON.stringify(r.body)).not.toContain('显示器');
      return r.body.error.code;
    };
    // alice (a user) and wangfang (an agent of another group) cannot reach zhaolei's record.
    for (const c of [alice, wangfang]) {
      await notFound(c.get(`/records/${a.id}`));
      await notFound(c.get(`/records/${a.id}/comments`));
      await notFound(c.post(`/records/${a.id}/comments`, { body: 'hi' }));
      await notFound(c.get(`/records/${a.id}/attachments`));
      await notFound(upload(c, a.id, { name: 'x.txt', type: 'text/plain', content: 'x' }));
      await notFound(c.get(`/attachments/${attachmentOfA}`));
      await notFound(c.delete(`/attachments/${attachmentOfA}`));
      await notFound(c.get(`/records/${a.id}/history`));
      await notFound(c.get(`/records/${a.id}/watchers`));
      await notFound(c.post(`/records/${a.id}/watchers`, {}));
      await notFound(c.get(`/records/${a.id}/links`));
      expect((await c.get('/records')).body.items.map((r: any) => r.id)).not.toContain(a.id);
    }
    // Guessing: a record that does not exist looks exactly like one that is not yours.
    const hidden = await alice.get(`/records/${a.id}`);
    const missing = await alice.get('/records/999999');
    expect(missing.status).toBe(404);
    expect(missing.body.error.code).toBe(hidden.body.error.code);
    expect((await alice.get('/attachments/999999')).body.error.code).toBe(
      (await alice.get(`/attachments/${attachmentOfA}`)).body.error.code,
    );
    expect((await zhaolei.get(`/records/${b.id}`)).status).toBe(404);

    // The requester, the queue's agent and the manager see it.
    for (const c of [zhaolei, zhangwei, chenjing, srv.admin]) {
      expect((await c.get(`/records/${a.id}`)).status).toBe(200);
      expect((await download(c, `/api/v1/attachments/${attachmentOfA}`)).status).toBe(200);
    }
  });

  it('lets a watcher see the record; users watch only themselves, staff add others', async () => {
    expect((await zhaolei.post(`/records/${a.id}/watchers`, { username: 'alice' })).status).toBe(403);
    const added = await zhangwei.post(`/records/${a.id}/watchers`, { username: 'alice' });
    expect(added.status).toBe(200);
    expect(added.body.items.map((w: any) => w.username)).toEqual(['alice']);
    // Adding again changes nothing.
    expect((await zhangwei.post(`/records/${a.id}/watchers`, { username: 'alice' })).body.items).toHaveLength(
      1,
    );

    expect((await alice.get(`/records/${a.id}`)).status).toBe(200);
    expect((await alice.get('/records')).body.items.map((r: any) => r.id)).toContain(a.id);
    expect((await alice.post(`/records/${a.id}/comments`, { body: '我也遇到了' })).status).toBe(201);
    expect((await download(alice, `/api/v1/attachments/${attachmentOfA}`)).status).toBe(200);

    expect((await zhaolei.post(`/records/${a.id}/watchers`, {})).status).toBe(200);
    expect((await zhaolei.get(`/records/${a.id}/watchers`)).body.items.map((w: any) => w.username)).toEqual([
      'alice',
      'zhaolei',
    ]);
    expect((await zhaolei.delete(`/records/${a.id}/watchers/alice`)).status).toBe(403);
    expect((await alice.delete(`/records/${a.id}/watchers/alice`)).status).toBe(204);
    expect((await alice.get(`/records/${a.id}`)).status).toBe(404);
    expect((await alice.delete(`/records/${a.id}/watchers/alice`)).status).toBe(404);
    expect((await zhangwei.post(`/records/${a.id}/watchers`, { username: 'nobody' })).status).toBe(404);

    const history = (await zhangwei.get(`/records/${a.id}/history`)).body.items;
    expect(history.filter((h: any) => h.kind === 'watcher').map((h: any) => [h.actor, h.detail])).toEqual([
      ['zhangwei', { added: 'alice' }],
      ['zhaolei', { added: 'zhaolei' }],
      ['alice', { removed: 'alice' }],
    ]);
  });

  it('keeps internal comments from requesters', async () => {
    const pub = await zhaolei.post(`/records/${a.id}/comments`, { body: '今天早上又闪了' });
    expect(pub.status).toBe(201);
    expect(pub.body).toMatchObject({ author: 'zhaolei', visibility: 'public', body: '今天早上又闪了' });
    const refused = await zhaolei.post(`/records/${a.id}/comments`, { body: 'x', visibility: 'internal' });
    expect(refused.status).toBe(403);
    expect(refused.body.error.details.problems[0].path).toBe('/visibility');
    const note = await zhangwei.post(`/records/${a.id}/comments`, {
      body: '可能是显卡驱动问题',
      visibility: 'internal',
    });
    expect(note.status).toBe(201);
    expect((await zhangwei.post(`/records/${a.id}/comments`, { body: '' })).status).toBe(400);
    expect(
      (await zhangwei.post(`/records/${a.id}/comments`, { body: 'x', visibility: 'secret' })).status,
    ).toBe(400);

    const forRequester = (await zhaolei.get(`/records/${a.id}/comments`)).body.items;
    expect(forRequester.map((c: any) => c.body)).toEqual(['我也遇到了', '今天早上又闪了']);
    const forAgent = (await zhangwei.get(`/records/${a.id}/comments`)).body.items;
    expect(forAgent.map((c: any) => [c.body, c.visibility])).toEqual([
      ['我也遇到了', 'public'],
      ['今天早上又闪了', 'public'],
      ['可能是显卡驱动问题', 'internal'],
    ]);

    const commentEntries = async (c: ApiClient) =>
      (await c.get(`/records/${a.id}/history`)).body.items.filter((h: any) => h.kind === 'comment');
    expect((await commentEntries(zhangwei)).map((h: any) => h.detail.visibility)).toEqual([
      'public',
      'public',
      'internal',
    ]);
    const seenByRequester = await commentEntries(zhaolei);
    expect(seenByRequester).toHaveLength(2);
    expect(JSON.stringify(seenByRequester)).not.toContain('显卡');
  });

  it('stores uploads as files, serves them as downloads, and enforces size and type', async () => {
    const content = '你好, attachment 内容 '.repeat(20);
    const up = await upload(zhaolei, a.id, { name: '报告 (1).txt', type: 'text/plain', content });
    expect(up.status).toBe(201);
    const sha = createHash('sha256').update(content).digest('hex');
    expect(up.body).toMatchObject({
      filename: '报告 (1).txt',
      contentType: 'text/plain',
      size: Buffer.byteLength(content),
      sha256: sha,
      uploadedBy: 'zhaolei',
      url: `/api/v1/attachments/${up.body.id}`,
    });
    // The bytes live in the data folder under their hash prefix, not in the database.
    const folder = path.join(srv.dataDir, 'attachments', sha.slice(0, 2));
    const stored = fs.readdirSync(folder);
    expect(stored).toHaveLength(1);
    expect(fs.readFileSync(path.join(folder, stored[0]!), 'utf8')).toBe(content);

    const got = await download(zhangwei, up.body.url);
    expect(got.status).toBe(200);
    expect(got.bytes.toString('utf8')).toBe(content);
    expect(got.headers.get('content-type')).toMatch(/^text\/plain/);
    expect(got.headers.get('content-disposition')).toContain('attachment');
    expect(got.headers.get('content-disposition')).toContain(
      `filename*=UTF-8''${encodeURIComponent('报告')}`,
    );

    const list = (await zhaolei.get(`/records/${a.id}/attachments`)).body.items;
    expect(list.map((x: any) => x.filename)).toEqual(['screen.txt', '报告 (1).txt']);

    // Binary content survives byte for byte.
    const png = new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 255, 128, 13, 10]);
    const img = await upload(zhaolei, a.id, { name: 'shot.png', type: 'image/png', content: png });
    expect(img.status).toBe(201);
    expect([...(await download(zhaolei, img.body.url)).bytes]).toEqual([...png]);

    const big = await upload(zhaolei, a.id, {
      name: 'big.txt',
      type: 'text/plain',
      content: 'x'.repeat(5000),
    });
    expect(big.status).toBe(413);
    expect(big.body.error.code).toBe('attachment_too_large');
    expect(big.body.error.message).toContain('4 KB');
    expect(big.body.error.details.limit).toBe(4096);
    // Announced far over the limit: refused from the headers, before the body is read.
    const huge = await upload(zhaolei, a.id, {
      name: 'huge.txt',
      type: 'text/plain',
      content: 'x'.repeat(300_000),
    });
    expect(huge.status).toBe(413);
    expect(huge.body.error.code).toBe('attachment_too_large');
    const exe = await upload(zhaolei, a.id, {
      name: 'tool.exe',
      type: 'application/x-msdownload',
      content: 'MZ',
    });
    expect(exe.status).toBe(415);
    expect(exe.body.error.message).toContain('application/x-msdownload');
    const svg = await upload(zhaolei, a.id, { name: 'a.svg', type: 'image/svg+xml', content: '<svg/>' });
    expect(svg.status).toBe(415);
    const wrongField = await upload(
      zhaolei,
      a.id,
      { name: 'a.txt', type: 'text/plain', content: 'x' },
      'upload',
    );
    expect(wrongField.status).toBe(400);
    expect(wrongField.body.error.details.problems[0].path).toBe('/file');
    const json = await zhaolei.post(`/records/${a.id}/attachments`, { file: 'x' });
    expect(json.status).toBe(415);
    // Nothing refused was kept: no rows, no files, no leftovers in the temporary folder.
    expect((await zhaolei.get(`/records/${a.id}/attachments`)).body.items).toHaveLength(3);
    const files = fs
      .readdirSync(path.join(srv.dataDir, 'attachments'), { recursive: true, withFileTypes: true })
      .filter((d) => d.isFile());
    expect(files).toHaveLength(3);

    // Without the CSRF token a browser session cannot upload.
    const noCsrf = new ApiClient(srv.url);
    noCsrf.cookie = zhaolei.cookie;
    expect((await upload(noCsrf, a.id, { name: 'a.txt', type: 'text/plain', content: 'x' })).status).toBe(
      403,
    );
  });

  it('lets the uploader or staff delete an attachment, with history', async () => {
    const mine = await upload(zhaolei, a.id, {
      name: 'mine.pdf',
      type: 'application/pdf',
      content: '%PDF-1.4',
    });
    const theirs = await upload(zhangwei, a.id, { name: 'agent.txt', type: 'text/plain', content: 'agent' });
    expect((await zhaolei.delete(`/attachments/${theirs.body.id}`)).status).toBe(403);
    expect((await zhaolei.delete(`/attachments/${mine.body.id}`)).status).toBe(204);
    expect((await download(zhaolei, mine.body.url)).status).toBe(404);
    expect((await zhaolei.delete(`/attachments/${mine.body.id}`)).status).toBe(404);
    expect((await chenjing.delete(`/attachments/${theirs.body.id}`)).status).toBe(204);
    const sha = mine.body.sha256 as string;
    expect(fs.existsSync(path.join(srv.dataDir, 'attachments', sha.slice(0, 2)))).toBe(true);
    expect(fs.readdirSync(path.join(srv.dataDir, 'attachments', sha.slice(0, 2)))).toEqual([]);

    const entries = (await zhaolei.get(`/records/${a.id}/history`)).body.items.filter(
      (h: any) => h.kind === 'attachment',
    );
    expect(entries.map((h: any) => [h.actor, h.detail.added ?? `-${h.detail.removed}`])).toEqual([
      ['zhaolei', 'screen.txt'],
      ['zhaolei', '报告 (1).txt'],
      ['zhaolei', 'shot.png'],
      ['zhaolei', 'mine.pdf'],
      ['zhangwei', 'agent.txt'],
      ['zhaolei', '-mine.pdf'],
      ['chenjing', '-agent.txt'],
    ]);
  });
});
