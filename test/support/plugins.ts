import path from 'node:path';

/** The repository's shipped plugins folder: scenario suites run on the real ITIL templates. */
export const SHIPPED_PLUGINS = path.resolve(import.meta.dirname, '../../plugins');
export const DEMO_PASSWORD = 'opsloom-demo';
