import type { RuleDefinition } from '@opsloom/spec';
import type { Knex } from 'knex';
import { currentBodies } from '../definitions/current.ts';

export interface LoadedRule {
  key: string;
  version: number;
  def: RuleDefinition;
}

/** The published, not retired rules (their current versions). */
export async function publishedRules(db: Knex): Promise<LoadedRule[]> {
  return currentBodies<RuleDefinition>(db, 'rule');
}

/** Whether any published rule reacts to events of this type: an event nobody listens to is not queued. */
export async function isListenedTo(db: Knex, type: string): Promise<boolean> {
  return (await publishedRules(db)).some((r) => r.def.event === type);
}
