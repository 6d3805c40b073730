import { randomUUID } from 'node:crypto';
import { ExpressionError } from '@opsloom/spec';
import type Koa from 'koa';
import type { Services } from '../context.ts';
import { isTransient, isUnavailable } from '../db/retry.ts';
import { type Locale, localeFromHeader, translate } from '../i18n/translate.ts';
import { ApiError } from './errors.ts';

/** Request id, locale and one structured log line per request. */
export function requestContext(services: Services): Koa.Middleware {
  return async (ctx, next) => {
    const started = performance.now();
    ctx.state.requestId = ctx.get('x-request-id') || randomUUID();
    ctx.set('X-Request-Id', ctx.state.requestId);
    ctx.state.locale = localeFromHeader(ctx.get('accept-language'));
    try {
      await next();
    } finally {
      services.log.info(
        {
          reqId: ctx.state.requestId,
          method: ctx.method,
          url: ctx.url,
          status: ctx.status,
          ms: Math.round((performance.now() - started) * 10) / 10,
        },
        'request',
      );
    }
  };
}

/**
 * What the body parser (co-body / raw-body) threw, as the refusal it is: http-errors with a `type`
 * and a 4xx `status`, or the plain SyntaxError its JSON parser (bourne) throws for `__proto__` and
 * `constructor.prototype` keys. A client's body is never a server fault, so nothing here is a 500.
 */
export function bodyParserRefusal(
  err: { status?: number; type?: string; message?: string },
  limit: string,
): ApiError {
  if (err.type === 'entity.too.large' || err.status === 413)
    return new ApiError(413, 'body_too_large', 'error.body_too_large', { limit });
  if (err.status === 415 || err.type === 'encoding.unsupported' || err.type === 'charset.unsupported')
    return new ApiError(415, 'unsupported_media_type', 'error.unsupported_media_type');
  if (/forbidden prototype property/i.test(err.message ?? ''))
    return new ApiError(400, 'forbidden_property', 'error.forbidden_property');
  if (err.type === 'request.aborted' || err.type === 'request.size.invalid')
    return new ApiError(400, 'body_incomplete', 'error.body_incomplete');
  return new ApiError(400, 'malformed_json', 'error.malformed_json', {
    detail: (err.message ?? '').split('\n')[0]!.slice(0, 200),
  });
}

/**
 * Every failure leaves as `{ error: { code, message, details } }` in the caller's language.
 * Anything not an ApiError is a bug: logged with its stack, answered 500 with an id to quote.
 */
export function errorHandler(services: Services): Koa.Middleware {
  return async (ctx, next) => {
    try {
      await next();
      if (ctx.status === 404 && ctx.body === undefined && ctx.path.startsWith('/api/')) {
        throw new ApiError(404, 'route_not_found', 'error.route_not_found', {
          method: ctx.method,
          path: ctx.path,
        });
      }
      if (ctx.status === 405 && ctx.path.startsWith('/api/')) {
        throw new ApiError(405, 'method_not_allowed', 'error.method_not_allowed', {
          method: ctx.method,
          path: ctx.path,
        });
      }
    } catch (err) {
      const locale = (ctx.state.locale ?? 'en') as Locale;
      if (err instanceof ApiError) {
        if (err.status === 401 && ctx.state.badToken)
          ctx.set('WWW-Authenticate', 'Bearer error="invalid_token"');
        ctx.status = err.status;
        ctx.body = {
          error: {
            code: err.code,
            message: translate(locale, err.messageKey, err.params),
            ...(err.details !== undefined ? { details: err.details } : {}),
          },
        };
        return;
      }
      if (err instanceof ExpressionError) {
        // An expression of a definition failed on this request's data (over its budget, say):
        // the request is refused, naming the definition and the place in it.
        const where = [err.where?.definition, err.where?.at].filter(Boolean).join(' ');
        ctx.status = 422;
        ctx.body = {
          error: {
            code: err.reason === 'budget' ? 'expression_budget' : 'expression_failed',
            message: translate(locale, 'error.expression', { where: where || '-', detail: err.localized }),
            details: {
              definition: err.where?.definition,
              at: err.where?.at,
              source: err.source.slice(0, 500),
            },
          },
        };
        return;
      }
      if (isUnavailable(err) || isTransient(err)) {
        // The database is down, unreachable, out of the cluster's primary component, or still in
        // conflict after every retry: not the request's fault, and not a bug. Try again shortly.
        services.log.warn({ err, reqId: ctx.state.requestId, url: ctx.url }, 'database unavailable');
        ctx.status = 503;
        ctx.set('Retry-After', isTransient(err) ? '1' : '5');
        ctx.body = {
          error: {
            code: isTransient(err) ? 'database_busy' : 'database_unavailable',
            message: translate(
              locale,
              isTransient(err) ? 'error.database_busy' : 'error.database_unavailable',
            ),
          },
        };
        return;
      }
      const id = ctx.state.requestId ?? randomUUID();
      services.log.error({ err, reqId: id, method: ctx.method, url: ctx.url }, 'unhandled error');
      ctx.status = 500;
      ctx.body = { error: { code: 'internal', message: translate(locale, 'error.internal', { id }) } };
    }
  };
}
