import { authRoutes } from './auth/routes.ts';
import { catalogRoutes } from './catalog/routes.ts';
import { dashboardRoutes } from './dashboards/routes.ts';
import { definitionRoutes } from './definitions/routes.ts';
import { engineRoutes } from './engine/routes.ts';
import type { AnyRoute } from './http/api.ts';
import { notifyRoutes } from './notify/routes.ts';
import { peopleRoutes } from './people/routes.ts';
import { recordActivityRoutes } from './records/activity-routes.ts';
import { recordRoutes } from './records/routes.ts';
import { reportRoutes } from './reports/routes.ts';
import { requestRoutes } from './requests/routes.ts';
import { secretRoutes } from './secrets/routes.ts';
import { slaRoutes } from './sla/routes.ts';
import { systemRoutes } from './system/routes.ts';

/** Every API route. A module adds its routes here and nowhere else; OpenAPI follows automatically. */
export const allRoutes: AnyRoute[] = [
  ...systemRoutes,
  ...authRoutes,
  ...peopleRoutes,
  ...definitionRoutes,
  ...recordRoutes,
  ...recordActivityRoutes,
  ...engineRoutes,
  ...notifyRoutes,
  ...catalogRoutes,
  ...requestRoutes,
  ...slaRoutes,
  ...reportRoutes,
  ...dashboardRoutes,
  ...secretRoutes,
];
