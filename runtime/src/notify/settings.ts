import type { Knex } from 'knex';
import { recordAudit } from '../audit/audit.ts';
import type { Config, SmtpDefaults } from '../config.ts';
import { fromJson, toJson } from '../db/json.ts';

/**
 * Admin-editable settings live in the `settings` table as one JSON value per key, so every
 * runtime on the database sees the same values (no restart, no per-instance drift).
 */

export type SmtpSettings = SmtpDefaults & {
  /** Refuse servers whose certificate does not verify (turn off only for a private CA in tests). */
  tlsRejectUnauthorized: boolean;
};

export interface SmtpView extends Omit<SmtpSettings, 'password'> {
  /** Whether a password is stored; the password itself is never returned. */
  passwordSet: boolean;
  /** Where the values come from: saved by an admin, the OPSLOOM_SMTP_* environment, or nowhere. */
  source: 'settings' | 'environment' | 'none';
}

export interface SmtpInput {
  host: string;
  port: number;
  secure?: boolean;
  startTls?: SmtpSettings['startTls'];
  username?: string | null;
  /** Omitted: keep the stored password; null: remove it. */
  password?: string | null;
  from: string;
  tlsRejectUnauthorized?: boolean;
}

export async function getSetting<T>(db: Knex, key: string): Promise<T | null> {
  const row = await db('settings').where({ key }).first('value');
  return row ? fromJson<T>(row.value) : null;
}

export async function putSetting(db: Knex, key: string, value: unknown, actor: string): Promise<void> {
  const now = Date.now();
  const n = await db('settings')
    .where({ key })
    .update({ value: toJson(value), updated_by: actor, updated_at: now });
  if (n === 0) await db('settings').insert({ key, value: toJson(value), updated_by: actor, updated_at: now });
}

/** The SMTP server to send through: the admin's settings, else the environment's, else none. */
export async function loadSmtp(
  db: Knex,
  config: Config,
): Promise<{ settings: SmtpSettings | null; source: SmtpView['source'] }> {
  const saved = await getSetting<SmtpSettings>(db, 'smtp');
  if (saved) return { settings: saved, source: 'settings' };
  if (config.smtp)
    return { settings: { ...config.smtp, tlsRejectUnauthorized: true }, source: 'environment' };
  return { settings: null, source: 'none' };
}

export async function viewSmtp(db: Knex, config: Config): Promise<SmtpView> {
  const { settings, source } = await loadSmtp(db, config);
  const s = settings ?? {
    host: '',
    port: 587,
    secure: false,
    startTls: 'opportunistic' as const,
    username: null,
    password: null,
    from: '',
    tlsRejectUnauthorized: true,
  };
  const { password, ...rest } = s;
  return { ...rest, passwordSet: Boolean(password), source };
}

export async function saveSmtp(db: Knex, config: Config, actor: string, input: SmtpInput): Promise<SmtpView> {
  await db.transaction(async (trx) => {
    const current = (await loadSmtp(trx, config)).settings;
    const settings: SmtpSettings = {
      host: input.host,
      port: input.port,
      secure: input.secure ?? false,
      startTls: input.startTls ?? 'opportunistic',
      username: input.username ?? null,
      password: input.password === undefined ? (current?.password ?? null) : input.password,
      from: input.from,
      tlsRejectUnauthorized: input.tlsRejectUnauthorized ?? true,
    };
    await putSetting(trx, 'smtp', settings, actor);
    const { password, ...audited } = settings;
    await recordAudit(trx, actor, 'settings.smtp', 'settings', 'smtp', {
      ...audited,
      passwordChanged: input.password !== undefined,
    });
  });
  return viewSmtp(db, config);
}
