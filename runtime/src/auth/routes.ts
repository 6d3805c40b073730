import { Type } from '@sinclair/typebox';
import type Koa from 'koa';
import { recordAudit } from '../audit/audit.ts';
import { defineRoute } from '../http/api.ts';
import { ApiError, notFound } from '../http/errors.ts';
import { Password, User, Username } from '../http/schemas.ts';
import { translateBoth } from '../i18n/translate.ts';
import { findUserRow, getUser, toUser, updateUser } from '../people/users.ts';
import {
  DEVICE_COOKIE,
  DEVICE_COOKIE_DAYS,
  DEVICE_COOKIE_PATH,
  deviceIdOf,
  knownClient,
  newDeviceId,
  rememberClient,
} from './known-clients.ts';
import { verifyPassword } from './passwords.ts';
import { createApiToken, createSession, destroySession, SESSION_COOKIE, sessionCsrf } from './sessions.ts';
import { admitLogin, loginSucceeded } from './throttle.ts';

const TokenView = Type.Object({
  id: Type.Integer(),
  username: Type.String(),
  name: Type.String(),
  prefix: Type.String({ description: 'the first characters, to recognise a token; never the token' }),
  createdAt: Type.Integer(),
  expiresAt: Type.Union([Type.Integer(), Type.Null()]),
  lastUsedAt: Type.Union([Type.Integer(), Type.Null()]),
  revoked: Type.Boolean(),
});

interface TokenRow {
  id: number;
  username: string;
  name: string;
  prefix: string;
  created_at: number | string;
  expires_at: number | string | null;
  last_used_at: number | string | null;
  revoked_at: number | string | null;
}

const tokenView = (r: TokenRow) => ({
  id: Number(r.id),
  username: r.username,
  name: r.name,
  prefix: r.prefix,
  createdAt: Number(r.created_at),
  expiresAt: r.expires_at === null ? null : Number(r.expires_at),
  lastUsedAt: r.last_used_at === null ? null : Number(r.last_used_at),
  revoked: r.revoked_at !== null,
});

const SessionBody = Type.Object({ user: User, csrfToken: Type.Union([Type.String(), Type.Null()]) });

function cookieOptions(ctx: Koa.Context, secure: boolean, expires?: Date) {
  return {
    httpOnly: true,
    sameSite: 'lax' as const,
    secure: secure || ctx.secure,
    path: '/',
    overwrite: true,
    expires,
  };
}

