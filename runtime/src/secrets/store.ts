import { SECRET_NAME } from '@opsloom/spec';
import type { Knex } from 'knex';
import { recordAudit } from '../audit/audit.ts';
import type { Services } from '../context.ts';
import { isUniqueViolation } from '../db/connect.ts';
import { conflict, notFound } from '../http/errors.ts';
import { LocalizedError } from '../i18n/localized-error.ts';
import { translateBoth } from '../i18n/translate.ts';
import { decrypt, encrypt, KEY_FILE, secretKey } from './key.ts';

/**
 * The secret store: names and who changed them are readable by admins; values are written,
 * encrypted (key.ts), and read back only by the calls that send them (references.ts). No value
 * ever goes into an answer, the audit log, history or a log line.
 */

export interface SecretView {
  name: string;
  description: string | null;
  createdAt: number;
  createdBy: string;
  updatedAt: number;
  updatedBy: string;
  /** Whether this runtime's key is the one the value was encrypted with. */
  readable: boolean;
}

interface SecretRow {
  name: string;
  description: string | null;
  ciphertext: string;
  iv: string;
  tag: string;
  key_id: string;
  created_at: number | string;
  created_by: string;
  updated_at: number | string;
  updated_by: string;
}

/** A secret could not be had for a call: not set, encrypted with another key, or damaged. */
export class SecretError extends LocalizedError {
  override name = 'SecretError';
}

const what = (name: string) => translateBoth('what.secret', { key: name });

function view(row: SecretRow, currentKeyId: string): SecretView {
  return {
    name: row.name,
    description: row.description ?? null,
    createdAt: Number(row.created_at),
    createdBy: row.created_by,
    updatedAt: Number(row.updated_at),
    updatedBy: row.updated_by,
    readable: row.key_id === currentKeyId,
  };
}

export async function listSecrets(services: Services): Promise<SecretView[]> {
  const { id } = secretKey(services.config);
  const rows = (await services.db('secrets').orderBy('name').select('*')) as SecretRow[];
  return rows.map((r) => view(r, id));
}

/** Sets (creates or replaces) a secret's value; the audit entry names the secret, never the value. */
export async function setSecret(
  services: Services,
  actor: string,
  name: string,
  input: { value: string; description?: string | null },
): Promise<{ secret: SecretView; created: boolean }> {
  if (!SECRET_NAME.test(name)) throw new Error(`invalid secret name ${name}`);
  const key = secretKey(services.config);
  const sealed = encrypt(key.key, name, input.value);
  const now = Date.now();
  try {
    return await writeSecret(services.db, actor, name, input, key.id, sealed, now);
  } catch (err) {
    // Two admins creating the same name at once: the second is told, nothing is half-written.
    if (isUniqueViolation(err))
      throw conflict('secret_exists', 'error.conflict_exists', { what: what(name) });
    throw err;
  }
}

async function writeSecret(
  db: Knex,
  actor: string,
  name: string,
  input: { value: string; description?: string | null },
  keyIdNow: string,
  sealed: { ciphertext: string; iv: string; tag: string },
  now: number,
): Promise<{ secret: SecretView; created: boolean }> {
  const key = { id: keyIdNow };
  return db.transaction(async (trx) => {
    const existing = (await trx('secrets').where({ name }).first('id', 'description')) as
      | { id: number; description: string | null }
      | undefined;
    const description = input.description === undefined ? (existing?.description ?? null) : input.description;
    const values = { ...sealed, key_id: key.id, description, updated_at: now, updated_by: actor };
    if (existing) await trx('secrets').where({ id: existing.id }).update(values);
    else await trx('secrets').insert({ ...values, name, created_at: now, created_by: actor });
    await recordAudit(trx, actor, existing ? 'secret.update' : 'secret.create', 'secret', name, {
      keyId: key.id,
      ...(input.description !== undefined ? { description } : {}),
    });
    const row = (await trx('secrets').where({ name }).first()) as SecretRow;
    return { secret: view(row, key.id), created: !existing };
  });
}

export async function deleteSecret(services: Services, actor: string, name: string): Promise<void> {
  await services.db.transaction(async (trx: Knex) => {
    const n = await trx('secrets').where({ name }).delete();
    if (!n) throw notFound(what(name));
    await recordAudit(trx, actor, 'secret.delete', 'secret', name);
  });
}

/**
 * The values of the named secrets, for a call about to be sent. A name that is not set, a value
 * encrypted with another key, or one that does not decrypt fails with a message naming the secret
 * and the cause: the call fails like any failed call (retried, then dead-lettered).
 */
export async function readSecrets(services: Services, names: string[]): Promise<Map<string, string>> {
  const values = new Map<string, string>();
  if (!names.length) return values;
  const key = secretKey(services.config);
  const valid = names.filter((n) => SECRET_NAME.test(n));
  const rows = valid.length
    ? ((await services.db('secrets').whereIn('name', valid).select('*')) as SecretRow[])
    : [];
  const byName = new Map(rows.map((r) => [r.name, r]));
  for (const name of names) {
    const row = byName.get(name);
    if (!row) throw new SecretError('secret.not_set', { name });
    if (row.key_id !== key.id)
      throw new SecretError('secret.wrong_key', {
        name,
        stored: row.key_id,
        current: key.id,
        file: KEY_FILE,
      });
    try {
      values.set(name, decrypt(key.key, name, row));
    } catch {
      throw new SecretError('secret.damaged', { name, current: key.id });
    }
  }
  return values;
}

/**
 * Start-up: loads (or generates) the key and warns when stored secrets were encrypted with
 * another one — typically a second runtime on the same database started without the shared
 * OPSLOOM_SECRET_KEY.
 */
export async function prepareSecrets(services: Services, print: (line: string) => void): Promise<void> {
  const key = secretKey(services.config);
  if (key.generated)
    print(
      `Generated the secret key ${key.source} (id ${key.id}); keep a copy: secrets cannot be read without it.`,
    );
  const others = (await services
    .db('secrets')
    .whereNot('key_id', key.id)
    .select('key_id')
    .count({ n: '*' })
    .groupBy('key_id')) as { key_id: string; n: number | string }[];
  for (const o of others)
    services.log.warn(
      { keyId: key.id, storedKeyId: o.key_id, secrets: Number(o.n), keySource: key.source },
      'secrets were encrypted with another key: give every runtime on this database the same OPSLOOM_SECRET_KEY',
    );
}
