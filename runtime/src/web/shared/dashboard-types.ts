// What the dashboards, reports and big-screen APIs answer, as the web apps read them. Type-only
// imports from the server and the report engine: erased from the bundles, so they cannot drift.
import type { Column, Drill, Row, RunResult } from '@opsloom/reports';
import type { DashboardDefinition } from '@opsloom/spec';
import type { BigScreenView, BigScreenWidget } from '../../dashboards/bigscreen.ts';

export type { BigScreenView, BigScreenWidget, Column, DashboardDefinition, Drill, Row, RunResult };
export type DashboardWidget = DashboardDefinition['widgets'][number];
export type DashboardFilter = NonNullable<DashboardDefinition['filters']>[number];

/** An item of GET /dashboards. */
export interface DashboardSummary {
  key: string;
  name: unknown;
  description: unknown;
  widgets: number;
  bigScreen: boolean;
  landing: boolean;
}

/** A share of POST /dashboards/{key}/share and GET /dashboards/{key}/shares. */
export interface Share {
  id: number;
  dashboard: string;
  name: string;
  prefix: string;
  issuedBy: string;
  createdAt: number;
  expiresAt: number | null;
  revokedAt: number | null;
  lastUsedAt: number | null;
  token?: string;
  url?: string;
}
