export { allRoutes, createApp } from './app.ts';
export { type Config, loadConfig } from './config.ts';
export type { Actor, Role, Services } from './context.ts';
export { connect, dialectOf } from './db/connect.ts';
export { migrateLatest, migrationSource } from './db/migrations/index.ts';
export { type Running, type StartOptions, startServer } from './server.ts';
