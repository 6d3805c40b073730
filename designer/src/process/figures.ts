import type { Definition } from '@opsloom/spec';
import { create } from 'zustand';
import { api } from '../api.ts';

/**
 * Step figures on the process canvas: a tasks-dataset report grouped by step, run through the
 * reports engine (POST /reports/preview, so nothing is published) over the chosen period. Shown on
 * each node while the toggle is on.
 */

export interface StepFigures {
  /** Tasks of this step in the period. */
  tasks: number;
  /** Mean and 90th percentile of the time spent in the step (ms; open tasks count up to now). */
  avg: number | null;
  p90: number | null;
  /** Tasks that went past their due time. */
  breaches: number;
  /** Tasks open now. */
  waiting: number;
}

interface FiguresState {
  on: boolean;
  period: string;
  loading: boolean;
  error: string | null;
  byStep: Record<string, StepFigures> | null;
  /** The process key the figures are of. */
  of: string | null;
  toggle(processKey: string): void;
  setPeriod(period: string, processKey: string): void;
  load(processKey: string): Promise<void>;
}

/** The report behind the figures (spec's tasks dataset: step, timeInStep, overdue, open). */
export function stepFiguresReport(processKey: string, period: string): Definition {
  return {
    kind: 'report',
    key: 'process-step-figures',
    name: { 'zh-CN': '流程步骤数据', en: 'Process step figures' },
    dataset: { source: 'tasks' },
    filters: [
      { field: 'process', op: 'eq', value: processKey },
      { field: 'openedAt', op: 'between', param: 'period' },
    ],
    dimensions: [{ field: 'step' }],
    measures: [
      { id: 'tasks', agg: 'count' },
      { id: 'avg', agg: 'avg', field: 'timeInStep' },
      { id: 'p90', agg: 'p90', field: 'timeInStep' },
      { id: 'breaches', agg: 'count', where: [{ field: 'overdue', op: 'eq', value: true }] },
      { id: 'waiting', agg: 'count', where: [{ field: 'open', op: 'eq', value: true }] },
    ],
    chart: { type: 'table' },
    params: [{ key: 'period', type: 'dateRange', default: period }],
  } as Definition;
}

const num = (v: unknown) => (typeof v === 'number' ? v : null);

export const useStepFigures = create<FiguresState>((set, get) => ({
  on: false,
  period: 'last30days',
  loading: false,
  error: null,
  byStep: null,
  of: null,
  toggle(processKey) {
    const on = !get().on;
    set({ on });
    if (on) void get().load(processKey);
  },
  setPeriod(period, processKey) {
    set({ period });
    if (get().on) void get().load(processKey);
  },
  async load(processKey) {
    set({ loading: true, error: null, ...(get().of === processKey ? {} : { byStep: null, of: null }) });
    try {
      const result = await api.previewReport(stepFiguresReport(processKey, get().period));
      const byStep: Record<string, StepFigures> = {};
      for (const row of result.rows) {
        byStep[String(row.step)] = {
          tasks: num(row.tasks) ?? 0,
          avg: num(row.avg),
          p90: num(row.p90),
          breaches: num(row.breaches) ?? 0,
          waiting: num(row.waiting) ?? 0,
        };
      }
      set({ byStep, of: processKey, loading: false });
    } catch (e) {
      set({ error: e instanceof Error ? e.message : String(e), loading: false, byStep: null });
    }
  },
}));

/** 95 min → "1.6 h", 3 d → "3 d": one short figure for a node. */
export function shortDuration(ms: number | null, locale: 'zh-CN' | 'en'): string {
  if (ms === null) return '–';
  const units: [number, string, string][] = [
    [86_400_000, '天', 'd'],
    [3_600_000, '小时', 'h'],
    [60_000, '分钟', 'min'],
  ];
  for (const [size, zh, en] of units) {
    if (ms >= size) {
      const v = ms / size;
      return `${v >= 10 ? Math.round(v) : Math.round(v * 10) / 10} ${locale === 'en' ? en : zh}`;
    }
  }
  return `${Math.round(ms / 1000)} ${locale === 'en' ? 's' : '秒'}`;
}
