import type { ApiClient } from './client.ts';

/** Small, valid definitions for API tests (the spec package's own fixtures cover every rule). */
export function formDef(key = 'laptop-request', extra: Record<string, unknown> = {}) {
  return {
    kind: 'form',
    key,
    name: { 'zh-CN': '笔记本申请', en: 'Laptop request' },
    numberPrefix: 'LAP',
    schema: {
      type: 'object',
      required: ['title'],
      properties: {
        title: { type: 'string', title: 'Title', maxLength: 200 },
        model: { type: 'string', enum: ['x1', 'mbp'] },
        reason: { type: 'string' },
      },
    },
    titleField: 'title',
    ...extra,
  };
}

export function processDef(key = 'laptop-flow', form = 'laptop-request', group = 'service-desk') {
  return {
    kind: 'process',
    key,
    name: { 'zh-CN': '笔记本申请流程', en: 'Laptop request flow' },
    form,
    nodes: [
      { id: 'start', type: 'start', position: { x: 0, y: 0 } },
      {
        id: 'fulfil',
        type: 'userTask',
        name: { en: 'Fulfil', 'zh-CN': '交付' },
        position: { x: 200, y: 0 },
        status: 'in-progress',
        assignee: { type: 'group', value: group },
        distribution: 'claim',
      },
      { id: 'done', type: 'end', position: { x: 400, y: 0 }, outcome: 'resolved' },
    ],
    edges: [
      { id: 'e1', source: 'start', target: 'fulfil' },
      {
        id: 'e2',
        source: 'fulfil',
        target: 'done',
        action: { key: 'resolve', label: { en: 'Resolve', 'zh-CN': '解决' } },
      },
    ],
  };
}

/** Creates and publishes each definition as `admin`, in order; throws with the server's answer. */
export async function publishDefinitions(admin: ApiClient, defs: readonly { kind: string; key: string }[]) {
  for (const def of defs) {
    const created = await admin.post('/definitions', def);
    if (created.status !== 201) throw new Error(`create ${def.key}: ${JSON.stringify(created.body)}`);
    const published = await admin.post(`/definitions/${def.kind}/${def.key}/publish`);
    if (published.status !== 201) throw new Error(`publish ${def.key}: ${JSON.stringify(published.body)}`);
  }
}
