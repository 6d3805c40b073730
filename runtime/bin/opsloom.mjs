#!/usr/bin/env node
// Runs the TypeScript sources directly through tsx's loader: no build step between a checkout
// and a running server.
import { register } from 'tsx/esm/api';

register();
const { runCli } = await import('../src/cli.ts');
await runCli(process.argv);
