import type { LocalizedMessage } from '../../i18n.ts';
import { DEFAULT_DASHBOARD_COLUMNS } from '../../schemas/dashboard.ts';
import { type Checker, list, record } from '../checker.ts';
import { child } from '../pointer.ts';

const WIDGETS: LocalizedMessage = { 'zh-CN': '组件（widgets）', en: 'widgets' };
const FILTERS: LocalizedMessage = { 'zh-CN': '筛选（filters）', en: 'filters' };

interface Box {
  id: string;
  index: number;
  x: number;
  y: number;
  w: number;
  h: number;
}

export function checkDashboard(c: Checker, def: Record<string, unknown>): void {
  const columns = typeof def.columns === 'number' ? def.columns : DEFAULT_DASHBOARD_COLUMNS;
  c.uniqueIds(def.widgets, '/widgets', WIDGETS);
  c.uniqueIds(def.filters, '/filters', FILTERS, 'param');
  const playlist = record(record(def.bigScreen).playlist);
  list(playlist.dashboards).forEach((key, i) => {
    const path = child('/bigScreen/playlist/dashboards', i);
    if (key === def.key) c.add('dashboard.playlist.self', path, { key: String(key) });
    else c.reference('dashboard', key, path);
  });
  const boxes: Box[] = [];
  list(def.widgets).forEach((raw, index) => {
    const w = record(raw);
    const path = child('/widgets', index);
    c.reference('report', w.report, child(path, 'report'));
    const [x, y, width, height] = [w.x, w.y, w.w, w.h];
    if (![x, y, width, height].every((n) => typeof n === 'number' && Number.isInteger(n))) return;
    const box: Box = {
      id: String(w.id),
      index,
      x: x as number,
      y: y as number,
      w: width as number,
      h: height as number,
    };
    if (box.x + box.w > columns) {
      c.add('dashboard.widget.bounds', path, { widget: box.id, right: box.x + box.w, columns });
    }
    const other = boxes.find(
      (b) => b.x < box.x + box.w && box.x < b.x + b.w && b.y < box.y + box.h && box.y < b.y + b.h,
    );
    if (other) c.add('dashboard.widget.overlap', path, { widget: box.id, other: other.id });
    boxes.push(box);
  });
}
