import { type I18nText, type Locale, localize, type ReportDefinition } from '@opsloom/spec';
import type { Drill } from './drill.ts';
import type { Column, Row } from './engine.ts';
import type { Plan } from './plan.ts';

/**
 * Report result → ECharts option. Pure (no database, no DOM): the dashboards, the big screen and
 * the designer's preview hand it to `echarts.setOption` as it is.
 *
 * Every data item is an object `{ value, name?, drill }`: ECharts keeps extra properties on data
 * items and hands them to event handlers as `params.data`, so a click on a bar, a slice or a
 * heatmap cell reads `params.data.drill.query` and opens the records list with it. A `number`
 * chart's figure carries its drill on `title.drill` (and the result's `drill[0]`).
 *
 * Options a definition may set (`chart.options`): `title` (zh-CN and en), `colors`, `stack` (bars/areas stacked),
 * `horizontal` (bars), `smooth` (lines), `labels` (show values on the marks), `measures` (the
 * measure ids the chart draws, default all), `echarts` (an ECharts option merged over the
 * generated one, for anything else).
 */

export interface ChartInput {
  def: ReportDefinition;
  plan: Plan;
  columns: Column[];
  rows: Row[];
  labels: Record<string, Record<string, string>>;
  drill: Record<string, Drill>[];
  locale: Locale;
  /** Every bucket label of the time axis, when the period is known (days without records too). */
  axis?: string[];
}

type Option = Record<string, unknown>;

const UNIT_MS = { ms: 1, s: 1000, min: 60_000, h: 3_600_000, d: 86_400_000 } as const;
const UNIT_NAMES = {
  ms: { 'zh-CN': '毫秒', en: 'ms' },
  s: { 'zh-CN': '秒', en: 's' },
  min: { 'zh-CN': '分钟', en: 'min' },
  h: { 'zh-CN': '小时', en: 'h' },
  d: { 'zh-CN': '天', en: 'd' },
} as const;

const round = (n: number) => Math.round(n * 100) / 100;

/** A figure as the chart shows it: durations in the measure's unit, ratios in percent. */
export function chartValue(plan: Plan, measureId: string, v: number | null): number | null {
  if (v === null) return null;
  const m = plan.measures.find((x) => x.id === measureId);
  if (m?.format === 'duration') return round(v / UNIT_MS[m.unit]);
  if (m?.format === 'percent') return round(v * 100);
  return round(v);
}

