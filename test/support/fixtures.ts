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

/** The catalog the suites' own forms are requested through: requesters raise records only through an item. */
export const FIXTURE_CATALOG = 'fixture-catalog';

export interface FixtureItem {
  form: string;
  process: string;
}

/** The fixture catalog's item for a process (`fixture-catalog/<process>`), as `POST /records` names it. */
export const fixtureItem = (process: string) => `${FIXTURE_CATALOG}/${process}`;

/**
 * What a requester sends to raise a record of `type` through the fixture catalog's item for
 * `process` (published by `publishCatalogItems`).
 */
export function throughItem(type: string, process: string, data: Record<string, unknown>) {
  return { type, process, catalogItem: fixtureItem(process), data };
}

/**
 * Offers each form and process to everybody as an item of the fixture catalog, the item's id
 * being the process key: creates and publishes the catalog, or adds the items to the one
 * published and publishes it again. The processes must be published already. Returns the refs.
 */
export async function publishCatalogItems(
  admin: ApiClient,
  items: readonly FixtureItem[],
): Promise<string[]> {
  const added = items.map((item) => ({
    id: item.process,
    name: { 'zh-CN': item.process, en: item.process },
    category: 'fixtures',
    ...item,
  }));
  const existing = await admin.get(`/definitions/catalog/${FIXTURE_CATALOG}`);
  if (existing.status === 404) {
    await publishDefinitions(admin, [
      {
        kind: 'catalog',
        key: FIXTURE_CATALOG,
        name: { 'zh-CN': '测试目录', en: 'Fixture catalog' },
        categories: [{ id: 'fixtures', name: { 'zh-CN': '测试', en: 'Fixtures' } }],
        items: added,
      } as { kind: string; key: string },
    ]);
  } else {
    if (existing.status !== 200) throw new Error(`read ${FIXTURE_CATALOG}: ${JSON.stringify(existing.body)}`);
    const current = existing.body.definition as { items: { id: string }[] };
    const kept = current.items.filter((i) => !added.some((a) => a.id === i.id));
    const saved = await admin.put(`/definitions/catalog/${FIXTURE_CATALOG}/draft`, {
      revision: existing.body.revision,
      definition: { ...current, items: [...kept, ...added] },
    });
    if (saved.status !== 200) throw new Error(`save ${FIXTURE_CATALOG}: ${JSON.stringify(saved.body)}`);
    const published = await admin.post(`/definitions/catalog/${FIXTURE_CATALOG}/publish`);
    if (published.status !== 201)
      throw new Error(`publish ${FIXTURE_CATALOG}: ${JSON.stringify(published.body)}`);
  }
  return added.map((item) => fixtureItem(item.id));
}
