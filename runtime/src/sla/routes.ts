import { defineRoute } from '../http/api.ts';
import { RecordId } from '../records/routes.ts';
import { loadRecord } from '../records/store.ts';
import { assertCanSee } from '../records/visibility.ts';
import { metricsOf } from './clocks.ts';

export const slaRoutes = [
  defineRoute({
    method: 'get',
    path: '/records/:id/sla',
    tag: 'sla',
    summary:
      "The record's SLA metrics: target, elapsed, remaining (business minutes), paused, met or breached",
    access: 'authenticated',
    params: RecordId,
    async handler({ services, actor, params }) {
      const rec = await loadRecord(services.db, params.id);
      await assertCanSee(services.db, actor, rec);
      return { items: await metricsOf(services.db, rec.id) };
    },
  }),
];
