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
