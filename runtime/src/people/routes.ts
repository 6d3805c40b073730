import { Type } from '@sinclair/typebox';
import type { Knex } from 'knex';
import { recordAudit } from '../audit/audit.ts';
import { clearAccount } from '../auth/throttle.ts';
import type { Actor } from '../context.ts';
import { defineRoute } from '../http/api.ts';
import { I18nName, Key, Page, Password, Role, User, Username } from '../http/schemas.ts';
import { createGroup, GROUP_TYPES, getGroup, listGroups, updateGroup } from './groups.ts';
import { type LoginState, loginStates } from './login-state.ts';
import { createUser, findPeople, getUser, listUsers, type User as UserValue, updateUser } from './users.ts';

const GroupType = Type.Union(GROUP_TYPES.map((t) => Type.Literal(t)));
const Group = Type.Object({
  key: Type.String(),
  name: I18nName,
  type: GroupType,
  parent: Type.Union([Type.String(), Type.Null()]),
  members: Type.Array(Type.String()),
});
const UsernameParam = Type.Object({ username: Username });

/** A user as admins see them: with their logins (the last one, a back-off now in force). */
const UserWithLogins = Type.Composite([
  User,
  Type.Object({
    lastLoginAt: Type.Optional(Type.Union([Type.Integer(), Type.Null()], { description: 'admins only' })),
    lockedUntil: Type.Optional(
      Type.Union([Type.Integer(), Type.Null()], {
        description: 'admins only: failed logins make further attempts wait until then (unlock clears it)',
      }),
    ),
    failedLogins: Type.Optional(Type.Integer({ description: 'admins only' })),
  }),
]);

/** Adds the login state for admins; others get users as they are. */
async function withLogins<T extends UserValue>(
  db: Knex,
  actor: Actor,
  users: T[],
): Promise<(T & Partial<LoginState>)[]> {
  if (!actor.roles.includes('admin')) return users;
  const states = await loginStates(
    db,
    users.map((u) => u.username),
  );
  return users.map((u) => ({ ...u, ...states.get(u.username) }));
}
const GroupParam = Type.Object({ key: Key });

