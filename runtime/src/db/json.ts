/**
 * JSON columns are text on both databases: stringify on write, parse only when a string
 * arrives (mysql2 may already have parsed it).
 */
export function toJson(value: unknown): string | null {
  return value === undefined || value === null ? null : JSON.stringify(value);
}

export function fromJson<T>(value: unknown): T | null {
  if (value === null || value === undefined) return null;
  return (typeof value === 'string' ? JSON.parse(value) : value) as T;
}

/** Booleans come back as 0/1 from SQLite and TINYINT from MySQL. */
export const toBool = (value: unknown): boolean => value === true || value === 1 || value === '1';
