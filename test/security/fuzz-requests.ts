/**
 * Malformed requests drawn from the served OpenAPI document, for the bad-input fuzzer
 * (fuzz.test.ts). Each operation's schemas give a plausible request, which is then broken in one
 * way: a required field left out, a field of the wrong type, an unknown field, a huge string,
 * deep nesting, a `__proto__` key, a path id that climbs folders, the wrong content type, a body
 * over the limit, a query that makes no sense. Every draw comes from a seeded generator, so a
 * failure replays with the seed it printed.
 */

export type Schema = {
  type?: string | string[];
  properties?: Record<string, Schema>;
  required?: string[];
  items?: Schema;
  enum?: unknown[];
  const?: unknown;
  anyOf?: Schema[];
  oneOf?: Schema[];
  minimum?: number;
  minLength?: number;
  format?: string;
  additionalProperties?: boolean | Schema;
};

export interface Operation {
  method: string;
  /** OpenAPI path with `{name}` parameters, e.g. `/api/v1/records/{id}`. */
  path: string;
  pathParams: { name: string; schema: Schema }[];
  queryParams: { name: string; schema: Schema }[];
  body: Schema | null;
  /** Upload routes read multipart bodies. */
  multipart: boolean;
}

export interface FuzzRequest {
  method: string;
  url: string;
  headers: Record<string, string>;
  body?: string | Uint8Array;
  /** What was broken, for the failure message. */
  what: string;
}

/** mulberry32: small, fast and good enough to spread the draws; the seed makes a run repeatable. */
export function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

type Rand = () => number;
const pick = <T>(rand: Rand, list: readonly T[]): T => list[Math.floor(rand() * list.length)]!;

/** Every operation of the document, with its parameters and JSON body schema. */
export function operationsOf(doc: {
  paths: Record<string, Record<string, Record<string, unknown>>>;
}): Operation[] {
  const out: Operation[] = [];
  for (const [path, item] of Object.entries(doc.paths)) {
    for (const [method, op] of Object.entries(item)) {
      if (!['get', 'post', 'put', 'patch', 'delete'].includes(method)) continue;
      const params = (op.parameters ?? []) as { name: string; in: string; schema: Schema }[];
      const content = (op.requestBody as { content?: Record<string, { schema?: Schema }> } | undefined)
        ?.content;
      out.push({
        method: method.toUpperCase(),
        path,
        pathParams: params.filter((p) => p.in === 'path'),
        queryParams: params.filter((p) => p.in === 'query'),
        body: content?.['application/json']?.schema ?? null,
        multipart: Boolean(content?.['multipart/form-data']),
      });
    }
  }
  return out;
}

/** A value the schema would take, as far as a simple reading goes (patterns are not honoured). */
export function plausible(schema: Schema | undefined, depth = 0): unknown {
  if (!schema || depth > 6) return 'x';
  if (schema.const !== undefined) return schema.const;
  if (schema.enum?.length) return schema.enum[0];
  if (schema.anyOf?.length) return plausible(schema.anyOf[0], depth + 1);
  if (schema.oneOf?.length) return plausible(schema.oneOf[0], depth + 1);
  const type = Array.isArray(schema.type) ? schema.type[0] : schema.type;
  switch (type) {
    case 'object': {
      const out: Record<string, unknown> = {};
      for (const name of schema.required ?? []) out[name] = plausible(schema.properties?.[name], depth + 1);
      return out;
    }
    case 'array':
      return [plausible(schema.items, depth + 1)];
    case 'integer':
    case 'number':
      return Math.max(1, schema.minimum ?? 1);
    case 'boolean':
      return true;
    case 'null':
      return null;
    default:
      if (schema.format === 'email') return 'fuzz@example.com';
      if (schema.format === 'date') return '2026-12-07';
      return 'fuzz1';
  }
}

