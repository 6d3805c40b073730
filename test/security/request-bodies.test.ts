import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { reportIncident, upload } from '../records/helpers.ts';
import { ApiClient } from '../support/client.ts';
import { testDatabases } from '../support/databases.ts';
import { DEMO_PASSWORD, SHIPPED_PLUGINS } from '../support/plugins.ts';
import { startTestServer, type TestServer } from '../support/server.ts';

/** Every log line the runtime writes, kept in memory so a test can weigh it. */
class LogSink extends Writable {
  bytes = 0;
  lines: string[] = [];
  override _write(chunk: Buffer, _enc: BufferEncoding, done: () => void) {
    this.bytes += chunk.length;
    this.lines.push(chunk.toString());
    done();
  }
}

/**
 * Descriptors this process (the runtime runs in the test's process) holds open on files under
 * `folder`. Sockets are left out: the MySQL pool opens connections as the uploads come in.
 */
function openFilesUnder(folder: string): number {
  let n = 0;
  for (const fd of fs.readdirSync('/proc/self/fd')) {
    try {
      if (fs.readlinkSync(`/proc/self/fd/${fd}`).startsWith(folder)) n++;
    } catch {
      // closed while we looked
    }
  }
  return n;
}

/**
 * Starts a chunked multipart upload on a raw socket, as a browser would, and sends `bytes` of the
 * file. The socket is handed back so the test can cut it or leave it hanging.
 */
async function startUpload(srv: TestServer, client: ApiClient, recordId: number, bytes: number) {
  const { port } = new URL(srv.url);
  const socket = net.connect(Number(port), '127.0.0.1');
  await new Promise<void>((resolve, reject) => {
    socket.once('connect', resolve);
    socket.once('error', reject);
  });
  const boundary = 'opsloomboundary42';
  socket.write(
    [
      `POST /api/v1/records/${recordId}/attachments HTTP/1.1`,
      `Host: 127.0.0.1:${port}`,
      `Content-Type: multipart/form-data; boundary=${boundary}`,
      'Transfer-Encoding: chunked',
      `Cookie: ${client.cookie}`,
      `X-CSRF-Token: ${client.csrf}`,
      '',
      '',
    ].join('\r\n'),
  );
  const chunk = (data: string | Buffer) => {
    const buf = Buffer.from(data);
    socket.write(`${buf.length.toString(16)}\r\n`);
    socket.write(buf);
    socket.write('\r\n');
  };
  chunk(
    `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="big.txt"\r\nContent-Type: text/plain\r\n\r\n`,
  );
  const block = Buffer.alloc(64 * 1024, 'x');
  for (let sent = 0; sent < bytes; sent += block.length) chunk(block);
  await new Promise<void>((resolve) => socket.write('', () => resolve()));
  return socket;
}

