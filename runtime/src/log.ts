import pino from 'pino';

export type Logger = pino.Logger;

/** Structured JSON logs on stdout; pipe through `pino-pretty` when reading them by eye. */
export function createLogger(level: string): Logger {
  return pino({
    level,
    base: { app: 'opsloom' },
    redact: {
      paths: ['password', '*.password', 'req.headers.cookie', 'req.headers.authorization'],
      remove: true,
    },
  });
}