/** A value of some other JSON type than `value`. */
function wrongTypeFor(rand: Rand, value: unknown): unknown {
  const others: unknown[] = [42, -1, 1.5, 'text', true, null, [], {}, [1, 'a'], { nested: { x: 1 } }];
  const kind = (v: unknown) => (Array.isArray(v) ? 'array' : v === null ? 'null' : typeof v);
  return pick(
    rand,
    others.filter((o) => kind(o) !== kind(value)),
  );
}

/** Ids and keys that are not what a path parameter holds: traversal, injection, encodings, sizes. */
export const HOSTILE_IDS = [
  '..%2F..%2F..%2Fetc%2Fpasswd',
  '%2e%2e%2f%2e%2e%2fetc%2fpasswd',
  '..',
  '%252e%252e%252f',
  '%00',
  'a%00b',
  "1'%20OR%20'1'%3D'1",
  '-1',
  '0',
  '1.5',
  '99999999999999999999999',
  '0x1f',
  '1e9',
  encodeURIComponent('测试'),
  encodeURIComponent('<script>alert(1)</script>'),
  'x'.repeat(2000),
  '%C0%AE%C0%AE%2F',
  encodeURIComponent('{"__proto__":1}'),
];

/** JSON text nesting `depth` arrays or objects: parsers and validators that recurse meet their stack. */
function deeplyNested(depth: number, objects: boolean): string {
  return objects
    ? `${'{"a":'.repeat(depth)}1${'}'.repeat(depth)}`
    : `${'['.repeat(depth)}1${']'.repeat(depth)}`;
}

const CONTENT_TYPES_NOT_JSON = [
  'text/plain',
  'application/x-www-form-urlencoded',
  'multipart/form-data',
  'application/xml',
  'application/json; charset=latin-9',
  'application/octet-stream',
];

/**
 * One malformed request for `op`. `ids` gives plausible values of path parameters by name, so a
 * request that is broken elsewhere reaches the checks behind the route's first ones.
 */
