import type { TSchema } from '@sinclair/typebox';
import type { AnyRoute } from './api.ts';
import { ErrorBody } from './schemas.ts';

// TypeBox schemas carry symbol keys; a JSON round trip leaves the plain JSON Schema.
const plain = (schema: TSchema) => JSON.parse(JSON.stringify(schema));

function parameters(route: AnyRoute) {
  const out: object[] = [];
  for (const where of ['params', 'query'] as const) {
    const schema = route[where] as TSchema | undefined;
    if (!schema) continue;
    const props = (schema.properties ?? {}) as Record<string, TSchema>;
    const required = new Set<string>(schema.required ?? []);
    for (const [name, prop] of Object.entries(props)) {
      out.push({
        name,
        in: where === 'params' ? 'path' : 'query',
        required: where === 'params' || required.has(name),
        schema: plain(prop),
      });
    }
  }
  return out;
}

const errorResponse = (description: string) => ({
  description,
  content: { 'application/json': { schema: plain(ErrorBody) } },
});

/** The OpenAPI 3.1 document, generated from the same route table that serves requests. */
export function buildOpenApi(routes: AnyRoute[], version: string): object {
  const paths: Record<string, Record<string, object>> = {};
  for (const route of routes) {
    const path = `/api/v1${route.path.replace(/:(\w+)/g, '{$1}')}`;
    const success = String(route.successStatus ?? 200);
    const responses: Record<string, object> = {
      [success]: {
        description: 'OK',
        ...(route.response
          ? { content: { [route.produces ?? 'application/json']: { schema: plain(route.response) } } }
          : {}),
      },
      '400': errorResponse('Invalid input; details.problems names each field'),
    };
    if (route.access !== 'public') {
      responses['401'] = errorResponse('Not logged in, or the API token is invalid');
      responses['403'] = errorResponse('Missing role, or missing CSRF token on a cookie session');
    }
    if (route.path.includes(':')) responses['404'] = errorResponse('Not found');
    paths[path] ??= {};
    paths[path][route.method] = {
      operationId: `${route.method}${route.path.replace(/[/:](\w)/g, (_m, c: string) => c.toUpperCase()).replace(/[^\w]/g, '')}`,
      summary: route.summary,
      ...(route.description ? { description: route.description } : {}),
      tags: [route.tag],
      ...(route.access === 'public'
        ? { security: [] }
        : route.access === 'authenticated'
          ? {}
          : { 'x-roles': route.access }),
      parameters: parameters(route),
      ...(route.consumes
        ? {
            requestBody: {
              required: true,
              content: { [route.consumes.type]: { schema: plain(route.consumes.schema) } },
            },
          }
        : route.body
          ? {
              requestBody: { required: true, content: { 'application/json': { schema: plain(route.body) } } },
            }
          : {}),
      responses,
    };
  }
  return {
    openapi: '3.1.0',
    info: {
      title: 'Opsloom API',
      version,
      description:
        'Errors are { error: { code, message, details } }. Browsers use the session cookie from POST /auth/login and send X-CSRF-Token on state-changing requests; systems send Authorization: Bearer <API token>.',
    },
    servers: [{ url: '/' }],
    components: {
      securitySchemes: {
        session: { type: 'apiKey', in: 'cookie', name: 'opsloom_sid' },
        bearer: { type: 'http', scheme: 'bearer' },
      },
    },
    security: [{ session: [] }, { bearer: [] }],
    paths,
  };
}
