import { expect } from 'vitest';
import type { ApiClient } from '../support/client.ts';

export interface Drill {
  query: Record<string, string>;
  count?: number;
}

export interface RunBody {
  columns: { key: string; role: string; label: string }[];
  rows: Record<string, string | number | null>[];
  total: number;
  labels: Record<string, Record<string, string>>;
  drill: Record<string, Drill>[];
  chart: Record<string, any>;
  range: { from: number; to: number } | null;
  asOf: number;
}

export async function run(
  client: ApiClient,
  key: string,
  params: Record<string, unknown> = {},
): Promise<RunBody> {
  const res = await client.post(`/reports/${key}/run`, { params });
  if (res.status !== 200) throw new Error(`run ${key}: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body as RunBody;
}

/** Rows as [dimension values…, figure] for one measure, to compare with a hand-written table. */
export const table = (body: RunBody, measure: string) => {
  const dims = body.columns.filter((c) => c.role === 'dimension').map((c) => c.key);
  return body.rows.map((r) => [...dims.map((d) => r[d]), r[measure]]);
};

/** The records list total behind a drill query (as the workspace opens it). */
export async function listTotal(client: ApiClient, drill: Drill): Promise<number> {
  const res = await client.get(`/records?${new URLSearchParams(drill.query)}`);
  if (res.status !== 200)
    throw new Error(`drill ${JSON.stringify(drill.query)}: ${res.status} ${JSON.stringify(res.body)}`);
  expect(res.body.totalExact).toBe(true);
  return res.body.total;
}

/**
 * Every record-counting figure of a run drills to a records list whose total is the figure;
 * returns how many figures were checked.
 */
export async function expectDrillTotals(
  client: ApiClient,
  body: RunBody,
  measures?: string[],
): Promise<number> {
  let checked = 0;
  for (const [i, row] of body.drill.entries()) {
    for (const [id, d] of Object.entries(row)) {
      if (measures && !measures.includes(id)) continue;
      if (d.count === undefined) continue;
      expect(d.count, `row ${i} ${id}`).toBe(body.rows[i]![id]);
      expect(await listTotal(client, d), `row ${i} ${id}: ${JSON.stringify(d.query)}`).toBe(d.count);
      checked++;
    }
  }
  return checked;
}
