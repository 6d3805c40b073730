import Router from '@koa/router';
import type { Static, TSchema } from '@sinclair/typebox';
import type Koa from 'koa';
import type { Actor, Role, Services } from '../context.ts';
import type { Locale } from '../i18n/translate.ts';
import { ApiError } from './errors.ts';
import { compileSchema, toFieldProblems } from './validate.ts';

export type Access = 'public' | 'authenticated' | readonly Role[];
type Method = 'get' | 'post' | 'put' | 'patch' | 'delete';
type Infer<S> = S extends TSchema ? Static<S> : undefined;

export interface Request<P, Q, B> {
  ctx: Koa.Context;
  services: Services;
  params: P;
  query: Q;
  body: B;
  actor: Actor;
  locale: Locale;
}

export interface RouteDef<
  P extends TSchema | undefined = undefined,
  Q extends TSchema | undefined = undefined,
  B extends TSchema | undefined = undefined,
> {
  method: Method;
  /** Koa-router path under /api/v1, e.g. "/definitions/:kind/:key". */
  path: string;
  summary: string;
  description?: string;
  tag: string;
  access: Access;
  params?: P;
  query?: Q;
  body?: B;
  /** Schema of a successful response body, for the OpenAPI document. */
  response?: TSchema;
  successStatus?: number;
  /** Routes that do not answer JSON (file downloads) describe their content type here. */
  produces?: string;
  /**
   * Routes that take a non-JSON body (file uploads) name its media type and describe its parts
   * for the OpenAPI document; the JSON body check lets them through and the handler reads the
   * request stream itself (`body` stays undefined).
   */
  consumes?: { type: string; schema: TSchema };
  handler(req: Request<Infer<P>, Infer<Q>, Infer<B>>): Promise<unknown> | unknown;
}

// Erased form kept in the registry; type safety lives at the defineRoute call site.
// biome-ignore lint/suspicious/noExplicitAny: the registry holds routes of every schema type
export type AnyRoute = RouteDef<any, any, any>;

/** Identity helper that makes TypeScript infer params/query/body types from the schemas. */
export function defineRoute<
  P extends TSchema | undefined = undefined,
  Q extends TSchema | undefined = undefined,
  B extends TSchema | undefined = undefined,
>(def: RouteDef<P, Q, B>): AnyRoute {
  return def as AnyRoute;
}

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/** Whether a request goes to a route that reads a non-JSON body of its type (an upload). */
export function takesRawBody(
  routes: AnyRoute[],
): (method: string, path: string, is: (t: string) => unknown) => boolean {
  const raw = routes
    .filter((r) => r.consumes)
    .map((r) => ({
      method: r.method.toUpperCase(),
      type: r.consumes!.type,
      re: new RegExp(`^/api/v1${r.path.replace(/:\w+/g, '[^/]+')}$`),
    }));
  return (method, path, is) => raw.some((r) => r.method === method && r.re.test(path) && Boolean(is(r.type)));
}

function validatePart(
  where: 'body' | 'query' | 'params',
  schema: TSchema | undefined,
  value: unknown,
): unknown {
  if (!schema) return value;
  const fn = compileSchema(schema, where !== 'body');
  if (fn(value)) return value;
  const problems = toFieldProblems(fn.errors);
  const first = problems[0];
  const at = first?.path || '/';
  const detail = first
    ? { en: `${at} ${first.message.en}`, 'zh-CN': `${at} ${first.message['zh-CN']}` }
    : { en: 'invalid', 'zh-CN': '无效' };
  throw new ApiError(400, 'validation_failed', `error.validation_${where}`, { detail }, { problems });
}

/**
 * A route that takes no body refuses one with content, as a route with a body refuses unknown
 * fields: a client sending data there is mistaken about what the call does. An empty object, as
 * many clients send for a bodiless POST, is no content.
 */
function refuseUnexpectedBody(body: unknown): void {
  const empty =
    body === undefined ||
    body === null ||
    (typeof body === 'object' && !Array.isArray(body) && Object.keys(body).length === 0);
  if (empty) return;
  const detail = { en: 'this call takes no request body', 'zh-CN': '此接口不接受请求体' };
  throw new ApiError(
    400,
    'validation_failed',
    'error.validation_body',
    { detail },
    {
      problems: [{ path: '/', message: detail }],
    },
  );
}

export function checkAccess(route: AnyRoute, actor: Actor | null, method: string): Actor | null {
  if (route.access === 'public') return actor;
  if (!actor) throw new ApiError(401, 'unauthenticated', 'error.unauthenticated');
  // Cookie sessions are what a browser sends on its own; a token in a header is not, so only
  // sessions need the CSRF check.
  if (actor.via === 'session' && !SAFE_METHODS.has(method)) {
    if (!actor.csrfOk) throw new ApiError(403, 'csrf_failed', 'error.csrf');
  }
  if (
    route.access !== 'authenticated' &&
    !actor.roles.some((r) => (route.access as readonly Role[]).includes(r))
  ) {
    throw new ApiError(403, 'forbidden', 'error.forbidden_role', { roles: route.access.join(', ') });
  }
  return actor;
}

export interface Mount {
  router: Router;
  routes: AnyRoute[];
}

/**
 * Registers routes on one router. Every route goes through here, so each is validated,
 * access-checked and described in the OpenAPI document the same way.
 */
export function mountRoutes(
  services: Services,
  routes: AnyRoute[],
  resolveActor: (ctx: Koa.Context) => Promise<Actor | null>,
): Mount {
  const router = new Router({ prefix: '/api/v1' });
  for (const route of routes) {
    router[route.method](route.path, async (ctx) => {
      const resolved = await resolveActor(ctx);
      if (!resolved && ctx.state.badToken && route.access !== 'public')
        throw new ApiError(401, 'bad_token', 'error.bad_token');
      const actor = checkAccess(route, resolved, ctx.method);
      const params = validatePart('params', route.params, { ...ctx.params });
      const query = validatePart('query', route.query, { ...ctx.query });
      if (!route.body && !route.consumes) refuseUnexpectedBody(ctx.request.body);
      const body = validatePart('body', route.body, route.body ? (ctx.request.body ?? {}) : undefined);
      const result = await route.handler({
        ctx,
        services,
        params,
        query,
        body,
        actor: actor as Actor,
        locale: ctx.state.locale as Locale,
      });
      if (result === undefined) {
        if (ctx.body === undefined) ctx.status = 204;
        return;
      }
      ctx.status = route.successStatus ?? 200;
      ctx.body = result;
    });
  }
  return { router, routes };
}
