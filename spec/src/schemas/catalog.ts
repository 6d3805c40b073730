import { type Static, Type } from '@sinclair/typebox';
import { envelope, I18nText, Id, Key, Obj, StringEnum } from './common.ts';

export const PORTAL_ROLES = ['admin', 'agent', 'manager', 'user'] as const;

/** The icons a category or an item may show in the portal (web-forms/src/catalog-icon.tsx draws them). */
export const CATALOG_ICONS = [
  'alert',
  'api',
  'appstore',
  'bug',
  'calendar',
  'cloud',
  'cluster',
  'code',
  'customer-service',
  'database',
  'desktop',
  'download',
  'file',
  'folder',
  'key',
  'laptop',
  'lock',
  'mail',
  'mobile',
  'phone',
  'printer',
  'question',
  'rocket',
  'safety',
  'setting',
  'shopping',
  'team',
  'tool',
  'user-add',
  'wifi',
] as const;
export type CatalogIconName = (typeof CATALOG_ICONS)[number];

export const CatalogDefinition = Obj({
  ...envelope('catalog'),
  categories: Type.Array(
    Obj({
      id: Id,
      name: I18nText,
      icon: Type.Optional(StringEnum(CATALOG_ICONS)),
      parent: Type.Optional(Id),
      order: Type.Optional(Type.Integer()),
    }),
  ),
  items: Type.Array(
    Obj({
      id: Id,
      name: I18nText,
      description: Type.Optional(I18nText),
      category: Id,
      icon: Type.Optional(StringEnum(CATALOG_ICONS)),
      keywords: Type.Optional(Type.Array(Type.String({ minLength: 1 }))),
      form: Key,
      process: Key,
      /**
       * The SLA the item is offered under, shown to the requester. Which clocks run is the SLA
       * definitions' own (`form`, `appliesTo`).
       */
      sla: Type.Optional(Key),
      /**
       * Field values the portal prefills, so one form can serve several items. A text field's
       * value may be `{zh-CN, en}`: the requester starts from the one in their language.
       */
      defaults: Type.Optional(Type.Record(Type.String(), Type.Unknown())),
      /**
       * Fields whose default is what this item is (a password reset's request type): the
       * request form shows them as values, not inputs. Each needs a default.
       */
      fixed: Type.Optional(Type.Array(Type.String({ minLength: 1 }), { uniqueItems: true })),
      order: Type.Optional(Type.Integer()),
      visibleTo: Type.Optional(
        Obj({
          groups: Type.Optional(Type.Array(Type.String({ minLength: 1 }))),
          roles: Type.Optional(Type.Array(StringEnum(PORTAL_ROLES))),
        }),
      ),
    }),
  ),
});

export type CatalogDefinition = Static<typeof CatalogDefinition>;
