import { type Static, Type } from '@sinclair/typebox';
import { envelope, FreeObject, I18nText, Id, Key, Obj, StringEnum } from './common.ts';

export const DEFAULT_DASHBOARD_COLUMNS = 24;

/** What a dashboard-level filter sets: the widget reports' parameter of that key, where they have one. */
export const DASHBOARD_FILTER_TYPES = ['dateRange', 'group', 'service', 'priority', 'type'] as const;
export const DASHBOARD_ROLES = ['admin', 'manager', 'agent'] as const;

export const DashboardDefinition = Obj({
  ...envelope('dashboard'),
  columns: Type.Optional(Type.Integer({ minimum: 1, maximum: 48, default: DEFAULT_DASHBOARD_COLUMNS })),
  refreshSeconds: Type.Optional(Type.Integer({ minimum: 5 })),
  /** Who may open it (default: admins, managers and agents); reports still show each viewer only their rows. */
  visibleTo: Type.Optional(Obj({ roles: Type.Array(StringEnum(DASHBOARD_ROLES), { minItems: 1 }) })),
  /** The roles that land on it when they open the workspace without asking for a page. */
  landingFor: Type.Optional(Type.Array(StringEnum(DASHBOARD_ROLES))),
  /** Filters above the grid that apply to every widget whose report has the parameter. */
  filters: Type.Optional(
    Type.Array(
      Obj({
        param: Type.String({ pattern: '^[A-Za-z][A-Za-z0-9_]{0,63}$' }),
        type: StringEnum(DASHBOARD_FILTER_TYPES),
        label: Type.Optional(I18nText),
        default: Type.Optional(Type.Unknown()),
      }),
    ),
  ),
  bigScreen: Type.Optional(
    Obj({
      title: Type.Optional(I18nText),
      theme: Type.Optional(StringEnum(['dark', 'light'])),
      /** Dashboards the wall screen rotates through after this one, each shown `seconds`. */
      playlist: Type.Optional(
        Obj({
          dashboards: Type.Array(Key, { minItems: 1 }),
          seconds: Type.Integer({ minimum: 5, maximum: 3600 }),
        }),
      ),
    }),
  ),
  widgets: Type.Array(
    Obj({
      id: Id,
      report: Key,
      title: Type.Optional(I18nText),
      x: Type.Integer({ minimum: 0 }),
      y: Type.Integer({ minimum: 0 }),
      w: Type.Integer({ minimum: 1 }),
      h: Type.Integer({ minimum: 1 }),
      params: Type.Optional(FreeObject),
    }),
  ),
});

export type DashboardDefinition = Static<typeof DashboardDefinition>;
