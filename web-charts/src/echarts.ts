// ECharts as the dashboards, the big screen and the designer's previews use it: `echarts/core` with only the chart types
// the report engine emits (reports/src/chart.ts: bar, line/area, pie, funnel, gauge, heatmap) and
// the components its options name (title, tooltip, legend incl. scroll, grid, visual map for
// heatmaps, dataset for tables, mark lines for definitions' own `echarts` overrides), drawn on
// canvas so a chart can be saved as PNG (getDataURL). Only the workspace's dashboard pages, the
// big screen and the designer's report and dashboard previews (lazy chunks) import this file: the
// portal never loads it.
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

export { echarts };
export type ECharts = echarts.ECharts;