export function malformed(
  op: Operation,
  rand: Rand,
  baseUrl: string,
  ids: (name: string) => string,
  bodyLimit: number,
): FuzzRequest {
  const query = new URLSearchParams();
  for (const q of op.queryParams) if (rand() < 0.3) query.set(q.name, String(plausible(q.schema)));
  let hostileParam: string | null = null;
  const pathFor = (hostile: boolean) =>
    op.path.replace(/\{(\w+)\}/g, (_, name: string) => {
      if (hostile && hostileParam === null) {
        hostileParam = pick(rand, HOSTILE_IDS);
        return hostileParam;
      }
      return ids(name);
    });
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  const base = op.body ? (plausible(op.body) as Record<string, unknown>) : undefined;
  const json = (value: unknown) => JSON.stringify(value);

  const kinds = [
    'missing',
    'wrong-type',
    'unknown-field',
    'huge-string',
    'deep-nesting',
    'proto',
    'content-type',
    'malformed-json',
    'oversize',
    'query',
    'path',
  ] as const;
  // Without a body, body mutations still say something: a body where none belongs.
  const kind = pick(
    rand,
    kinds.filter((k) => (op.pathParams.length ? true : k !== 'path')),
  );
  let body: string | Uint8Array | undefined = base === undefined ? undefined : json(base);
  let what: string = kind;
  const object = base && typeof base === 'object' && !Array.isArray(base) ? { ...base } : {};
  const fields = Object.keys(object);
  switch (kind) {
    case 'missing': {
      const required = op.body?.required ?? [];
      if (required.length) {
        const gone = pick(rand, required);
        delete object[gone];
        what = `missing ${gone}`;
        body = json(object);
      } else {
        body = json([]);
        what = 'a list instead of the object';
      }
      break;
    }
    case 'wrong-type': {
      const target = fields.length && rand() < 0.8 ? pick(rand, fields) : null;
      if (target) {
        object[target] = wrongTypeFor(rand, object[target]);
        what = `${target} of the wrong type`;
        body = json(object);
      } else {
        body = json(wrongTypeFor(rand, base ?? {}));
        what = 'a body of the wrong type';
      }
      break;
    }
    case 'unknown-field':
      object[`zz_unknown_${Math.floor(rand() * 1000)}`] = pick(rand, [1, 'x', null, { a: 1 }]);
      body = json(object);
      break;
    case 'huge-string': {
      const size = pick(rand, [10_000, 200_000, Math.floor(bodyLimit * 0.9)]);
      const target = fields.length ? pick(rand, fields) : 'title';
      object[target] = pick(rand, ['x', '测', '\u0000', '😀']).repeat(size / 2);
      what = `${target}: a string of ${size} characters`;
      body = json(object);
      break;
    }
    case 'deep-nesting': {
      const depth = pick(rand, [200, 5000, 50_000]);
      const target = fields.length ? pick(rand, fields) : 'data';
      const nested = deeplyNested(depth, rand() < 0.5);
      body = json({ ...object, [target]: '__NESTED__' }).replace('"__NESTED__"', nested);
      what = `${target} nested ${depth} deep`;
      break;
    }
    case 'proto': {
      const variant = pick(rand, [
        '{"__proto__":{"admin":true}}',
        '{"__proto__":{"roles":["admin"]}}',
        '{"constructor":{"prototype":{"polluted":1}}}',
      ]);
      const rest = json(object).slice(1);
      body = rest === '}' ? variant : `${variant.slice(0, -1)},${rest}`;
      what = `prototype keys: ${variant}`;
      break;
    }
    case 'content-type':
      headers['content-type'] = pick(rand, CONTENT_TYPES_NOT_JSON);
      body = body ?? 'a=1&b=2';
      what = `sent as ${headers['content-type']}`;
      break;
    case 'malformed-json':
      body = pick(rand, [
        (body ?? '{}').slice(0, Math.max(1, (body ?? '{}').length - 1)),
        "{'single': 'quotes'}",
        '{"a":1,}',
        '\uFEFF{"bom":1}',
        new Uint8Array([0x7b, 0x22, 0xff, 0xfe, 0x22, 0x3a, 0x31, 0x7d]),
        'NaN',
        '',
      ]);
      what = 'malformed JSON';
      break;
    case 'oversize':
      body = `{"pad":"${' '.repeat(bodyLimit + 10)}"}`;
      what = 'a body over the limit';
      break;
    case 'query': {
      const name = op.queryParams.length && rand() < 0.7 ? pick(rand, op.queryParams).name : 'zz_unknown';
      const value = pick(rand, [
        '-1',
        'NaN',
        '1e400',
        'x'.repeat(5000),
        '[object Object]',
        '%00',
        'true,false',
        '',
      ]);
      query.set(name, value);
      if (rand() < 0.3) query.append(name, 'twice');
      what = `query ${name}=${value.slice(0, 30)}`;
      break;
    }
    case 'path':
      break;
  }
  const path = pathFor(kind === 'path');
  if (kind === 'path') what = `path parameter ${String(hostileParam).slice(0, 60)}`;
  const qs = query.toString();
  if (op.method === 'GET' || op.method === 'DELETE') {
    // Most clients send no body here; some do, which must not confuse the server either.
    if (!['content-type', 'malformed-json', 'oversize', 'proto', 'deep-nesting'].includes(kind))
      body = undefined;
  }
  if (op.multipart && kind !== 'content-type' && rand() < 0.5) {
    headers['content-type'] = 'multipart/form-data; boundary=fuzz';
    body = pick(rand, [
      '--fuzz\r\nContent-Disposition: form-data; name="file"\r\n\r\nx',
      '--fuzz--',
      'not multipart',
    ]);
    what = 'a broken multipart body';
  }
  if (body === undefined) delete headers['content-type'];
  return { method: op.method, url: `${baseUrl}${path}${qs ? `?${qs}` : ''}`, headers, body, what };
}
