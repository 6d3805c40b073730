#!/usr/bin/env node
// `pnpm bench` runs every benchmark in this folder (files named NAME.bench.ts) one after the
// other; `pnpm bench NAME` runs one. Each benchmark prints one JSON line per figure it measures
// (see README.md). Benchmarks run as separate processes so one's warm caches do not flatter another.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const all = fs
  .readdirSync(here)
  .filter((f) => f.endsWith('.bench.ts'))
  .map((f) => f.replace(/\.bench\.ts$/, ''))
  .sort();
const wanted = process.argv.slice(2);
const unknown = wanted.filter((w) => !all.includes(w));
if (unknown.length) {
  console.error(`unknown benchmark(s): ${unknown.join(', ')}; available: ${all.join(', ') || '(none)'}`);
  process.exit(2);
}
const selected = wanted.length ? wanted : all;
if (!selected.length) console.log('no benchmarks yet');
let failed = 0;
for (const name of selected) {
  console.error(`\n== bench ${name}`);
  const res = spawnSync(process.execPath, ['--import', 'tsx', path.join(here, `${name}.bench.ts`)], {
    stdio: 'inherit',
    cwd: path.resolve(here, '../..'),
  });
  if (res.status !== 0) failed++;
}
process.exit(failed ? 1 : 0);