describe.each(testDatabases())('hostile request bodies on %s', (dbName) => {
  let srv: TestServer;
  let zhaolei: ApiClient;
  let recordId: number;
  const logs = new LogSink();
  const tmpDir = () => path.join(srv.dataDir, 'attachments', 'tmp');
  const tmpFiles = () => (fs.existsSync(tmpDir()) ? fs.readdirSync(tmpDir()) : []);

  beforeAll(async () => {
    srv = await startTestServer(dbName, {
      pluginsDir: SHIPPED_PLUGINS,
      demo: true,
      env: { LOG_LEVEL: 'info', OPSLOOM_UPLOAD_IDLE_MS: '700' },
      logDestination: logs,
    });
    zhaolei = await new ApiClient(srv.url).login('zhaolei', DEMO_PASSWORD);
    recordId = (await reportIncident(zhaolei, { title: '上传测试' })).id;
  });
  afterAll(() => srv?.close());

  it('refuses a __proto__ key with 400 before authentication, and logs no body', async () => {
    const before = logs.bytes;
    const padding = 'x'.repeat(100_000);
    const replies = await Promise.all(
      Array.from({ length: 25 }, () =>
        srv.client().request('POST', '/auth/login', undefined, {
          raw: `{"username":"admin","password":"x","__proto__":{"polluted":"${padding}"}}`,
        }),
      ),
    );
    for (const r of replies) {
      expect(r.status).toBe(400);
      expect(r.body.error.code).toBe('forbidden_property');
      expect(r.body.error.message).toContain('__proto__');
    }
    const zh = srv.client();
    zh.locale = 'zh-CN';
    const inChinese = await zh.request('POST', '/auth/login', undefined, { raw: '{"__proto__":{}}' });
    expect(inChinese.body.error.message).toMatch(/不允许/);
    // 26 request lines of a few hundred bytes each, not 2.5 MB of bodies.
    expect(logs.bytes - before).toBeLessThan(26 * 1000);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('logs a bounded excerpt of any error, never a whole body', async () => {
    // An aborted JSON body is the client's doing: a 400 for the log, not a 500 with its bytes.
    const before = logs.bytes;
    const { port } = new URL(srv.url);
    const socket = net.connect(Number(port), '127.0.0.1');
    await new Promise((resolve) => socket.once('connect', resolve));
    socket.write(
      `POST /api/v1/auth/login HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 500000\r\n\r\n{"username":"${'y'.repeat(200_000)}`,
    );
    await new Promise((resolve) => setTimeout(resolve, 200));
    socket.destroy();
    await expect.poll(() => logs.lines.slice(-5).join('').includes('/auth/login')).toBe(true);
    expect(logs.bytes - before).toBeLessThan(5000);
    expect(logs.lines.some((l) => l.includes('"level":50') && l.includes('yyyyyyyy'))).toBe(false);
  });

  it('accepts an attachment of exactly the documented limit and refuses one byte more', async () => {
    const limit = 20 * 1024 * 1024;
    const exact = await upload(zhaolei, recordId, {
      name: 'exact.txt',
      type: 'text/plain',
      content: new Uint8Array(limit).fill(0x61),
    });
    expect(exact.status).toBe(201);
    expect(exact.body.size).toBe(limit);
    const over = await upload(zhaolei, recordId, {
      name: 'over.txt',
      type: 'text/plain',
      content: new Uint8Array(limit + 1).fill(0x61),
    });
    expect(over.status).toBe(413);
    expect(over.body.error.code).toBe('attachment_too_large');
    expect(tmpFiles()).toEqual([]);
  });

  it('releases the descriptor and deletes the temporary file of uploads cut mid-body', async () => {
    await upload(zhaolei, recordId, { name: 'warm.txt', type: 'text/plain', content: 'x' });
    const sockets = [];
    for (let i = 0; i < 10; i++) sockets.push(await startUpload(srv, zhaolei, recordId, 2 * 1024 * 1024));
    await expect.poll(() => tmpFiles().length).toBe(10);
    expect(openFilesUnder(tmpDir())).toBe(10);
    for (const s of sockets) s.destroy();
    await expect.poll(() => tmpFiles()).toEqual([]);
    await expect.poll(() => openFilesUnder(tmpDir())).toBe(0);
    // Nothing counts as in flight any more, so background work is not held back.
    await expect.poll(() => srv.services.traffic?.inFlight).toBe(0);
    const list = await zhaolei.get(`/records/${recordId}/attachments`);
    expect(list.body.items.map((a: { filename: string }) => a.filename)).not.toContain('big.txt');
  });

  it('abandons a stalled upload with 408 after OPSLOOM_UPLOAD_IDLE_MS', async () => {
    const socket = await startUpload(srv, zhaolei, recordId, 1024 * 1024);
    let answer = '';
    socket.on('data', (d) => {
      answer += d.toString();
    });
    const closed = new Promise((resolve) => socket.once('close', resolve));
    await expect.poll(() => tmpFiles().length).toBe(1);
    expect(openFilesUnder(tmpDir())).toBe(1);
    await closed; // the server hangs up after answering
    expect(answer).toMatch(/^HTTP\/1\.1 408/);
    expect(answer).toContain('upload_stalled');
    await expect.poll(() => tmpFiles()).toEqual([]);
    await expect.poll(() => openFilesUnder(tmpDir())).toBe(0);
    expect((await srv.client().get('/health')).status).toBe(200);
  });
});
