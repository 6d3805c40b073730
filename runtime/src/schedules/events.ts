import type { RuleDefinition } from '@opsloom/spec';
import type { Knex } from 'knex';
import { emitEvent } from '../automation/events.ts';
import { fromJson } from '../db/json.ts';

/** Most open records one schedule occurrence hands to its rule (a sweep, not a bulk job). */
const SWEEP_LIMIT = 1000;

/**
 * A schedule that runs a rule sweeps the rule's record type: one `schedule.fired` event per open
 * record (not closed), naming the rule, so only that rule runs and its condition picks the
 * records it is about (e.g. "open P1 incidents older than a day"). Events are written in the
 * occurrence's transaction, so a sweep happens once.
 */
export async function emitScheduleFired(
  trx: Knex,
  schedule: string,
  rule: string,
  at: number,
): Promise<{ records: number }> {
  const row = await trx('definitions as d')
    .join('definition_versions as v', function () {
      this.on('v.definition_id', 'd.id').andOn('v.version', 'd.latest_version');
    })
    .where({ 'd.kind': 'rule', 'd.key': rule })
    .whereNot('d.status', 'retired')
    .first('v.body');
  const def = row ? fromJson<RuleDefinition>(row.body) : null;
  if (!def) throw new Error(`schedule ${schedule}: rule ${rule} is not published`);
  if (!def.form)
    throw new Error(`schedule ${schedule}: rule ${rule} has no form, so there are no records to run it on`);
  const open = await trx('records')
    .where({ type: def.form })
    .whereNull('closed_at')
    .orderBy('id')
    .limit(SWEEP_LIMIT)
    .select('id');
  for (const r of open) {
    await emitEvent(trx, {
      type: 'schedule.fired',
      recordId: Number(r.id),
      actor: `system:schedule:${schedule}`,
      detail: { schedule, rule, at },
    });
  }
  return { records: open.length };
}
