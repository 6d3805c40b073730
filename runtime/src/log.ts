import pino from 'pino';

export type Logger = pino.Logger;

/** The longest text any field of a logged error keeps: an excerpt, never a whole request body. */
const MAX_TEXT = 2000;
const MAX_STACK = 4000;

const clip = (text: string, max: number): string =>
  text.length > max ? `${text.slice(0, max)}… (${text.length - max} more characters)` : text;

/**
 * Errors are logged by what identifies them — type, message, code, status, the SQL that failed,
 * the stack, the cause — each clipped. Body parsers and HTTP clients hang the whole body on their
 * errors (`err.body`): pino's standard serializer would log every byte a client sent, so a flood of
 * bad requests could fill the disk (25 such requests once added 22 MB in a quarter second).
 */
export function boundedError(err: unknown, depth = 0): unknown {
  if (!(err instanceof Error)) return typeof err === 'string' ? clip(err, MAX_TEXT) : err;
  const e = err as Error & { code?: unknown; status?: unknown; sql?: unknown; errno?: unknown };
  const out: Record<string, unknown> = { type: e.name, message: clip(String(e.message), MAX_TEXT) };
  for (const key of ['code', 'errno', 'status'] as const)
    if (typeof e[key] === 'string' || typeof e[key] === 'number') out[key] = e[key];
  if (typeof e.sql === 'string') out.sql = clip(e.sql, MAX_TEXT);
  if (e.stack) out.stack = clip(e.stack, MAX_STACK);
  if (e.cause !== undefined && depth < 2) out.cause = boundedError(e.cause, depth + 1);
  return out;
}

/**
 * Structured JSON logs on stdout for services and log shippers; a person at a terminal gets
 * readable lines through pino-pretty instead. Tests may pass a destination to read the lines.
 */
export function createLogger(level: string, pretty = false, destination?: pino.DestinationStream): Logger {
  const options: pino.LoggerOptions = {
    level,
    base: { app: 'opsloom' },
    redact: {
      paths: ['password', '*.password', 'req.headers.cookie', 'req.headers.authorization'],
      remove: true,
    },
    serializers: {
      err: boundedError,
      url: (url: unknown) => (typeof url === 'string' ? clip(url, MAX_TEXT) : url),
    },
  };
  if (destination) return pino(options, destination);
  return pino({
    ...options,
    ...(pretty
      ? { transport: { target: 'pino-pretty', options: { colorize: true, ignore: 'pid,hostname,app' } } }
      : {}),
  });
}
