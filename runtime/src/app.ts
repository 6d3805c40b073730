import { bodyParser } from '@koa/bodyparser';
import Koa from 'koa';
import { resolveActor } from './auth/sessions.ts';
import type { Services } from './context.ts';
import { mountRoutes, takesRawBody } from './http/api.ts';
import { ApiError } from './http/errors.ts';
import { bodyParserRefusal, errorHandler, requestContext } from './http/middleware.ts';
import { buildOpenApi } from './http/openapi.ts';
import { securityHeaders } from './http/security-headers.ts';
import { serveWebApps } from './http/static.ts';
import { allRoutes } from './routes.ts';

export const VERSION = '0.1.0';

/** The Koa application: middleware, then every API route, then the OpenAPI document. */
export function createApp(services: Services): Koa {
  // One proxy in front: the address it appended to X-Forwarded-For, not one the client wrote.
  const app = new Koa({ proxy: services.config.trustProxy, maxIpsCount: 1 });
  const { router } = mountRoutes(services, allRoutes, (ctx) => resolveActor(services, ctx));
  const openapi = buildOpenApi(allRoutes, VERSION);
  router.get('/openapi.json', (ctx) => {
    // The document describes the API, not anyone's data: caches may keep it a while.
    ctx.set('Cache-Control', 'public, max-age=300');
    ctx.body = openapi;
  });

  // What Koa reports outside the middleware (a client that hung up or sent a broken request
  // mid-answer) goes to the log, bounded like every error, instead of Koa's own stderr printing.
  app.on('error', (err: Error & { code?: string }, ctx?: Koa.Context) => {
    const client =
      /^(HPE_|ECONNRESET|EPIPE|ECONNABORTED|ERR_STREAM_PREMATURE_CLOSE)/.test(err.code ?? '') ||
      err.message === 'Parse Error';
    services.log[client ? 'debug' : 'warn']({ err, url: ctx?.url }, 'connection error');
  });

  services.traffic ??= { inFlight: 0 };
  const traffic = services.traffic;
  app.use(async (_ctx, next) => {
    traffic.inFlight++;
    try {
      await next();
    } finally {
      traffic.inFlight--;
    }
  });
  app.use(requestContext(services));
  app.use(securityHeaders({ bigScreenFrameAncestors: services.config.bigScreenFrameAncestors }));
  app.use(errorHandler(services));
  app.use(
    bodyParser({
      enableTypes: ['json'],
      jsonLimit: services.config.bodyLimit,
      jsonStrict: true,
      // A body the route cannot read must be refused, not silently ignored.
      onError: (err) => {
        throw bodyParserRefusal(err, services.config.bodyLimit);
      },
    }),
  );
  const rawBody = takesRawBody(allRoutes);
  app.use(async (ctx, next) => {
    // State-changing requests with a body must say it is JSON; otherwise the body parser
    // would skip it and the route would see an empty body. Upload routes (`consumes`) read
    // their multipart body themselves.
    const hasBody = Number(ctx.get('content-length') || 0) > 0 || ctx.get('transfer-encoding');
    if (
      ['POST', 'PUT', 'PATCH'].includes(ctx.method) &&
      hasBody &&
      !ctx.is('application/json') &&
      !rawBody(ctx.method, ctx.path, (t) => ctx.is(t))
    ) {
      throw new ApiError(415, 'unsupported_media_type', 'error.unsupported_media_type');
    }
    await next();
  });
  app.use(router.routes());
  app.use(router.allowedMethods());
  // The web apps (portal, workspace, designer): their built files, one origin with the API.
  app.use(serveWebApps());
  return app;
}

export { allRoutes };
