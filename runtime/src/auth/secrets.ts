import { createHash, randomFillSync } from 'node:crypto';

// Random bytes are drawn from the system CSPRNG a pool at a time: each synchronous draw is a
// native job of its own whose set-up costs far more than 32 bytes (a process instance's callback
// secret on every ticket create). Node's randomUUID pools its entropy the same way. Bytes are
// handed out once and never reused.
const POOL_BYTES = 4096;
const pool = Buffer.alloc(POOL_BYTES);
let offset = POOL_BYTES;

/** `bytes` fresh random bytes, as URL-safe base64: for secrets, tokens and ids. */
export function randomToken(bytes = 32): string {
  if (bytes > POOL_BYTES) return randomFillSync(Buffer.alloc(bytes)).toString('base64url');
  if (offset + bytes > POOL_BYTES) {
    randomFillSync(pool);
    offset = 0;
  }
  const out = pool.toString('base64url', offset, offset + bytes);
  // Zeroed as it leaves, so a later read of the pool cannot recover a token.
  pool.fill(0, offset, offset + bytes);
  offset += bytes;
  return out;
}

/** Session ids and API tokens are high-entropy, so a plain SHA-256 is the right way to store them. */
export const sha256 = (value: string): string => createHash('sha256').update(value).digest('hex');
