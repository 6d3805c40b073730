import type { Knex } from 'knex';

// Records of every type share one table; a record's form fields live in `data` (JSON), and the
// fields a form marks `indexed` are copied into `record_values`, whose indexes make filtering
// and sorting on them as fast as on the standard columns.
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('record_sequences', (t) => {
    t.string('type', 64).primary();
    t.bigInteger('next_value').notNullable();
  });

  await knex.schema.createTable('records', (t) => {
    t.bigIncrements('id').primary();
    t.string('type', 64).notNullable();
    t.integer('form_version').notNullable();
    t.string('number', 32).notNullable().unique();
    t.string('title', 500).notNullable();
    t.text('description', 'longtext');
    t.string('status', 64).notNullable();
    t.string('priority', 32);
    t.integer('requester_id').unsigned().notNullable();
    t.integer('assignee_id').unsigned();
    t.integer('group_id').unsigned();
    t.text('data', 'longtext').notNullable();
    // Optimistic-concurrency token: every update names the version it read.
    t.integer('version').notNullable().defaultTo(1);
    t.bigInteger('created_at').notNullable();
    t.bigInteger('updated_at').notNullable();
    t.bigInteger('resolved_at');
    t.bigInteger('closed_at');
    t.index(['type', 'created_at']);
    t.index(['type', 'status', 'created_at']);
    t.index(['requester_id', 'created_at']);
    t.index(['assignee_id', 'created_at']);
    t.index(['group_id', 'created_at']);
    t.index(['type', 'priority', 'created_at']);
    t.index(['created_at']);
  });

  await knex.schema.createTable('record_values', (t) => {
    t.bigInteger('record_id').unsigned().notNullable();
    t.string('type', 64).notNullable();
    t.string('field', 64).notNullable();
    t.string('str_value', 191);
    t.double('num_value');
    t.bigInteger('created_at').notNullable();
    t.primary(['record_id', 'field']);
    t.index(['type', 'field', 'str_value', 'created_at', 'record_id'], 'record_values_str');
    t.index(['type', 'field', 'num_value', 'created_at', 'record_id'], 'record_values_num');
  });

  await knex.schema.createTable('record_history', (t) => {
    t.bigIncrements('id').primary();
    t.bigInteger('record_id').unsigned().notNullable();
    t.bigInteger('at').notNullable();
    t.string('actor', 128).notNullable();
    // field | created | transition | comment | attachment | link | watcher | task | callback
    t.string('kind', 32).notNullable();
    t.string('field', 64);
    t.text('from_value', 'longtext');
    t.text('to_value', 'longtext');
    t.text('detail', 'longtext');
    t.index(['record_id', 'id']);
  });

  await knex.schema.createTable('record_comments', (t) => {
    t.bigIncrements('id').primary();
    t.bigInteger('record_id').unsigned().notNullable();
    t.string('author', 128).notNullable();
    t.text('body', 'longtext').notNullable();
    t.string('visibility', 16).notNullable();
    t.bigInteger('created_at').notNullable();
    t.index(['record_id', 'id']);
  });

  await knex.schema.createTable('record_attachments', (t) => {
    t.bigIncrements('id').primary();
    t.bigInteger('record_id').unsigned().notNullable();
    t.string('filename', 255).notNullable();
    t.string('content_type', 127).notNullable();
    t.bigInteger('size').notNullable();
    t.string('sha256', 64).notNullable();
    t.string('storage_key', 255).notNullable();
    t.string('uploaded_by', 128).notNullable();
    t.bigInteger('created_at').notNullable();
    t.index(['record_id']);
  });

  await knex.schema.createTable('record_watchers', (t) => {
    t.bigInteger('record_id').unsigned().notNullable();
    t.integer('user_id').unsigned().notNullable();
    t.bigInteger('created_at').notNullable();
    t.primary(['record_id', 'user_id']);
    t.index(['user_id', 'record_id']);
  });

  await knex.schema.createTable('record_links', (t) => {
    t.bigIncrements('id').primary();
    t.bigInteger('from_id').unsigned().notNullable();
    // A link points at another record, or at a configuration item named by key.
    t.bigInteger('to_id').unsigned();
    t.string('to_ci', 128);
    t.string('relation', 64).notNullable();
    t.string('created_by', 128).notNullable();
    t.bigInteger('created_at').notNullable();
    t.index(['from_id']);
    t.index(['to_id']);
  });

  await knex.schema.createTable('process_instances', (t) => {
    t.bigIncrements('id').primary();
    t.bigInteger('record_id').unsigned().notNullable();
    t.string('process_key', 64).notNullable();
    t.integer('process_version').notNullable();
    t.string('status', 16).notNullable(); // running | completed | cancelled
    t.bigInteger('parent_token_id').unsigned();
    t.string('secret', 64).notNullable();
    t.bigInteger('started_at').notNullable();
    t.bigInteger('ended_at');
    t.index(['record_id']);
  });

  // A token marks where an instance is. Only tokens at wait states survive a transaction:
  // the engine runs to the next wait inside it.
  await knex.schema.createTable('process_tokens', (t) => {
    t.bigIncrements('id').primary();
    t.bigInteger('instance_id').unsigned().notNullable();
    t.string('node_id', 64).notNullable();
    t.string('status', 16).notNullable(); // waiting | done | cancelled
    t.string('item', 191); // multi-instance item key, when the wait is per item
    t.string('fork', 191); // split node + branch path, so a join counts its own branches
    t.bigInteger('created_at').notNullable();
    t.index(['instance_id', 'status']);
  });

  await knex.schema.createTable('tasks', (t) => {
    t.bigIncrements('id').primary();
    t.bigInteger('instance_id').unsigned().notNullable();
    t.bigInteger('token_id').unsigned().notNullable();
    t.bigInteger('record_id').unsigned().notNullable();
    t.string('node_id', 64).notNullable();
    t.string('status', 16).notNullable(); // open | completed | cancelled
    t.integer('assignee_id').unsigned();
    t.integer('group_id').unsigned();
    t.string('role', 16);
    t.string('approval_mode', 16);
    t.bigInteger('due_at');
    t.integer('version').notNullable().defaultTo(1);
    t.bigInteger('created_at').notNullable();
    t.bigInteger('completed_at');
    t.string('completed_by', 128);
    t.string('outcome', 64);
    t.index(['record_id', 'status']);
    t.index(['assignee_id', 'status']);
    t.index(['group_id', 'status']);
  });

  // The people who must decide an approval task (会签 / 或签 / sequential), in order.
  await knex.schema.createTable('task_approvers', (t) => {
    t.bigInteger('task_id').unsigned().notNullable();
    t.integer('user_id').unsigned().notNullable();
    t.integer('seq').notNullable();
    t.string('decision', 64);
    t.bigInteger('decided_at');
    t.string('added_by', 128);
    t.primary(['task_id', 'user_id']);
  });

  // Every timer, retry and outbound call is a job; runtimes claim due jobs with a conditional
  // UPDATE (lock owner + expiry), so a crash or a second runtime loses or repeats none.
  await knex.schema.createTable('jobs', (t) => {
    t.bigIncrements('id').primary();
    t.string('type', 32).notNullable();
    t.string('status', 16).notNullable(); // pending | running | done | dead
    t.bigInteger('due_at').notNullable();
    t.text('payload', 'longtext').notNullable();
    t.bigInteger('instance_id').unsigned();
    t.bigInteger('token_id').unsigned();
    t.string('lock_owner', 64);
    t.bigInteger('lock_expires_at');
    t.integer('attempts').notNullable().defaultTo(0);
    t.integer('max_attempts').notNullable().defaultTo(5);
    t.text('last_error', 'longtext');
    t.bigInteger('created_at').notNullable();
    t.bigInteger('finished_at');
    t.index(['status', 'due_at']);
    t.index(['token_id']);
  });

  // The in-app inbox; the notification engine adds email, webhooks and IM robots.
  await knex.schema.createTable('inbox', (t) => {
    t.bigIncrements('id').primary();
    t.integer('user_id').unsigned().notNullable();
    t.bigInteger('record_id').unsigned();
    t.string('event', 64).notNullable();
    t.text('title').notNullable();
    t.text('body', 'longtext');
    t.bigInteger('created_at').notNullable();
    t.bigInteger('read_at');
    t.index(['user_id', 'read_at', 'id']);
  });

  // Callbacks already applied, by idempotency key: a repeated callback changes nothing.
  await knex.schema.createTable('callback_receipts', (t) => {
    t.bigInteger('instance_id').unsigned().notNullable();
    t.string('receipt', 191).notNullable();
    t.bigInteger('received_at').notNullable();
    t.text('response', 'longtext');
    t.primary(['instance_id', 'receipt']);
  });
}

export async function down(knex: Knex): Promise<void> {
  for (const table of [
    'callback_receipts',
    'inbox',
    'jobs',
    'task_approvers',
    'tasks',
    'process_tokens',
    'process_instances',
    'record_links',
    'record_watchers',
    'record_attachments',
    'record_comments',
    'record_history',
    'record_values',
    'records',
    'record_sequences',
  ]) {
    await knex.schema.dropTableIfExists(table);
  }
}
