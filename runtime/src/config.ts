import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseFrameAncestors } from './http/security-headers.ts';
import { type AllowList, AllowListError, parseAllowList } from './outbound/addresses.ts';

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
  /**
   * Behind a reverse proxy (OPSLOOM_TRUST_PROXY=1): the client's address is the last one in
   * X-Forwarded-For, the one the proxy itself added; login throttling and the audit log use it.
   */
  trustProxy: boolean;
  /** Distinct accounts an address may fail to log in to within an hour before it is made to wait. */
  loginAddressAccounts: number;
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
  /** Outgoing mail until an admin saves SMTP settings through the API (OPSLOOM_SMTP_*). */
  smtp: SmtpDefaults | null;
  /** Delivery attempts of one notification (email, webhook, IM post) before it is dead-lettered. */
  notifyMaxAttempts: number;
  /** First retry delay of a failed notification; each further attempt waits twice as long (max 10 min). */
  notifyRetryBaseMs: number;
  /** How long a webhook or IM robot may take to answer, in ms. */
  webhookTimeoutMs: number;
  /** How many rule-caused events may follow one another before automation stops the chain. */
  ruleMaxDepth: number;
  /** How often published schedules are re-read (a new or changed schedule starts within this time). */
  scheduleRefreshMs: number;
  /** How often the SLA checker looks for due warnings and breaches. */
  slaCheckMs: number;
  /** Built-in housekeeping: when it runs, and its limits (0 days turns a task off). */
  housekeeping: {
    cron: string;
    timeZone: string;
    autoCloseDays: number;
    autoRateDays: number;
    autoRateStars: number;
  };
  /** Largest attachment accepted, in bytes (413 above it). */
  attachmentMaxBytes: number;
  /** How long an upload may send no byte before it is abandoned (408) and its temporary file deleted. */
  uploadIdleMs: number;
  /** MIME types attachments may have (`image/*` allows a family); anything else gets 415. */
  attachmentTypes: string[];
  /** Private, loopback and other non-public addresses outbound calls may reach anyway (OPSLOOM_OUTBOUND_ALLOW). */
  outboundAllow: AllowList;
  /** Origins that may frame the big screen (OPSLOOM_BIGSCREEN_FRAME_ANCESTORS); empty: none. */
  bigScreenFrameAncestors: string[];
  /** Largest answer an outbound call reads, in bytes; a larger one fails the call. */
  outboundMaxBytes: number;
  /** The key secrets are encrypted with (OPSLOOM_SECRET_KEY); null: the key file in the data dir. */
  secretKey: Buffer | null;
}

/** Office documents, images, PDF, text, mail and archives. SVG is left out: it can carry scripts. */
export const DEFAULT_ATTACHMENT_TYPES = [
  'application/pdf',
  'text/plain',
  'text/csv',
  'text/markdown',
  'image/png',
  'image/jpeg',
  'image/gif',
  'image/webp',
  'image/bmp',
  'application/msword',
  'application/vnd.ms-excel',
  'application/vnd.ms-powerpoint',
  'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
  'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
  'application/vnd.openxmlformats-officedocument.presentationml.presentation',
  'application/vnd.oasis.opendocument.text',
  'application/vnd.oasis.opendocument.spreadsheet',
  'application/vnd.oasis.opendocument.presentation',
  'application/vnd.ms-outlook',
  'message/rfc822',
  'application/zip',
  'application/x-zip-compressed',
  'application/x-7z-compressed',
  'application/gzip',
];

export interface SmtpDefaults {
  host: string;
  port: number;
  /** Implicit TLS (port 465); otherwise STARTTLS as `startTls` says. */
  secure: boolean;
  startTls: 'required' | 'opportunistic' | 'never';
  username: string | null;
  password: string | null;
  from: string;
}

export class ConfigError extends Error {}

function smtpFromEnv(env: NodeJS.ProcessEnv): SmtpDefaults | null {
  if (!env.OPSLOOM_SMTP_HOST) return null;
  const startTls = env.OPSLOOM_SMTP_STARTTLS || 'opportunistic';
  if (!['required', 'opportunistic', 'never'].includes(startTls))
    throw new ConfigError(
      `OPSLOOM_SMTP_STARTTLS must be required, opportunistic or never, got "${startTls}"`,
    );
  const secure = env.OPSLOOM_SMTP_SECURE === '1' || env.OPSLOOM_SMTP_SECURE === 'true';
  return {
    host: env.OPSLOOM_SMTP_HOST,
    port: intFromEnv(env, 'OPSLOOM_SMTP_PORT', secure ? 465 : 587, 1, 65535),
    secure,
    startTls: startTls as SmtpDefaults['startTls'],
    username: env.OPSLOOM_SMTP_USER || null,
    password: env.OPSLOOM_SMTP_PASSWORD || null,
    from: env.OPSLOOM_SMTP_FROM || 'Opsloom <opsloom@localhost>',
  };
}

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

