import type { RuleDefinition } from '@opsloom/spec';
import type { Knex } from 'knex';
import { fromJson } from '../db/json.ts';
import { currentOfKind } from '../definitions/current.ts';

export interface LoadedRule {
  key: string;
  version: number;
  def: RuleDefinition;
}

// Published versions never change: a rule is parsed once per key@version.
const cache = new Map<string, LoadedRule>();

/** The published, not retired rules (their current versions). */
export async function publishedRules(db: Knex): Promise<LoadedRule[]> {
  const out: LoadedRule[] = [];
  for (const r of await currentOfKind(db, 'rule')) {
    // The checksum keeps two databases served by one process (tests) from sharing an entry.
    const id = `${r.key}@${r.version}#${r.checksum}`;
    let rule = cache.get(id);
    if (!rule) {
      const v = await db('definition_versions')
        .where({ kind: 'rule', key: r.key, version: r.version })
        .first('body');
      if (!v) continue;
      rule = { key: r.key, version: r.version, def: fromJson<RuleDefinition>(v.body)! };
      cache.set(id, rule);
    }
    out.push(rule);
  }
  return out;
}

/** Whether any published rule reacts to events of this type: an event nobody listens to is not queued. */
export async function isListenedTo(db: Knex, type: string): Promise<boolean> {
  return (await publishedRules(db)).some((r) => r.def.event === type);
}
