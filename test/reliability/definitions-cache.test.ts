import type { Knex } from 'knex';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connect } from '../../runtime/src/db/connect.ts';
import { migrateLatest } from '../../runtime/src/db/migrations/index.ts';
import { currentVersion, watchDefinitionWrites } from '../../runtime/src/definitions/current.ts';
import { createTestDatabase, type TestDatabase } from '../support/databases.ts';

/**
 * The cached answer to "which version is current" never outlives a publish that was answered:
 * with a connection pool (MySQL), another transaction's COMMIT while a publish is still open
 * must not count as the publish's. (SQLite has one connection, so no other reader runs between
 * a publish's write and its COMMIT.)
 */
describe.skipIf(!process.env.TEST_MYSQL_URL)('the definitions cache on mysql', () => {
  let scratch: TestDatabase;
  let db: Knex;
  beforeAll(async () => {
    scratch = await createTestDatabase('mysql');
    db = connect(scratch.url);
    await migrateLatest(db);
    watchDefinitionWrites(db);
  });
  afterAll(async () => {
    await db?.destroy();
    await scratch?.drop();
  });

  async function publish(trx: Knex, key: string) {
    const now = Date.now();
    const [id] = await trx('definitions').insert({
      kind: 'form',
      key,
      status: 'published',
      latest_version: 1,
      created_at: now,
      updated_at: now,
    });
    await trx('definition_versions').insert({
      definition_id: id,
      kind: 'form',
      key,
      version: 1,
      body: '{}',
      checksum: 'c',
      published_at: now,
      published_by: 'test',
    });
  }

  it('sees a publish once it commits, though another transaction committed while it was open', async () => {
    let release!: () => void;
    const held = new Promise<void>((r) => {
      release = r;
    });
    let written!: () => void;
    const wrote = new Promise<void>((r) => {
      written = r;
    });
    const publishing = db.transaction(async (trx) => {
      await publish(trx, 'laptop');
      written();
      await held;
    });
    await wrote;
    // Meanwhile: some other work commits (the job runner does all the time), and a reader on
    // another connection caches the state from before the publish.
    await db.transaction(async (trx) => {
      await trx('audit_log').insert({
        at: Date.now(),
        actor: 't',
        action: 'x',
        entity_type: 'y',
        entity_key: 'z',
      });
    });
    expect(await currentVersion(db, 'form', 'laptop')).toBeNull();
    release();
    await publishing;
    expect(await currentVersion(db, 'form', 'laptop')).toBe(1);
  });

  it('sees an autocommitted write once it is answered', async () => {
    await publish(db, 'phone');
    expect(await currentVersion(db, 'form', 'phone')).toBe(1);
  });
});
