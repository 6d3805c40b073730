import { Type } from '@sinclair/typebox';
import { defineRoute } from '../http/api.ts';
import { Key } from '../http/schemas.ts';
import { portalCatalog, publishedForm, recordTypes } from './catalog.ts';

// What the portal reads to offer services: readable by every logged-in person, unlike
// /definitions (staff only), and narrowed to what the caller may see.

export const catalogRoutes = [
  defineRoute({
    method: 'get',
    path: '/catalog',
    tag: 'catalog',
    summary:
      'The service catalog: every published catalog merged, only the items published to the caller (visibleTo), with search terms incl. pinyin initials',
    access: 'authenticated',
    response: Type.Object({
      categories: Type.Array(
        Type.Object({
          id: Type.String(),
          name: Type.Unknown(),
          icon: Type.Union([Type.String(), Type.Null()]),
          parent: Type.Union([Type.String(), Type.Null()]),
          order: Type.Integer(),
        }),
      ),
      items: Type.Array(
        Type.Object({
          ref: Type.String(),
          catalog: Type.String(),
          id: Type.String(),
          name: Type.Unknown(),
          description: Type.Unknown(),
          category: Type.String(),
          icon: Type.Union([Type.String(), Type.Null()]),
          form: Type.String(),
          process: Type.String(),
          sla: Type.Union([Type.String(), Type.Null()]),
          serviceLevel: Type.Union([
            Type.Object({
              name: Type.Unknown(),
              description: Type.Unknown(),
              targets: Type.Array(
                Type.Object({ metric: Type.Unknown(), minutes: Type.Number(), calendar: Type.Unknown() }),
                {
                  description:
                    "each metric's target (business minutes on the calendar) under the goal a request of the item meets; empty when the goal depends on what the request says",
                },
              ),
            }),
            Type.Null(),
          ]),
          defaults: Type.Record(Type.String(), Type.Unknown()),
          fixed: Type.Array(Type.String()),
          order: Type.Integer(),
          search: Type.Array(Type.String()),
        }),
      ),
    }),
    handler: ({ services, actor }) => portalCatalog(services.db, actor),
  }),
  defineRoute({
    method: 'get',
    path: '/forms',
    tag: 'catalog',
    summary:
      'The record types staff may log by hand: every published form, with the processes a new record of it may run and the catalog items that offer it',
    access: ['admin', 'agent', 'manager'],
    response: Type.Object({
      items: Type.Array(
        Type.Object({
          key: Type.String(),
          name: Type.Unknown(),
          description: Type.Unknown(),
          numberPrefix: Type.String(),
          processes: Type.Array(Type.Object({ key: Type.String(), name: Type.Unknown() })),
          catalogItems: Type.Array(
            Type.Object({
              ref: Type.String(),
              name: Type.Unknown(),
              process: Type.String(),
              defaults: Type.Record(Type.String(), Type.Unknown()),
              fixed: Type.Array(Type.String()),
            }),
            { description: 'the catalog items that offer this record type, to raise one for someone' },
          ),
        }),
      ),
    }),
    handler: ({ services }) => recordTypes(services.db),
  }),
  defineRoute({
    method: 'get',
    path: '/forms/:key',
    tag: 'catalog',
    summary:
      'A published form as the portal renders it: JSON Schema, uiSchema and rules (404 if not published)',
    access: 'authenticated',
    params: Type.Object({ key: Key }),
    response: Type.Object({
      key: Type.String(),
      version: Type.Integer(),
      name: Type.Unknown(),
      numberPrefix: Type.String(),
      schema: Type.Record(Type.String(), Type.Unknown()),
      uiSchema: Type.Record(Type.String(), Type.Unknown()),
      rules: Type.Array(Type.Unknown()),
      titleField: Type.Union([Type.String(), Type.Null()]),
      descriptionField: Type.Union([Type.String(), Type.Null()]),
      statuses: Type.Array(
        Type.Object({ key: Type.String(), name: Type.Unknown(), category: Type.String() }),
        {
          description:
            "the record type's statuses in lifecycle order, then the system statuses (new, withdrawn) it does not declare",
        },
      ),
    }),
    handler: ({ services, params }) => publishedForm(services.db, params.key),
  }),
];
