import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** Where the repository's own folders are, so `pnpm start` works from any directory. */
export const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

export interface Config {
  port: number;
  host: string;
  databaseUrl: string;
  dataDir: string;
  pluginsDir: string;
  bodyLimit: string;
  adminPassword: string | undefined;
  /** Secure cookies require HTTPS; behind a TLS-terminating proxy set OPSLOOM_COOKIE_SECURE=1. */
  cookieSecure: boolean;
  sessionTtlHours: number;
  logLevel: string;
  /** Identifies this process in job locks, so two runtimes on one database can tell their claims apart. */
  instanceId: string;
  /** Base URL external systems use to reach this runtime (callback URLs); defaults to the listening address. */
  publicUrl: string;
  /** OPSLOOM_VAR_* variables, visible to templates as `vars` (e.g. the CI/CD endpoint a flow calls). */
  vars: Record<string, string>;
  /** How often the job runner looks for due work when nothing woke it. */
  jobPollMs: number;
}

export class ConfigError extends Error {}

function intFromEnv(
  env: NodeJS.ProcessEnv,
  name: string,
  fallback: number,
  min: number,
  max: number,
): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new ConfigError(`${name} must be an integer between ${min} and ${max}, got "${raw}"`);
  }
  return value;
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const dataDir = path.resolve(env.OPSLOOM_DATA_DIR || path.join(process.cwd(), 'data'));
  const databaseUrl = env.DATABASE_URL || `sqlite://${path.join(dataDir, 'opsloom.db')}`;
  if (!/^(sqlite|mysql):\/\//.test(databaseUrl)) {
    throw new ConfigError(
      `DATABASE_URL must start with sqlite:// or mysql://, got "${databaseUrl.replace(/:[^:@/]*@/, ':***@')}"`,
    );
  }
  return {
    port: intFromEnv(env, 'PORT', 3000, 0, 65535),
    host: env.HOST || '0.0.0.0',
    databaseUrl,
    dataDir,
    pluginsDir: path.resolve(env.OPSLOOM_PLUGINS_DIR || path.join(REPO_ROOT, 'plugins')),
    bodyLimit: env.OPSLOOM_BODY_LIMIT || '1mb',
    adminPassword: env.OPSLOOM_ADMIN_PASSWORD || undefined,
    cookieSecure: env.OPSLOOM_COOKIE_SECURE === '1' || env.OPSLOOM_COOKIE_SECURE === 'true',
    sessionTtlHours: intFromEnv(env, 'OPSLOOM_SESSION_TTL_HOURS', 12, 1, 24 * 90),
    logLevel: env.LOG_LEVEL || 'info',
    instanceId: env.OPSLOOM_INSTANCE_ID || `${process.pid}-${randomBytes(4).toString('hex')}`,
    publicUrl: (env.OPSLOOM_PUBLIC_URL || '').replace(/\/$/, ''),
    vars: Object.fromEntries(
      Object.entries(env)
        .filter(([k, v]) => k.startsWith('OPSLOOM_VAR_') && v !== undefined)
        .map(([k, v]) => [k.slice('OPSLOOM_VAR_'.length), v as string]),
    ),
    jobPollMs: intFromEnv(env, 'OPSLOOM_JOB_POLL_MS', 1000, 10, 60_000),
  };
}
