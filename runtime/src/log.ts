import pino from 'pino';

export type Logger = pino.Logger;

/**
 * Structured JSON logs on stdout for services and log shippers; a person at a terminal gets
 * readable lines through pino-pretty instead.
 */
export function createLogger(level: string, pretty = false): Logger {
  return pino({
    level,
    base: { app: 'opsloom' },
    redact: {
      paths: ['password', '*.password', 'req.headers.cookie', 'req.headers.authorization'],
      remove: true,
    },
    ...(pretty
      ? { transport: { target: 'pino-pretty', options: { colorize: true, ignore: 'pid,hostname,app' } } }
      : {}),
  });
}
