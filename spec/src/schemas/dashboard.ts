import { type Static, Type } from '@sinclair/typebox';
import { envelope, FreeObject, I18nText, Id, Key, Obj, StringEnum } from './common.ts';

export const DEFAULT_DASHBOARD_COLUMNS = 24;

export const DashboardDefinition = Obj({
  ...envelope('dashboard'),
  columns: Type.Optional(Type.Integer({ minimum: 1, maximum: 48, default: DEFAULT_DASHBOARD_COLUMNS })),
  refreshSeconds: Type.Optional(Type.Integer({ minimum: 5 })),
  bigScreen: Type.Optional(
    Obj({ title: Type.Optional(I18nText), theme: Type.Optional(StringEnum(['dark', 'light'])) }),
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
