import type { LocalizedMessage } from '../i18n.ts';
import { localize } from '../i18n.ts';
import { segmentsOf } from './pointer.ts';

/**
 * Human labels for places in a definition. A pointer like /nodes/3/assignee/type becomes
 * `node "triage" › assignee › type`, so a message names the node the admin sees on the
 * canvas instead of an array index.
 */

const COLLECTION_NOUNS: Record<string, LocalizedMessage> = {
  nodes: { 'zh-CN': '节点', en: 'node' },
  edges: { 'zh-CN': '连线', en: 'edge' },
  widgets: { 'zh-CN': '组件', en: 'widget' },
  items: { 'zh-CN': '服务项', en: 'item' },
  categories: { 'zh-CN': '分类', en: 'category' },
  metrics: { 'zh-CN': '指标', en: 'metric' },
  goals: { 'zh-CN': '目标', en: 'goal' },
  measures: { 'zh-CN': '度量', en: 'measure' },
  dimensions: { 'zh-CN': '维度', en: 'dimension' },
  filters: { 'zh-CN': '筛选条件', en: 'filter' },
  params: { 'zh-CN': '参数', en: 'parameter' },
  rules: { 'zh-CN': '字段规则', en: 'field rule' },
  actions: { 'zh-CN': '动作', en: 'action' },
  onWarn: { 'zh-CN': '预警动作', en: 'warning action' },
  onBreach: { 'zh-CN': '超时动作', en: 'breach action' },
  recipients: { 'zh-CN': '接收人', en: 'recipient' },
  guards: { 'zh-CN': '校验', en: 'guard' },
  holidays: { 'zh-CN': '节假日', en: 'holiday' },
  workdays: { 'zh-CN': '调休工作日', en: 'make-up day' },
};

const ROOT: LocalizedMessage = { 'zh-CN': '定义', en: 'definition' };

function identify(element: unknown): string | undefined {
  if (element && typeof element === 'object') {
    const o = element as Record<string, unknown>;
    for (const k of ['id', 'key', 'date']) if (typeof o[k] === 'string' && o[k] !== '') return o[k] as string;
  }
  return undefined;
}

export function describePath(root: unknown, path: string): LocalizedMessage {
  const segments = segmentsOf(path);
  if (segments.length === 0) return ROOT;
  const zh: string[] = [];
  const en: string[] = [];
  let current: unknown = root;
  for (let i = 0; i < segments.length; i++) {
    const seg = segments[i] as string;
    const next = segments[i + 1];
    const container =
      current && typeof current === 'object' ? (current as Record<string, unknown>)[seg] : undefined;
    const noun = COLLECTION_NOUNS[seg];
    if (noun && Array.isArray(container) && next !== undefined && /^\d+$/.test(next)) {
      const element = container[Number(next)];
      const id = identify(element);
      zh.push(id ? `${noun['zh-CN']} “${id}”` : `第 ${Number(next) + 1} 个${noun['zh-CN']}`);
      en.push(id ? `${noun.en} "${id}"` : `${noun.en} #${Number(next) + 1}`);
      current = element;
      i++;
      continue;
    }
    zh.push(seg);
    en.push(seg);
    current = container;
  }
  return { 'zh-CN': zh.join(' › '), en: en.join(' › ') };
}

/** `"triage" (Triage)`: the id the JSON uses and the name the canvas shows. */
export function nodeLabel(node: unknown): LocalizedMessage {
  const o = (node && typeof node === 'object' ? node : {}) as { id?: unknown; name?: unknown };
  const id = typeof o.id === 'string' ? o.id : '?';
  const name = o.name as Parameters<typeof localize>[0];
  const zhName =
    typeof name === 'string' || (name && typeof name === 'object') ? localize(name, 'zh-CN') : '';
  const enName = typeof name === 'string' || (name && typeof name === 'object') ? localize(name, 'en') : '';
  return {
    'zh-CN': zhName && zhName !== id ? `“${id}”（${zhName}）` : `“${id}”`,
    en: enName && enName !== id ? `"${id}" (${enName})` : `"${id}"`,
  };
}
