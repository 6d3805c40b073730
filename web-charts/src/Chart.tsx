import type { CSSProperties } from 'react';
import { useEffect, useRef } from 'react';
import { type ECharts, echarts } from './echarts.ts';

type Option = Record<string, unknown>;

/** The records behind a chart element, as reports/src/chart.ts puts them on every data item. */
export interface Drill {
  query: Record<string, string>;
  count?: number;
}

/** The drill-down a clicked chart element carries (reports/src/chart.ts puts it on every data item). */
function drillOf(params: { componentType?: string; data?: unknown }, option: Option): Drill | undefined {
  const data = params.data as { drill?: Drill } | undefined;
  if (data && typeof data === 'object' && data.drill) return data.drill;
  if (params.componentType === 'title') return (option.title as { drill?: Drill } | undefined)?.drill;
  return undefined;
}

/**
 * One ECharts instance for the life of the component: a new option is merged into it
 * (`setOption` with the series replaced), so a refresh moves the bars and lines where they go
 * instead of drawing the chart again — no flicker on a wall screen. With `fresh`, each option is
 * drawn from scratch (`notMerge`): a designer's preview changes the chart's shape (an axis or a
 * legend removed), which a merge would leave behind. Clicking an element that
 * carries a drill-down calls `onDrill`. The instance is kept on the element as `echartsInstance`
 * too (browser tests find a bar's pixel through it) and handed to `chartRef` (PNG export).
 */
export function Chart(props: {
  option: Option;
  /** An ECharts theme name (`dark`, or one registered by the app); fixed for the instance's life. */
  theme?: string;
  /** Canvas pixels per CSS pixel: a screen scaled up by CSS draws at its real resolution. */
  pixelRatio?: number;
  onDrill?(drill: Drill): void;
  chartRef?: { current: ECharts | null };
  style?: CSSProperties;
  testId?: string;
  fresh?: boolean;
}) {
  const el = useRef<HTMLDivElement>(null);
  const chart = useRef<ECharts | null>(null);
  const latest = useRef(props);
  latest.current = props;

  useEffect(() => {
    const node = el.current!;
    const instance = echarts.init(node, props.theme ?? null, {
      renderer: 'canvas',
      ...(props.pixelRatio ? { devicePixelRatio: props.pixelRatio } : {}),
    });
    chart.current = instance;
    if (props.chartRef) props.chartRef.current = instance;
    Object.defineProperty(node, 'echartsInstance', { value: instance, configurable: true });
    instance.on('click', (p) => {
      const drill = drillOf(p as never, latest.current.option);
      if (drill) latest.current.onDrill?.(drill);
    });
    const resize = new ResizeObserver(() => instance.resize());
    resize.observe(node);
    return () => {
      resize.disconnect();
      instance.dispose();
      chart.current = null;
      if (latest.current.chartRef) latest.current.chartRef.current = null;
    };
    // The theme and pixel ratio are fixed for an instance's life (ECharts takes them at init);
    // a caller that changes them remounts the chart (a React key).
  }, []);

  useEffect(() => {
    chart.current?.setOption(
      props.option,
      props.fresh ? { notMerge: true } : { replaceMerge: ['series'], lazyUpdate: true },
    );
  }, [props.option]);

  return (
    <div ref={el} data-testid={props.testId} style={{ width: '100%', height: '100%', ...props.style }} />
  );
}
