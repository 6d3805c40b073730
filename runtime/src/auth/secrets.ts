import { createHash, randomBytes } from 'node:crypto';

export const randomToken = (bytes = 32): string => randomBytes(bytes).toString('base64url');

/** Session ids and API tokens are high-entropy, so a plain SHA-256 is the right way to store them. */
export const sha256 = (value: string): string => createHash('sha256').update(value).digest('hex');