export const peopleRoutes = [
  defineRoute({
    method: 'get',
    path: '/users',
    tag: 'people',
    summary:
      'List users (agents and admins use it for pickers; admins also see last login and login back-off)',
    access: ['admin', 'agent', 'manager'],
    query: Type.Object(
      {
        q: Type.Optional(Type.String({ maxLength: 100 })),
        role: Type.Optional(Role),
        group: Type.Optional(Key),
        ...Page,
      },
      { additionalProperties: false },
    ),
    response: Type.Object({ items: Type.Array(UserWithLogins), total: Type.Integer() }),
    async handler({ services, actor, query }) {
      const page = await listUsers(services.db, {
        ...query,
        limit: query.limit ?? 50,
        offset: query.offset ?? 0,
      });
      return { ...page, items: await withLogins(services.db, actor, page.items) };
    },
  }),
  defineRoute({
    method: 'get',
    path: '/people',
    tag: 'people',
    summary: 'Find active people by username or display name (the person picker of request forms)',
    description:
      'Readable by any logged-in person, unlike GET /users: answers only username and display name of ' +
      'active users, at most 20.',
    access: 'authenticated',
    query: Type.Object(
      {
        q: Type.Optional(Type.String({ maxLength: 100 })),
        roles: Type.Optional(
          Type.String({
            maxLength: 200,
            description: "comma-separated roles: only people with one of them (a field's x-assignable)",
          }),
        ),
        groups: Type.Optional(
          Type.String({
            maxLength: 1000,
            description: 'comma-separated group keys: or members of one of them',
          }),
        ),
      },
      { additionalProperties: false },
    ),
    response: Type.Object({
      items: Type.Array(
        Type.Object({ username: Type.String(), displayName: Type.String() }, { additionalProperties: false }),
      ),
    }),
    handler: async ({ services, query }) => {
      const split = (v: string | undefined) =>
        (v ?? '')
          .split(',')
          .map((x) => x.trim())
          .filter(Boolean);
      return {
        items: await findPeople(services.db, query.q, {
          roles: split(query.roles),
          groups: split(query.groups),
        }),
      };
    },
  }),
  defineRoute({
    method: 'post',
    path: '/users',
    tag: 'people',
    summary: 'Create a user (a password, if given, must not be easy to guess)',
    access: ['admin'],
    successStatus: 201,
    body: Type.Object(
      {
        username: Username,
        displayName: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })),
        email: Type.Optional(Type.String({ format: 'email', maxLength: 320 })),
        locale: Type.Optional(Type.Union([Type.Literal('zh-CN'), Type.Literal('en')])),
        password: Type.Optional(Password),
        roles: Type.Array(Role, { minItems: 1 }),
        groups: Type.Optional(Type.Array(Key)),
      },
      { additionalProperties: false },
    ),
    response: User,
    handler: ({ services, actor, body }) => createUser(services.db, actor, body),
  }),
  defineRoute({
    method: 'get',
    path: '/users/:username',
    tag: 'people',
    summary: 'One user',
    access: ['admin', 'agent', 'manager'],
    params: UsernameParam,
    response: UserWithLogins,
    async handler({ services, actor, params }) {
      const [user] = await withLogins(services.db, actor, [await getUser(services.db, params.username)]);
      return user;
    },
  }),
  defineRoute({
    method: 'patch',
    path: '/users/:username',
    tag: 'people',
    summary:
      "Change a user: name, email, language, roles, groups, password, active. A new password must not be easy to guess; it ends the user's sessions and revokes their API tokens",
    access: ['admin'],
    params: UsernameParam,
    body: Type.Object(
      {
        displayName: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })),
        email: Type.Optional(Type.Union([Type.String({ format: 'email', maxLength: 320 }), Type.Null()])),
        locale: Type.Optional(Type.Union([Type.Literal('zh-CN'), Type.Literal('en')])),
        password: Type.Optional(Password),
        roles: Type.Optional(Type.Array(Role, { minItems: 1 })),
        groups: Type.Optional(Type.Array(Key)),
        active: Type.Optional(Type.Boolean()),
      },
      { additionalProperties: false, minProperties: 1 },
    ),
    response: User,
    handler: ({ services, actor, params, body }) => updateUser(services.db, actor, params.username, body),
  }),
  defineRoute({
    method: 'post',
    path: '/users/:username/unlock',
    tag: 'people',
    summary: "Clear a user's login throttling, so they can log in again at once",
    description:
      'Failed logins make further attempts on an account wait (2 s after the fifth, doubling up to ' +
      '15 minutes; from clients that logged the user in before, counted on their own). This clears ' +
      "every such count of the account; an address's own limit is left to run out.",
    access: ['admin'],
    params: UsernameParam,
    response: Type.Object({ cleared: Type.Integer() }, { additionalProperties: false }),
    async handler({ services, actor, params }) {
      const user = await getUser(services.db, params.username);
      const cleared = await clearAccount(services.db, user.username);
      await recordAudit(services.db, actor.username, 'user.unlock', 'user', user.username, { cleared });
      return { cleared };
    },
  }),
  defineRoute({
    method: 'get',
    path: '/groups',
    tag: 'people',
    summary: 'List groups: support groups (queues) and org units',
    access: 'authenticated',
    query: Type.Object({ type: Type.Optional(GroupType) }, { additionalProperties: false }),
    response: Type.Object({ items: Type.Array(Group) }),
    handler: async ({ services, query }) => ({ items: await listGroups(services.db, query.type) }),
  }),
  defineRoute({
    method: 'post',
    path: '/groups',
    tag: 'people',
    summary: 'Create a group',
    access: ['admin'],
    successStatus: 201,
    body: Type.Object(
      {
        key: Key,
        name: I18nName,
        type: GroupType,
        parent: Type.Optional(Type.Union([Key, Type.Null()])),
        members: Type.Optional(Type.Array(Username)),
      },
      { additionalProperties: false },
    ),
    response: Group,
    handler: ({ services, actor, body }) => createGroup(services.db, actor, body),
  }),
  defineRoute({
    method: 'get',
    path: '/groups/:key',
    tag: 'people',
    summary: 'One group with its members',
    access: 'authenticated',
    params: GroupParam,
    response: Group,
    handler: ({ services, params }) => getGroup(services.db, params.key),
  }),
  defineRoute({
    method: 'patch',
    path: '/groups/:key',
    tag: 'people',
    summary: 'Change a group; `members` replaces the member list',
    access: ['admin'],
    params: GroupParam,
    body: Type.Object(
      {
        name: Type.Optional(I18nName),
        type: Type.Optional(GroupType),
        parent: Type.Optional(Type.Union([Key, Type.Null()])),
        members: Type.Optional(Type.Array(Username)),
      },
      { additionalProperties: false, minProperties: 1 },
    ),
    response: Group,
    handler: ({ services, actor, params, body }) => updateGroup(services.db, actor, params.key, body),
  }),
];
