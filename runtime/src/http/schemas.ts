import { Type } from '@sinclair/typebox';
import { ROLES } from '../context.ts';

// Schemas shared by several routes; each also appears once in the OpenAPI document.
export const Localized = Type.Object({ 'zh-CN': Type.String(), en: Type.String() });
export const I18nName = Type.Object(
  {
    'zh-CN': Type.Optional(Type.String({ minLength: 1, maxLength: 200 })),
    en: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })),
  },
  { additionalProperties: false, minProperties: 1 },
);
export const Role = Type.Union(ROLES.map((r) => Type.Literal(r)));
export const Key = Type.String({ pattern: '^[a-z][a-z0-9_.-]{1,63}$' });
export const Username = Type.String({ pattern: '^[A-Za-z0-9][A-Za-z0-9_.@-]{1,63}$' });
export const Password = Type.String({ minLength: 8, maxLength: 200 });
export const Page = {
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 500, default: 50 })),
  offset: Type.Optional(Type.Integer({ minimum: 0, default: 0 })),
};
export const Problem = Type.Object({
  path: Type.String(),
  code: Type.Optional(Type.String()),
  message: Localized,
  nodeId: Type.Optional(Type.String()),
  edgeId: Type.Optional(Type.String()),
});
export const ErrorBody = Type.Object({
  error: Type.Object({ code: Type.String(), message: Type.String(), details: Type.Optional(Type.Unknown()) }),
});
/** Definitions are checked by @opsloom/spec, not by the route schema, so the messages are the spec's. */
export const AnyObject = Type.Object({}, { additionalProperties: true });
export const User = Type.Object({
  id: Type.Integer(),
  username: Type.String(),
  displayName: Type.String(),
  email: Type.Union([Type.String(), Type.Null()]),
  locale: Type.String(),
  roles: Type.Array(Role),
  active: Type.Boolean(),
  groups: Type.Array(Type.String()),
  createdAt: Type.Integer(),
  updatedAt: Type.Integer(),
});
