import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { loadConfig, type Running, type StartOptions, startServer } from '@opsloom/runtime';
import { ApiClient } from './client.ts';
import { createTestDatabase, type DbName, type TestDatabase } from './databases.ts';

export const ADMIN_PASSWORD = 'admin-test-password';

export interface TestServer extends Running {
  db: TestDatabase;
  dataDir: string;
  /** A client logged in as the admin. */
  admin: ApiClient;
  client(): ApiClient;
  /** Creates a user through the API and returns a client logged in as them. */
  userClient(username: string, roles: string[], groups?: string[]): Promise<ApiClient>;
  close(): Promise<void>;
}

export interface TestServerOptions {
  /** Plugin folder to install at start; an empty folder by default so suites start clean. */
  pluginsDir?: string;
  /** Reuse an existing database (e.g. to restart on it). */
  database?: TestDatabase;
  demo?: boolean;
  /** With `demo`: the demo's requests and its ninety days of history, as `pnpm start` loads them. */
  demoRecords?: boolean;
  env?: Record<string, string>;
  /** Run due jobs, the SLA checker and schedules (on by default). */
  jobs?: boolean;
  /** Where the runtime's log lines go (with `LOG_LEVEL` in `env`); nowhere by default. */
  logDestination?: StartOptions['logDestination'];
}

/** A real runtime on a random port over a fresh database of the given kind. */
export async function startTestServer(dbName: DbName, opts: TestServerOptions = {}): Promise<TestServer> {
  const db = opts.database ?? (await createTestDatabase(dbName));
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'opsloom-data-'));
  const emptyPlugins = fs.mkdtempSync(path.join(os.tmpdir(), 'opsloom-plugins-'));
  const config = loadConfig({
    PORT: '0',
    HOST: '127.0.0.1',
    DATABASE_URL: db.url,
    OPSLOOM_DATA_DIR: dataDir,
    OPSLOOM_PLUGINS_DIR: opts.pluginsDir ?? emptyPlugins,
    OPSLOOM_ADMIN_PASSWORD: ADMIN_PASSWORD,
    LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'silent',
    // Test peers listen on loopback, which outbound calls refuse unless allow-listed (outbound/).
    OPSLOOM_OUTBOUND_ALLOW: '127.0.0.1',
    ...opts.env,
  });
  const running = await startServer(config, {
    demo: opts.demo,
    demoRecords: opts.demoRecords,
    print: () => {},
    logDestination: opts.logDestination,
    jobs: opts.jobs,
  });
  const admin = await new ApiClient(running.url).login('admin', ADMIN_PASSWORD);
  return {
    ...running,
    db,
    dataDir,
    admin,
    client: () => new ApiClient(running.url),
    async userClient(username, roles, groups = []) {
      const password = `${username}-password`;
      const res = await admin.post('/users', { username, roles, groups, password });
      if (res.status !== 201)
        throw new Error(`create ${username}: ${res.status} ${JSON.stringify(res.body)}`);
      return new ApiClient(running.url).login(username, password);
    },
    async close() {
      await running.stop();
      fs.rmSync(dataDir, { recursive: true, force: true });
      fs.rmSync(emptyPlugins, { recursive: true, force: true });
      if (!opts.database) await db.drop();
    },
  };
}