export function buildChart(input: ChartInput): Option {
  const { def, plan, columns, rows, labels, drill, locale } = input;
  const options = (def.chart.options ?? {}) as Record<string, unknown>;
  // `measures`: the ones the chart draws (a count beside durations would dwarf them); the table,
  // the export and the drill-downs keep every measure.
  const drawn = Array.isArray(options.measures) ? new Set(options.measures as unknown[]) : null;
  const measures = columns.filter((c) => c.role === 'measure' && (!drawn || drawn.has(c.key)));
  const previous = columns.filter((c) => c.role === 'previous' && (!drawn || drawn.has(c.of)));
  const dims = columns.filter((c) => c.role === 'dimension');
  const type = def.chart.type;
  const base: Option = {};
  if (Array.isArray(options.colors)) base.color = options.colors;
  // A title in the viewer's language ({zh-CN, en}, or one text for both).
  const title = options.title;
  if (typeof title === 'string' || (title && typeof title === 'object'))
    base.title = { text: localize(title as I18nText, locale), left: 'left' };
  const labelOf = (dim: Column | undefined, row: Row) => {
    if (!dim) return '';
    const v = row[dim.key] ?? null;
    if (dim.granularity) return String(v ?? labels[dim.key]?.null ?? '');
    return labels[dim.key]?.[String(v)] ?? String(v);
  };
  const unitSuffix = (c: Column) => {
    const m = plan.measures.find((x) => x.id === c.key);
    if (m?.format === 'duration') return ` (${UNIT_NAMES[m.unit][locale]})`;
    if (m?.format === 'percent') return ' (%)';
    return '';
  };
  const item = (row: Row, i: number, c: Column, extra: Option = {}) => ({
    value: chartValue(plan, c.key, (row[c.key] as number | null) ?? null),
    drill: drill[i]?.[c.key],
    ...extra,
  });

  let option: Option;
  switch (type) {
    case 'pie':
    case 'funnel': {
      const m = measures[0];
      option = {
        ...base,
        tooltip: { trigger: 'item' },
        legend: { type: 'scroll', bottom: 0 },
        series: m
          ? [
              {
                type,
                name: m.label,
                ...(type === 'pie' ? { radius: ['40%', '70%'] } : {}),
                label: { show: options.labels !== false },
                data: rows.map((row, i) => item(row, i, m, { name: labelOf(dims[0], row) })),
              },
            ]
          : [],
      };
      break;
    }
    case 'number':
    case 'gauge': {
      const m = measures[0];
      const row = rows[0];
      const value = m && row ? chartValue(plan, m.key, (row[m.key] as number | null) ?? null) : null;
      const d = m ? drill[0]?.[m.key] : undefined;
      if (type === 'number') {
        const prev =
          previous[0] && row
            ? chartValue(plan, m!.key, (row[previous[0].key] as number | null) ?? null)
            : null;
        option = {
          ...base,
          title: {
            text: value === null ? '–' : `${value}${m?.format === 'percent' ? ' %' : ''}`,
            subtext: m
              ? `${m.label}${prev === null ? '' : ` · ${locale === 'zh-CN' ? '上期' : 'previous'} ${prev}`}`
              : '',
            left: 'center',
            top: 'middle',
            triggerEvent: true,
            drill: d,
          },
          series: [],
        };
      } else {
        option = {
          ...base,
          series: [
            {
              type: 'gauge',
              min: 0,
              max: m?.format === 'percent' ? 100 : Math.max(100, Math.ceil((value ?? 0) * 1.2)),
              detail: { formatter: m?.format === 'percent' ? '{value} %' : '{value}' },
              data: m ? [{ value, name: m.label, drill: d }] : [],
            },
          ],
        };
      }
      break;
    }
    case 'heatmap': {
      const m = measures[0];
      const xs = [...new Set(rows.map((r) => labelOf(dims[0], r)))];
      const ys = [...new Set(rows.map((r) => labelOf(dims[1], r)))];
      const data = m
        ? rows.map((row, i) => ({
            value: [
              xs.indexOf(labelOf(dims[0], row)),
              ys.indexOf(labelOf(dims[1], row)),
              chartValue(plan, m.key, (row[m.key] as number | null) ?? null),
            ],
            drill: drill[i]?.[m.key],
          }))
        : [];
      const values = data.map((d) => Number(d.value[2] ?? 0));
      option = {
        ...base,
        tooltip: { position: 'top' },
        xAxis: { type: 'category', data: xs },
        yAxis: { type: 'category', data: ys },
        visualMap: {
          min: 0,
          max: Math.max(1, ...values),
          calculable: true,
          orient: 'horizontal',
          left: 'center',
          bottom: 0,
        },
        series: m
          ? [{ type: 'heatmap', name: m.label, data, label: { show: options.labels !== false } }]
          : [],
      };
      break;
    }
    case 'table':
      option = {
        dataset: {
          source: [
            columns.map((c) => c.label),
            ...rows.map((row) => columns.map((c) => (c.role === 'dimension' ? labelOf(c, row) : row[c.key]))),
          ],
        },
      };
      break;
    default: {
      // bar, line, area: the first dimension along the axis; series per measure, or per value of
      // the second dimension (first measure) when there are two.
      const x = dims[0];
      const categories =
        x?.granularity && input.axis && dims.length <= 2
          ? input.axis
          : [...new Set(rows.map((r) => labelOf(x, r)))];
      const seriesType = type === 'area' ? 'line' : type;
      const common = {
        type: seriesType,
        ...(options.stack ? { stack: 'total' } : {}),
        ...(type === 'area' ? { areaStyle: {} } : {}),
        ...(seriesType === 'line' && options.smooth ? { smooth: true } : {}),
        ...(options.labels ? { label: { show: true } } : {}),
      };
      let series: Option[];
      if (dims.length >= 2 && measures[0]) {
        const m = measures[0];
        const groups = [...new Set(rows.map((r) => labelOf(dims[1], r)))];
        series = groups.map((g) => ({
          ...common,
          name: g,
          data: categories.map((cat) => {
            const i = rows.findIndex((r) => labelOf(x, r) === cat && labelOf(dims[1], r) === g);
            return i < 0
              ? {
                  value:
                    m.format === 'number' && plan.measures.find((p) => p.id === m.key)?.agg === 'count'
                      ? 0
                      : null,
                }
              : item(rows[i]!, i, m);
          }),
        }));
      } else {
        series = [
          ...measures.map((m) => ({
            ...common,
            name: `${m.label}${unitSuffix(m)}`,
            data: categories.map((cat) => {
              const i = rows.findIndex((r) => labelOf(x, r) === cat);
              return i < 0 ? { value: null } : item(rows[i]!, i, m);
            }),
          })),
          ...previous.map((p) => ({
            type: 'line',
            name: p.label,
            lineStyle: { type: 'dashed' },
            data: categories.map((cat) => {
              const i = rows.findIndex((r) => labelOf(x, r) === cat);
              return {
                value: i < 0 ? null : chartValue(plan, p.of!, (rows[i]![p.key] as number | null) ?? null),
              };
            }),
          })),
        ];
      }
      const categoryAxis = { type: 'category', data: categories };
      const valueAxis = {
        type: 'value',
        ...(measures.length === 1 && measures[0]
          ? {
              name: unitSuffix(measures[0])
                .trim()
                .replace(/^\(|\)$/g, ''),
            }
          : {}),
      };
      option = {
        ...base,
        tooltip: { trigger: 'axis' },
        // A title takes the first line; the legend goes under it.
        legend: { type: 'scroll', top: base.title ? 28 : 0 },
        grid: { left: 8, right: 16, top: base.title ? 60 : 32, bottom: 8, containLabel: true },
        xAxis: options.horizontal ? valueAxis : categoryAxis,
        yAxis: options.horizontal ? categoryAxis : valueAxis,
        series,
      };
    }
  }
  return options.echarts && typeof options.echarts === 'object'
    ? deepMerge(option, options.echarts as Option)
    : option;
}

/** Plain-object merge (arrays and values replace); keys like __proto__ are skipped. */
export function deepMerge(a: Option, b: Option): Option {
  const out: Option = { ...a };
  for (const [k, v] of Object.entries(b)) {
    if (k === '__proto__' || k === 'constructor' || k === 'prototype') continue;
    const cur = out[k];
    out[k] =
      v && typeof v === 'object' && !Array.isArray(v) && cur && typeof cur === 'object' && !Array.isArray(cur)
        ? deepMerge(cur as Option, v as Option)
        : v;
  }
  return out;
}
