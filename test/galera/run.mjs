#!/usr/bin/env node
// `pnpm test:galera`: starts a three-node Galera cluster on loopback (cluster.mjs), runs the
// reliability suites with two runtimes on two of its nodes, and stops the cluster.
// `pnpm test:galera --all` also runs the whole suite's MySQL half against node 1
// (TEST_MYSQL_URL=node 1), the way a customer on a cluster runs Opsloom.
import { execFileSync, spawnSync } from 'node:child_process';
import path from 'node:path';

const here = import.meta.dirname;
const cluster = (cmd) =>
  execFileSync(process.execPath, [path.join(here, 'cluster.mjs'), cmd], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'inherit'],
  });

const all = process.argv.includes('--all');
const urls = cluster('start').trim().split('\n');
let status = 1;
try {
  const env = { ...process.env, TEST_GALERA_URLS: urls.join(',') };
  if (all) env.TEST_MYSQL_URL = urls[0];
  const args = ['vitest', 'run', ...(all ? [] : ['test/reliability'])];
  status = spawnSync('npx', args, { stdio: 'inherit', env, cwd: path.resolve(here, '../..') }).status ?? 1;
} finally {
  cluster('stop');
}
process.exit(status);
