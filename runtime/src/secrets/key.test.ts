import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../config.ts';
import { decrypt, encrypt, KEY_FILE, secretKey } from './key.ts';

const dirs: string[] = [];
const tmp = () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'opsloom-key-'));
  dirs.push(dir);
  return dir;
};
afterAll(() => {
  for (const d of dirs) fs.rmSync(d, { recursive: true, force: true });
});

describe('the secret key', () => {
  it('is generated once in the data dir, readable by its owner only, and reused', () => {
    const dataDir = path.join(tmp(), 'data');
    const first = secretKey(loadConfig({ OPSLOOM_DATA_DIR: dataDir }));
    expect(first.generated).toBe(true);
    const file = path.join(dataDir, KEY_FILE);
    expect(first.source).toBe(file);
    expect(fs.statSync(file).mode & 0o777).toBe(0o600);
    const again = secretKey(loadConfig({ OPSLOOM_DATA_DIR: dataDir }));
    expect(again.generated).toBe(false);
    expect(again.id).toBe(first.id);
    expect(again.key.equals(first.key)).toBe(true);
  });

  it('comes from OPSLOOM_SECRET_KEY as hex or base64; a bad one is refused without being repeated', () => {
    const hex = 'ab'.repeat(32);
    const fromHex = secretKey(loadConfig({ OPSLOOM_DATA_DIR: tmp(), OPSLOOM_SECRET_KEY: hex }));
    const fromB64 = secretKey(
      loadConfig({ OPSLOOM_DATA_DIR: tmp(), OPSLOOM_SECRET_KEY: Buffer.from(hex, 'hex').toString('base64') }),
    );
    expect(fromHex.id).toBe(fromB64.id);
    expect(fromHex.source).toBe('OPSLOOM_SECRET_KEY');
    for (const bad of ['short-key-value', 'ab'.repeat(31), Buffer.alloc(16).toString('base64')]) {
      let error: unknown;
      try {
        loadConfig({ OPSLOOM_SECRET_KEY: bad });
      } catch (e) {
        error = e;
      }
      expect(error).toBeInstanceOf(ConfigError);
      expect(String(error)).not.toContain(bad);
    }
  });

  it('a bad OPSLOOM_OUTBOUND_ALLOW entry is a configuration error naming it', () => {
    expect(() => loadConfig({ OPSLOOM_OUTBOUND_ALLOW: '127.0.0.1, 10.0.0.0/99' })).toThrow(ConfigError);
    expect(() => loadConfig({ OPSLOOM_OUTBOUND_ALLOW: '127.0.0.1, 10.0.0.0/99' })).toThrow('10.0.0.0/99');
  });

  it('AES-256-GCM: decrypts with the same key and name only', () => {
    const a = Buffer.alloc(32, 1);
    const b = Buffer.alloc(32, 2);
    const sealed = encrypt(a, 'CICD_TOKEN', '令牌 value');
    expect(sealed.ciphertext).not.toContain('value');
    expect(decrypt(a, 'CICD_TOKEN', sealed)).toBe('令牌 value');
    expect(() => decrypt(b, 'CICD_TOKEN', sealed)).toThrow();
    expect(() => decrypt(a, 'OTHER_NAME', sealed)).toThrow();
    expect(encrypt(a, 'CICD_TOKEN', '令牌 value').iv).not.toBe(sealed.iv);
  });
});
