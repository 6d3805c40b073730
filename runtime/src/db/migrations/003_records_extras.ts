import type { Knex } from 'knex';

// Indexes the record features around the core need. task_approvers by user: "records I must
// approve" is part of what a person may see (records/visibility.ts), and the primary key
// (task_id, user_id) cannot answer a lookup by user, so every list would scan all approvers.
//
// Deliberately absent: an index on records (type, updated_at). With it, SQLite chose it for
// `type = ?` lists sorted by created_at and sorted a million rows (4 s instead of 2 ms); a sort
// by updatedAt is the rarer case and may sort.
export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable('task_approvers', (t) => {
    t.index(['user_id', 'task_id'], 'task_approvers_user');
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.alterTable('task_approvers', (t) => {
    t.dropIndex(['user_id', 'task_id'], 'task_approvers_user');
  });
}
