import type { LocalizedMessage } from '../../i18n.ts';
import { type Checker, list, record, str } from '../checker.ts';
import { child } from '../pointer.ts';
import { checkActions } from './actions.ts';

const METRICS: LocalizedMessage = { 'zh-CN': '指标（metrics）', en: 'metrics' };
const GOALS: LocalizedMessage = { 'zh-CN': '目标（goals）', en: 'goals' };

export function checkSla(c: Checker, def: Record<string, unknown>): void {
  const form = str(def.form);
  c.reference('form', form, '/form');
  c.reference('calendar', def.calendar, '/calendar');
  c.expression('/appliesTo', def.appliesTo);

  c.uniqueIds(def.metrics, '/metrics', METRICS);
  const metricIds: string[] = [];
  list(def.metrics).forEach((raw, i) => {
    const m = record(raw);
    if (typeof m.id === 'string') metricIds.push(m.id);
    for (const trigger of ['start', 'pause', 'stop'] as const) {
      if (m[trigger] === undefined) continue;
      const t = record(m[trigger]);
      const path = child('/metrics', i, trigger);
      if (t.events === undefined && t.condition === undefined) {
        c.add('sla.trigger.empty', path, { metric: String(m.id), trigger });
      }
      c.expression(child(path, 'condition'), t.condition);
    }
  });

  c.uniqueIds(def.goals, '/goals', GOALS);
  let catchAll: string | undefined;
  list(def.goals).forEach((raw, i) => {
    const g = record(raw);
    const path = child('/goals', i);
    const goalId = String(g.id);
    if (catchAll !== undefined) c.add('sla.goal.shadowed', path, { goal: goalId, previous: catchAll });
    if (g.when === undefined && catchAll === undefined) catchAll = goalId;
    c.expression(child(path, 'when'), g.when);
    c.reference('calendar', g.calendar, child(path, 'calendar'));
    for (const [metric, rawTarget] of Object.entries(record(g.targets))) {
      const tPath = child(path, 'targets', metric);
      if (!metricIds.includes(metric)) {
        c.add('sla.target.metric', tPath, { goal: goalId, metric, allowed: metricIds.join(', ') });
      }
      const target = record(rawTarget);
      checkActions(c, target.onWarn, child(tPath, 'onWarn'), form);
      checkActions(c, target.onBreach, child(tPath, 'onBreach'), form);
    }
  });
}