/**
 * OPSLOOM_SECRET_KEY: 32 random bytes as 64 hex digits or base64 (`openssl rand -base64 32`).
 * The message never repeats the value.
 */
function secretKeyFromEnv(env: NodeJS.ProcessEnv): Buffer | null {
  const raw = env.OPSLOOM_SECRET_KEY?.trim();
  if (!raw) return null;
  let key: Buffer | null = null;
  if (/^[0-9a-fA-F]{64}$/.test(raw)) key = Buffer.from(raw, 'hex');
  else if (/^[A-Za-z0-9+/_-]{43}=?$/.test(raw))
    key = Buffer.from(raw.replace(/-/g, '+').replace(/_/g, '/'), 'base64');
  if (key?.length !== 32)
    throw new ConfigError(
      'OPSLOOM_SECRET_KEY must be 32 random bytes written as 64 hex digits or as base64 (openssl rand -base64 32)',
    );
  return key;
}

function allowListFromEnv(env: NodeJS.ProcessEnv): AllowList {
  try {
    return parseAllowList(env.OPSLOOM_OUTBOUND_ALLOW);
  } catch (err) {
    if (err instanceof AllowListError) throw new ConfigError(`OPSLOOM_OUTBOUND_ALLOW: ${err.message}`);
    throw err;
  }
}

function frameAncestorsFromEnv(env: NodeJS.ProcessEnv): string[] {
  try {
    return parseFrameAncestors(env.OPSLOOM_BIGSCREEN_FRAME_ANCESTORS);
  } catch (err) {
    throw new ConfigError(`OPSLOOM_BIGSCREEN_FRAME_ANCESTORS: ${(err as Error).message}`);
  }
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
    trustProxy: env.OPSLOOM_TRUST_PROXY === '1' || env.OPSLOOM_TRUST_PROXY === 'true',
    loginAddressAccounts: intFromEnv(env, 'OPSLOOM_LOGIN_ADDRESS_ACCOUNTS', 30, 1, 1_000_000),
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
    smtp: smtpFromEnv(env),
    notifyMaxAttempts: intFromEnv(env, 'OPSLOOM_NOTIFY_MAX_ATTEMPTS', 8, 1, 100),
    notifyRetryBaseMs: intFromEnv(env, 'OPSLOOM_NOTIFY_RETRY_MS', 30_000, 10, 3_600_000),
    webhookTimeoutMs: intFromEnv(env, 'OPSLOOM_WEBHOOK_TIMEOUT_MS', 10_000, 100, 120_000),
    ruleMaxDepth: intFromEnv(env, 'OPSLOOM_RULE_MAX_DEPTH', 5, 1, 50),
    scheduleRefreshMs: intFromEnv(env, 'OPSLOOM_SCHEDULE_REFRESH_MS', 15_000, 100, 3_600_000),
    slaCheckMs: intFromEnv(env, 'OPSLOOM_SLA_CHECK_MS', 1000, 10, 600_000),
    housekeeping: {
      cron: env.OPSLOOM_HOUSEKEEPING_CRON || '30 2 * * *',
      timeZone: env.OPSLOOM_TIME_ZONE || 'Asia/Shanghai',
      autoCloseDays: intFromEnv(env, 'OPSLOOM_AUTO_CLOSE_DAYS', 7, 0, 3650),
      autoRateDays: intFromEnv(env, 'OPSLOOM_AUTO_RATE_DAYS', 7, 0, 3650),
      autoRateStars: intFromEnv(env, 'OPSLOOM_AUTO_RATE_STARS', 5, 1, 5),
    },
    attachmentMaxBytes: intFromEnv(env, 'OPSLOOM_ATTACHMENT_MAX_BYTES', 20 * 1024 * 1024, 1, 2 ** 40),
    uploadIdleMs: intFromEnv(env, 'OPSLOOM_UPLOAD_IDLE_MS', 30_000, 100, 3_600_000),
    attachmentTypes: env.OPSLOOM_ATTACHMENT_TYPES
      ? env.OPSLOOM_ATTACHMENT_TYPES.split(',')
          .map((t) => t.trim().toLowerCase())
          .filter(Boolean)
      : DEFAULT_ATTACHMENT_TYPES,
    outboundAllow: allowListFromEnv(env),
    bigScreenFrameAncestors: frameAncestorsFromEnv(env),
    outboundMaxBytes: intFromEnv(env, 'OPSLOOM_OUTBOUND_MAX_BYTES', 1024 * 1024, 1024, 2 ** 30),
    secretKey: secretKeyFromEnv(env),
  };
}
