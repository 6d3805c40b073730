import type { NodeType, ProcessNode } from '@opsloom/spec';

/** Look and defaults of each node type the engine runs. */
export const NODE_STYLE: Record<NodeType, { color: string; shape: 'round' | 'box' | 'diamond' }> = {
  start: { color: '#52c41a', shape: 'round' },
  end: { color: '#ff4d4f', shape: 'round' },
  userTask: { color: '#1677ff', shape: 'box' },
  exclusiveGateway: { color: '#faad14', shape: 'diamond' },
  parallelSplit: { color: '#722ed1', shape: 'diamond' },
  parallelJoin: { color: '#722ed1', shape: 'diamond' },
  timer: { color: '#13c2c2', shape: 'box' },
  callback: { color: '#eb2f96', shape: 'box' },
  serviceTask: { color: '#2f54eb', shape: 'box' },
  notify: { color: '#fa8c16', shape: 'box' },
  subProcess: { color: '#595959', shape: 'box' },
};

/** A new node of the given type with the smallest valid settings. */
export function newNode(type: NodeType, id: string, position: { x: number; y: number }): ProcessNode {
  const base = { id, position };
  switch (type) {
    case 'start':
      return { ...base, type };
    case 'end':
      return { ...base, type, outcome: 'done', name: { 'zh-CN': '结束', en: 'End' } };
    case 'userTask':
      return {
        ...base,
        type,
        name: { 'zh-CN': '审批', en: 'Approval' },
        assignee: { type: 'requester' },
        approval: { mode: 'single' },
      };
    case 'timer':
      return { ...base, type, name: { 'zh-CN': '等待', en: 'Wait' }, timer: { delay: 'PT1H' } };
    case 'callback':
      return {
        ...base,
        type,
        name: { 'zh-CN': '等待回调', en: 'Wait for callback' },
        callback: { name: id },
      };
    case 'serviceTask':
      return {
        ...base,
        type,
        name: { 'zh-CN': '调用接口', en: 'HTTP call' },
        action: { type: 'http', method: 'POST', url: 'https://example.com/hook' },
      };
    case 'notify':
      return {
        ...base,
        type,
        name: { 'zh-CN': '通知', en: 'Notify' },
        notify: {
          channel: 'email',
          recipients: [{ type: 'requester' }],
          template: { subject: '{{ record.number }}', body: '{{ record.title }}' },
        },
      };
    case 'subProcess':
      return { ...base, type, name: { 'zh-CN': '子流程', en: 'Sub-process' }, process: 'change-me' };
    case 'exclusiveGateway':
      return { ...base, type, name: { 'zh-CN': '判断', en: 'Decision' } };
    default:
      return { ...base, type };
  }
}

/** The first free id "prefix", "prefix-2", … among the given ids. */
export function freeId(prefix: string, taken: Iterable<string>): string {
  const set = new Set(taken);
  if (!set.has(prefix)) return prefix;
  for (let i = 2; ; i++) if (!set.has(`${prefix}-${i}`)) return `${prefix}-${i}`;
}
