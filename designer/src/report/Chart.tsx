import { BarChart, FunnelChart, GaugeChart, HeatmapChart, LineChart, PieChart } from 'echarts/charts';
import {
  DatasetComponent,
  GridComponent,
  LegendComponent,
  MarkLineComponent,
  TitleComponent,
  TooltipComponent,
  VisualMapComponent,
} from 'echarts/components';
import * as echarts from 'echarts/core';
import { CanvasRenderer } from 'echarts/renderers';
import { useEffect, useRef } from 'react';

// ECharts as the workspace's dashboards load it: `echarts/core` with the chart types the report
// engine emits (reports/src/chart.ts) and the components its options name. This module is a lazy
// chunk: only the report and dashboard designers' previews load it.
echarts.use([
  BarChart,
  LineChart,
  PieChart,
  FunnelChart,
  GaugeChart,
  HeatmapChart,
  TitleComponent,
  TooltipComponent,
  LegendComponent,
  GridComponent,
  VisualMapComponent,
  DatasetComponent,
  MarkLineComponent,
  CanvasRenderer,
]);

/**
 * One ECharts instance for the component's life; a new option replaces the series (the engine's
 * option is complete, so `notMerge` keeps a removed axis or legend from lingering). The instance is
 * kept on the element as `echartsInstance` (browser tests read the drawn series through it).
 */
export default function Chart({ option, testId }: { option: Record<string, unknown>; testId?: string }) {
  const el = useRef<HTMLDivElement>(null);
  const chart = useRef<echarts.ECharts | null>(null);

  useEffect(() => {
    const node = el.current!;
    const instance = echarts.init(node, null, { renderer: 'canvas' });
    chart.current = instance;
    Object.defineProperty(node, 'echartsInstance', { value: instance, configurable: true });
    const resize = new ResizeObserver(() => instance.resize());
    resize.observe(node);
    return () => {
      resize.disconnect();
      instance.dispose();
      chart.current = null;
    };
  }, []);

  useEffect(() => {
    chart.current?.setOption(option, { notMerge: true });
  }, [option]);

  return <div ref={el} data-testid={testId} style={{ width: '100%', height: '100%' }} />;
}
