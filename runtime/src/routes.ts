import { authRoutes } from './auth/routes.ts';
import { definitionRoutes } from './definitions/routes.ts';
import { engineRoutes } from './engine/routes.ts';
import type { AnyRoute } from './http/api.ts';
import { peopleRoutes } from './people/routes.ts';
import { recordRoutes } from './records/routes.ts';
import { systemRoutes } from './system/routes.ts';

/** Every API route. A module adds its routes here and nowhere else; OpenAPI follows automatically. */
export const allRoutes: AnyRoute[] = [
  ...systemRoutes,
  ...authRoutes,
  ...peopleRoutes,
  ...definitionRoutes,
  ...recordRoutes,
  ...engineRoutes,
];
