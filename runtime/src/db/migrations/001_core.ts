import type { Knex } from 'knex';

// Instants are epoch milliseconds in BIGINT columns on both databases, so comparisons and
// indexes behave the same on SQLite and MySQL. JSON is LONGTEXT/TEXT, written with JSON.stringify.

export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('users', (t) => {
    t.increments('id').primary();
    t.string('username', 64).notNullable().unique();
    t.string('display_name', 200).notNullable();
    t.string('email', 320);
    t.string('locale', 8).notNullable().defaultTo('zh-CN');
    t.string('password_hash', 255);
    t.text('roles').notNullable();
    t.boolean('active').notNullable().defaultTo(true);
    t.bigInteger('created_at').notNullable();
    t.bigInteger('updated_at').notNullable();
  });

  await knex.schema.createTable('groups', (t) => {
    t.increments('id').primary();
    t.string('key', 64).notNullable().unique();
    t.text('name').notNullable();
    t.string('type', 16).notNullable();
    t.integer('parent_id').unsigned().references('id').inTable('groups').onDelete('SET NULL');
    t.bigInteger('created_at').notNullable();
    t.bigInteger('updated_at').notNullable();
  });

  await knex.schema.createTable('group_members', (t) => {
    t.integer('group_id').unsigned().notNullable().references('id').inTable('groups').onDelete('CASCADE');
    t.integer('user_id').unsigned().notNullable().references('id').inTable('users').onDelete('CASCADE');
    t.primary(['group_id', 'user_id']);
    t.index(['user_id']);
  });

  await knex.schema.createTable('sessions', (t) => {
    t.string('id_hash', 64).primary();
    t.integer('user_id').unsigned().notNullable().references('id').inTable('users').onDelete('CASCADE');
    t.string('csrf_token', 64).notNullable();
    t.bigInteger('created_at').notNullable();
    t.bigInteger('expires_at').notNullable().index();
  });

  await knex.schema.createTable('api_tokens', (t) => {
    t.increments('id').primary();
    t.integer('user_id').unsigned().notNullable().references('id').inTable('users').onDelete('CASCADE');
    t.string('name', 200).notNullable();
    t.string('token_hash', 64).notNullable().unique();
    t.string('prefix', 16).notNullable();
    t.bigInteger('created_at').notNullable();
    t.bigInteger('expires_at');
    t.bigInteger('last_used_at');
    t.bigInteger('revoked_at');
  });

  await knex.schema.createTable('login_failures', (t) => {
    t.string('key', 200).primary();
    t.integer('failures').notNullable();
    t.bigInteger('window_start').notNullable();
    t.bigInteger('locked_until');
  });

  await knex.schema.createTable('definitions', (t) => {
    t.increments('id').primary();
    t.string('kind', 16).notNullable();
    t.string('key', 64).notNullable();
    t.string('status', 16).notNullable();
    t.text('draft', 'longtext');
    // Bumped by every draft write: the optimistic-concurrency token of the draft.
    t.integer('revision').notNullable().defaultTo(1);
    t.integer('latest_version').notNullable().defaultTo(0);
    t.string('source', 128);
    t.bigInteger('created_at').notNullable();
    t.bigInteger('updated_at').notNullable();
    t.string('updated_by', 128);
    t.unique(['kind', 'key']);
  });

  await knex.schema.createTable('definition_versions', (t) => {
    t.increments('id').primary();
    t.integer('definition_id').unsigned().notNullable().references('id').inTable('definitions');
    t.string('kind', 16).notNullable();
    t.string('key', 64).notNullable();
    t.integer('version').notNullable();
    t.text('body', 'longtext').notNullable();
    t.string('checksum', 64).notNullable();
    t.bigInteger('published_at').notNullable();
    t.string('published_by', 128).notNullable();
    t.unique(['kind', 'key', 'version']);
  });

  await knex.schema.createTable('audit_log', (t) => {
    t.bigIncrements('id').primary();
    t.bigInteger('at').notNullable().index();
    t.string('actor', 128).notNullable();
    t.string('action', 64).notNullable();
    t.string('entity_type', 32).notNullable();
    t.string('entity_key', 200).notNullable();
    t.text('detail', 'longtext');
    t.index(['entity_type', 'entity_key']);
  });

  await knex.schema.createTable('plugins', (t) => {
    t.string('name', 128).primary();
    t.string('version', 32).notNullable();
    t.string('status', 16).notNullable();
    t.text('problems', 'longtext');
    t.bigInteger('updated_at').notNullable();
  });
}

export async function down(knex: Knex): Promise<void> {
  for (const table of [
    'plugins',
    'audit_log',
    'definition_versions',
    'definitions',
    'login_failures',
    'api_tokens',
    'sessions',
    'group_members',
    'groups',
    'users',
  ]) {
    await knex.schema.dropTableIfExists(table);
  }
}