export const authRoutes = [
  defineRoute({
    method: 'post',
    path: '/auth/login',
    tag: 'auth',
    summary: 'Log in with a username and password; sets the session cookie and returns the CSRF token',
    access: 'public',
    body: Type.Object(
      {
        username: Type.String({ minLength: 1, maxLength: 64 }),
        password: Type.String({ minLength: 1, maxLength: 200 }),
      },
      { additionalProperties: false },
    ),
    response: SessionBody,
    async handler({ ctx, services, body }) {
      const { db, config } = services;
      const row = await findUserRow(db, body.username);
      const deviceId = deviceIdOf(ctx);
      const known = row ? await knownClient(db, row.id, ctx.ip, deviceId) : null;
      // Admitted (and counted) before the password is checked: see auth/throttle.ts.
      const admitted = await admitLogin(
        db,
        { username: (row?.username ?? body.username).toLowerCase(), address: ctx.ip, known },
        config.loginAddressAccounts,
      );
      if ('waitMs' in admitted) {
        const seconds = Math.ceil(admitted.waitMs / 1000);
        ctx.set('Retry-After', String(seconds));
        throw new ApiError(429, 'throttled', 'error.throttled', { seconds });
      }
      const ok = await verifyPassword(body.password, row?.password_hash);
      if (!row || !ok || !toUser(row).active)
        throw new ApiError(401, 'bad_credentials', 'error.bad_credentials');
      await loginSucceeded(db, admitted.attempt);
      const device = deviceId ?? newDeviceId();
      await rememberClient(db, row.id, ctx.ip, device);
      ctx.cookies.set(DEVICE_COOKIE, device, {
        ...cookieOptions(ctx, config.cookieSecure, new Date(Date.now() + DEVICE_COOKIE_DAYS * 86_400_000)),
        path: DEVICE_COOKIE_PATH,
        sameSite: 'strict',
      });
      const session = await createSession(db, row.id, config.sessionTtlHours);
      ctx.cookies.set(
        SESSION_COOKIE,
        session.sid,
        cookieOptions(ctx, config.cookieSecure, new Date(session.expiresAt)),
      );
      await recordAudit(db, row.username, 'auth.login', 'user', row.username, { ip: ctx.ip });
      return { user: await getUser(db, row.username), csrfToken: session.csrfToken };
    },
  }),
  defineRoute({
    method: 'post',
    path: '/auth/logout',
    tag: 'auth',
    summary: 'End the current session',
    access: 'authenticated',
    async handler({ ctx, services }) {
      const sid = ctx.cookies.get(SESSION_COOKIE);
      if (sid) await destroySession(services.db, sid);
      ctx.cookies.set(SESSION_COOKIE, null, cookieOptions(ctx, services.config.cookieSecure));
    },
  }),
  defineRoute({
    method: 'get',
    path: '/auth/session',
    tag: 'auth',
    summary: 'Who is logged in, and the CSRF token to send as X-CSRF-Token on state-changing requests',
    access: 'authenticated',
    response: SessionBody,
    async handler({ ctx, services, actor }) {
      const sid = ctx.cookies.get(SESSION_COOKIE);
      const csrfToken = actor.via === 'session' && sid ? await sessionCsrf(services.db, sid) : null;
      return { user: await getUser(services.db, actor.username), csrfToken };
    },
  }),
  defineRoute({
    method: 'patch',
    path: '/auth/profile',
    tag: 'auth',
    summary: 'Change your own display name, e-mail address or language (the profile page)',
    access: 'authenticated',
    body: Type.Object(
      {
        displayName: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })),
        email: Type.Optional(Type.Union([Type.String({ format: 'email', maxLength: 320 }), Type.Null()])),
        locale: Type.Optional(Type.Union([Type.Literal('zh-CN'), Type.Literal('en')])),
      },
      { additionalProperties: false, minProperties: 1 },
    ),
    response: User,
    handler: ({ services, actor, body }) => updateUser(services.db, actor, actor.username, body),
  }),
  defineRoute({
    method: 'get',
    path: '/tokens',
    tag: 'auth',
    summary: "Every user's API tokens (never their secrets), newest first; admins only",
    access: ['admin'],
    query: Type.Object(
      {
        username: Type.Optional(Username),
        revoked: Type.Optional(Type.Boolean({ description: 'include revoked tokens (left out by default)' })),
      },
      { additionalProperties: false },
    ),
    response: Type.Object({ items: Type.Array(TokenView) }),
    async handler({ services, query }) {
      const q = services
        .db('api_tokens as t')
        .join('users as u', 'u.id', 't.user_id')
        .orderBy('t.id', 'desc')
        .limit(1000)
        .select('t.*', 'u.username');
      if (query.username) q.where('u.username', query.username);
      if (!query.revoked) q.whereNull('t.revoked_at');
      return { items: (await q).map(tokenView) };
    },
  }),
  defineRoute({
    method: 'get',
    path: '/auth/tokens',
    tag: 'auth',
    summary: "List the caller's API tokens (never their secrets)",
    access: 'authenticated',
    response: Type.Object({ items: Type.Array(TokenView) }),
    async handler({ services, actor }) {
      const rows = await services.db('api_tokens').where({ user_id: actor.userId }).orderBy('id');
      return { items: rows.map((r) => tokenView({ ...r, username: actor.username })) };
    },
  }),
  defineRoute({
    method: 'post',
    path: '/auth/tokens',
    tag: 'auth',
    summary:
      'Create an API token for systems (Authorization: Bearer <token>). The token is shown only in this response. Admins may create one for another user.',
    access: 'authenticated',
    successStatus: 201,
    body: Type.Object(
      {
        name: Type.String({ minLength: 1, maxLength: 200 }),
        expiresInDays: Type.Optional(Type.Integer({ minimum: 1, maximum: 3650 })),
        username: Type.Optional(Username),
      },
      { additionalProperties: false },
    ),
    async handler({ services, actor, body }) {
      const forOther = body.username && body.username !== actor.username;
      if (forOther && !actor.roles.includes('admin'))
        throw new ApiError(403, 'forbidden', 'error.forbidden_role', { roles: 'admin' });
      const owner = forOther
        ? await getUser(services.db, body.username!)
        : await getUser(services.db, actor.username);
      const expiresAt = body.expiresInDays ? Date.now() + body.expiresInDays * 86_400_000 : null;
      const created = await createApiToken(services.db, owner.id, body.name, expiresAt);
      await recordAudit(services.db, actor.username, 'token.create', 'user', owner.username, {
        name: body.name,
        prefix: created.prefix,
      });
      return { ...created, username: owner.username, name: body.name, expiresAt };
    },
  }),
  defineRoute({
    method: 'delete',
    path: '/auth/tokens/:id',
    tag: 'auth',
    summary: 'Revoke an API token of the caller (admins: of anyone)',
    access: 'authenticated',
    params: Type.Object({ id: Type.Integer({ minimum: 1 }) }),
    async handler({ services, actor, params }) {
      const q = services.db('api_tokens').where({ id: params.id }).whereNull('revoked_at');
      if (!actor.roles.includes('admin')) q.andWhere({ user_id: actor.userId });
      const n = await q.update({ revoked_at: Date.now() });
      if (n !== 1) throw notFound(translateBoth('what.token', { key: params.id }));
      await recordAudit(services.db, actor.username, 'token.revoke', 'token', String(params.id));
    },
  }),
  defineRoute({
    method: 'put',
    path: '/auth/locale',
    tag: 'auth',
    summary:
      'Your own language: the one the apps open in for you and your notifications (in-app, email) are written in',
    access: 'authenticated',
    body: Type.Object(
      { locale: Type.Union([Type.Literal('zh-CN'), Type.Literal('en')]) },
      { additionalProperties: false },
    ),
    async handler({ services, actor, body }) {
      await updateUser(services.db, actor, actor.username, { locale: body.locale });
    },
  }),
  defineRoute({
    method: 'put',
    path: '/auth/password',
    tag: 'auth',
    summary:
      'Change your own password (needs the current one, and a new one that is not easy to guess); ends your other sessions and revokes your API tokens',
    access: 'authenticated',
    body: Type.Object(
      { currentPassword: Type.String({ minLength: 1 }), newPassword: Password },
      { additionalProperties: false },
    ),
    async handler({ ctx, services, actor, body }) {
      const row = await findUserRow(services.db, actor.username);
      if (!(await verifyPassword(body.currentPassword, row?.password_hash)))
        throw new ApiError(401, 'bad_credentials', 'error.bad_credentials');
      await updateUser(
        services.db,
        actor,
        actor.username,
        { password: body.newPassword },
        { passwordPath: '/newPassword' },
      );
      if (actor.via === 'session') {
        const session = await createSession(services.db, actor.userId, services.config.sessionTtlHours);
        ctx.cookies.set(
          SESSION_COOKIE,
          session.sid,
          cookieOptions(ctx, services.config.cookieSecure, new Date(session.expiresAt)),
        );
        return { csrfToken: session.csrfToken };
      }
      return { csrfToken: null };
    },
  }),
];
