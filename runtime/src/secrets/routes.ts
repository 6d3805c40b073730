import { SECRET_NAME_PATTERN } from '@opsloom/spec';
import { Type } from '@sinclair/typebox';
import { actorName } from '../context.ts';
import { defineRoute } from '../http/api.ts';
import { deleteSecret, listSecrets, setSecret } from './store.ts';

const Name = Type.String({ pattern: SECRET_NAME_PATTERN, description: 'e.g. CICD_TOKEN' });
const NameParam = Type.Object({ name: Name }, { additionalProperties: false });
const SecretView = Type.Object({
  name: Type.String(),
  description: Type.Union([Type.String(), Type.Null()]),
  createdAt: Type.Integer(),
  createdBy: Type.String(),
  updatedAt: Type.Integer(),
  updatedBy: Type.String(),
  readable: Type.Boolean({
    description:
      'false when the value was encrypted with another key than this runtime’s (OPSLOOM_SECRET_KEY)',
  }),
});

export const secretRoutes = [
  defineRoute({
    method: 'get',
    path: '/secrets',
    tag: 'secrets',
    summary:
      'The secrets definitions may refer to as {{ secrets.NAME }}: names and who changed them, never values',
    access: ['admin'],
    response: Type.Object({ items: Type.Array(SecretView) }),
    handler: async ({ services }) => ({ items: await listSecrets(services) }),
  }),
  defineRoute({
    method: 'put',
    path: '/secrets/:name',
    tag: 'secrets',
    summary:
      'Set a secret (create or replace its value). The value is encrypted at rest and never returned; the audit log records who and when',
    access: ['admin'],
    params: NameParam,
    body: Type.Object(
      {
        value: Type.String({ minLength: 1, maxLength: 8192, writeOnly: true }),
        description: Type.Optional(Type.Union([Type.String({ maxLength: 500 }), Type.Null()])),
      },
      { additionalProperties: false },
    ),
    response: SecretView,
    async handler({ services, actor, params, body }) {
      return (await setSecret(services, actorName(actor), params.name, body)).secret;
    },
  }),
  defineRoute({
    method: 'delete',
    path: '/secrets/:name',
    tag: 'secrets',
    summary:
      'Delete a secret; calls that refer to it fail with "secret NAME is not set" until it is set again',
    access: ['admin'],
    params: NameParam,
    successStatus: 204,
    async handler({ services, actor, params }) {
      await deleteSecret(services, actorName(actor), params.name);
    },
  }),
];
