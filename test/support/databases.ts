import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import knex from 'knex';

export type DbName = 'sqlite' | 'mysql';

/**
 * The databases every database suite runs on: SQLite always, MySQL/MariaDB as well when
 * TEST_MYSQL_URL is set (CI sets it). Use with `describe.each(testDatabases())`.
 */
export function testDatabases(): DbName[] {
  return process.env.TEST_MYSQL_URL ? ['sqlite', 'mysql'] : ['sqlite'];
}

export interface TestDatabase {
  name: DbName;
  url: string;
  drop(): Promise<void>;
}

/** A fresh, empty database of the given kind: a temp SQLite file, or a new MySQL schema. */
export async function createTestDatabase(name: DbName): Promise<TestDatabase> {
  const id = `opsloom_t_${Date.now().toString(36)}_${randomBytes(3).toString('hex')}`;
  if (name === 'sqlite') {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'opsloom-test-'));
    return {
      name,
      url: `sqlite://${path.join(dir, `${id}.db`)}`,
      drop: async () => fs.rmSync(dir, { recursive: true, force: true }),
    };
  }
  const base = process.env.TEST_MYSQL_URL;
  if (!base) throw new Error('TEST_MYSQL_URL is not set');
  const admin = knex({ client: 'mysql2', connection: base });
  await admin.raw(`CREATE DATABASE \`${id}\` CHARACTER SET utf8mb4 COLLATE utf8mb4_bin`);
  await admin.destroy();
  const url = new URL(base);
  url.pathname = `/${id}`;
  return {
    name,
    url: url.toString(),
    drop: async () => {
      const conn = knex({ client: 'mysql2', connection: base });
      await conn.raw(`DROP DATABASE IF EXISTS \`${id}\``);
      await conn.destroy();
    },
  };
}

/**
 * The Galera cluster the reliability suites may use (`pnpm test:galera` and CI start one):
 * TEST_GALERA_URLS lists its nodes, `mysql://root@127.0.0.1:3311/test,…` (test/galera/cluster.mjs).
 */
export const galeraNodes = (): string[] =>
  (process.env.TEST_GALERA_URLS ?? '')
    .split(',')
    .map((u) => u.trim())
    .filter(Boolean);

/** A database shared by several runtimes: one URL per runtime, on one server or on cluster nodes. */
export interface SharedDatabase {
  name: 'mysql' | 'galera';
  /** One URL for each runtime, in order: the same server, or nodes 1, 2, … of the cluster. */
  urls: string[];
  drop(): Promise<void>;
}

/** Where several runtimes can share a database here: one MySQL server, and a Galera cluster. */
export function sharedDatabases(): ('mysql' | 'galera')[] {
  return [
    ...(process.env.TEST_MYSQL_URL ? (['mysql'] as const) : []),
    ...(galeraNodes().length >= 2 ? (['galera'] as const) : []),
  ];
}

/** A fresh database for runtimes to share; on the cluster it is made on node 1 and seen by all. */
export async function createSharedDatabase(kind: 'mysql' | 'galera', runtimes = 2): Promise<SharedDatabase> {
  if (kind === 'mysql') {
    const db = await createTestDatabase('mysql');
    return { name: 'mysql', urls: Array.from({ length: runtimes }, () => db.url), drop: db.drop };
  }
  const nodes = galeraNodes();
  const id = `opsloom_g_${Date.now().toString(36)}_${randomBytes(3).toString('hex')}`;
  const admin = knex({ client: 'mysql2', connection: nodes[0]! });
  await admin.raw(`CREATE DATABASE \`${id}\` CHARACTER SET utf8mb4 COLLATE utf8mb4_bin`);
  await admin.destroy();
  const urls = Array.from({ length: runtimes }, (_, i) => {
    const u = new URL(nodes[i % nodes.length]!);
    u.pathname = `/${id}`;
    return u.toString();
  });
  return {
    name: 'galera',
    urls,
    drop: async () => {
      // Any node that is up drops it for the cluster.
      for (const node of nodes) {
        const conn = knex({ client: 'mysql2', connection: node });
        try {
          await conn.raw(`DROP DATABASE IF EXISTS \`${id}\``);
          return;
        } catch {
          // that node is down; try the next
        } finally {
          await conn.destroy();
        }
      }
    },
  };
}
