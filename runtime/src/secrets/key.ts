import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { Config } from '../config.ts';

/**
 * The key secrets are encrypted with: `OPSLOOM_SECRET_KEY` (32 bytes, hex or base64), else the
 * key file `<data dir>/secret.key`, written with mode 0600 on first start. Several runtimes
 * sharing one database must share the key: set the same OPSLOOM_SECRET_KEY on each (or give
 * each a copy of one key file). A secret carries the id of the key that encrypted it, so a
 * runtime with another key says so by name instead of producing garbage.
 */

export const KEY_FILE = 'secret.key';

export interface SecretKey {
  key: Buffer;
  /** A fingerprint of the key (not the key): stored beside each secret, shown in messages. */
  id: string;
  /** Where it came from: `OPSLOOM_SECRET_KEY` or the key file's path. */
  source: string;
  /** True when this start wrote a new key file. */
  generated: boolean;
}

export const keyId = (key: Buffer): string =>
  createHash('sha256').update('opsloom-secret-key-id\u0000').update(key).digest('hex').slice(0, 16);

function keyFromFile(file: string): Buffer {
  const text = fs.readFileSync(file, 'utf8').trim();
  const key = /^[0-9a-fA-F]{64}$/.test(text) ? Buffer.from(text, 'hex') : Buffer.from(text, 'base64');
  if (key.length !== 32) throw new Error(`${file} does not hold a 32-byte key (base64 or 64 hex digits)`);
  return key;
}

/** Reads the key file, or creates it (exclusively, 0600) when it does not exist yet. */
function fileKey(dataDir: string): SecretKey {
  const file = path.join(dataDir, KEY_FILE);
  try {
    return { key: keyFromFile(file), id: '', source: file, generated: false };
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
  fs.mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  const key = randomBytes(32);
  try {
    fs.writeFileSync(file, `${key.toString('base64')}\n`, { mode: 0o600, flag: 'wx' });
  } catch (err) {
    // Another runtime on the same data dir wrote it first: use that one.
    if ((err as NodeJS.ErrnoException).code === 'EEXIST')
      return { key: keyFromFile(file), id: '', source: file, generated: false };
    throw err;
  }
  return { key, id: '', source: file, generated: true };
}

const keys = new WeakMap<Config, SecretKey>();

/** This runtime's key, loaded (or generated) once per configuration. */
export function secretKey(config: Config): SecretKey {
  let found = keys.get(config);
  if (!found) {
    const loaded = config.secretKey
      ? { key: config.secretKey, id: '', source: 'OPSLOOM_SECRET_KEY', generated: false }
      : fileKey(config.dataDir);
    found = { ...loaded, id: keyId(loaded.key) };
    keys.set(config, found);
  }
  return found;
}

export interface Sealed {
  ciphertext: string;
  iv: string;
  tag: string;
}

/** The secret's name is authenticated with its value, so a value moved to another name does not decrypt. */
const aad = (name: string) => Buffer.from(`opsloom-secret:${name}`, 'utf8');

export function encrypt(key: Buffer, name: string, value: string): Sealed {
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', key, iv);
  cipher.setAAD(aad(name));
  const ciphertext = Buffer.concat([cipher.update(value, 'utf8'), cipher.final()]);
  return {
    ciphertext: ciphertext.toString('base64'),
    iv: iv.toString('base64'),
    tag: cipher.getAuthTag().toString('base64'),
  };
}

/** Throws when the key is wrong or the stored value was changed (GCM's tag does not verify). */
export function decrypt(key: Buffer, name: string, sealed: Sealed): string {
  const decipher = createDecipheriv('aes-256-gcm', key, Buffer.from(sealed.iv, 'base64'));
  decipher.setAAD(aad(name));
  decipher.setAuthTag(Buffer.from(sealed.tag, 'base64'));
  return Buffer.concat([
    decipher.update(Buffer.from(sealed.ciphertext, 'base64')),
    decipher.final(),
  ]).toString('utf8');
}
