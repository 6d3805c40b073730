import type { Knex } from 'knex';
import type { Config } from './config.ts';
import type { Logger } from './log.ts';

/** What every server module is handed: configuration, the database and the logger. */
export interface Services {
  config: Config;
  db: Knex;
  log: Logger;
  /** Tells the job runner that a committed transaction may have left due work. */
  wake: () => void;
  /** HTTP requests being served now: background work yields to them (engine/runner.ts). */
  traffic?: { inFlight: number };
}

export const ROLES = ['admin', 'agent', 'manager', 'user'] as const;
export type Role = (typeof ROLES)[number];

/** Who is making a request: a person through a session, or a system through an API token. */
export interface Actor {
  userId: number;
  username: string;
  displayName: string;
  roles: Role[];
  locale: 'zh-CN' | 'en';
  via: 'session' | 'token';
  /** For sessions: whether this request carried the session's CSRF token. */
  csrfOk?: boolean;
}

/** The name written to history and the audit log; system work is named `system:<what>`. */
export const actorName = (actor: Actor | string): string =>
  typeof actor === 'string' ? actor : actor.username;
