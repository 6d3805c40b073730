import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import knex from 'knex';

export type BenchDb = 'sqlite' | 'mysql';

/** MySQL/MariaDB server for benchmarks: BENCH_MYSQL_URL, else TEST_MYSQL_URL. */
export const mysqlBase = () => process.env.BENCH_MYSQL_URL || process.env.TEST_MYSQL_URL || '';

/** SQLite always; MySQL/MariaDB when a URL is configured (otherwise say it is skipped). */
export function benchDatabases(bench: string): BenchDb[] {
  // BENCH_DBS=sqlite (or mysql) narrows a run to one database.
  const only = (process.env.BENCH_DBS || 'sqlite,mysql').split(',');
  const out: BenchDb[] = only.includes('sqlite') ? ['sqlite'] : [];
  if (!only.includes('mysql')) return out;
  if (mysqlBase()) return [...out, 'mysql'];
  note(`[${bench}] MySQL/MariaDB skipped: set BENCH_MYSQL_URL or TEST_MYSQL_URL to include it`);
  return out;
}

/** Human-readable text goes to stderr; stdout carries only the JSON figure lines. */
export const note = (line: string) => process.stderr.write(`${line}\n`);

export interface Figure {
  bench: string;
  metric: string;
  value: number;
  baseline?: number;
  ratio?: number;
  db: BenchDb | 'galera';
  [extra: string]: unknown;
}

export function emit(figure: Figure): void {
  process.stdout.write(`${JSON.stringify(figure)}\n`);
}

export interface ScratchDb {
  url: string;
  drop(): Promise<void>;
}

/** A fresh database for one benchmark run: a temp SQLite file, or a new MySQL schema dropped afterwards. */
export async function scratchDatabase(kind: BenchDb, bench: string): Promise<ScratchDb> {
  const id = `opsloom_bench_${bench}_${Date.now().toString(36)}_${randomBytes(3).toString('hex')}`;
  if (kind === 'sqlite') {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'opsloom-bench-'));
    return {
      url: `sqlite://${path.join(dir, `${id}.db`)}`,
      drop: async () => fs.rmSync(dir, { recursive: true, force: true }),
    };
  }
  const base = mysqlBase();
  const admin = knex({ client: 'mysql2', connection: base });
  await admin.raw(`CREATE DATABASE \`${id}\` CHARACTER SET utf8mb4 COLLATE utf8mb4_bin`);
  await admin.destroy();
  const url = new URL(base);
  url.pathname = `/${id}`;
  return {
    url: url.toString(),
    drop: async () => {
      const conn = knex({ client: 'mysql2', connection: base });
      await conn.raw(`DROP DATABASE IF EXISTS \`${id}\``);
      await conn.destroy();
    },
  };
}

export interface LoadResult {
  ok: number;
  non2xx: number;
  errors: number;
  timeouts: number;
  statusCodes: Record<string, number>;
  /** seconds */
  duration: number;
  p50: number;
  p99: number;
  mean: number;
}

export interface LoadOptions {
  url: string;
  method?: string;
  headers?: Record<string, string>;
  body?: string;
  connections: number;
  duration: number;
}

/** Runs autocannon in a child process (a separate event loop; the same two cores as the server). */
export function runLoad(opts: LoadOptions): Promise<LoadResult> {
  const script = path.join(import.meta.dirname, 'load.mjs');
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [script, JSON.stringify(opts)], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let out = '';
    child.stdout.on('data', (d) => {
      out += d;
    });
    child.on('error', reject);
    child.on('exit', (code) => {
      if (code !== 0) reject(new Error(`load generator exited with ${code}`));
      else resolve(JSON.parse(out.trim().split('\n').pop()!));
    });
  });
}

export const round = (v: number, digits = 0) => Math.round(v * 10 ** digits) / 10 ** digits;

export function machine(): string {
  const cpus = os.cpus();
  return `${cpus.length} × ${cpus[0]?.model.trim() ?? 'cpu'}, ${round(os.totalmem() / 2 ** 30)} GiB, Node ${process.versions.node}`;
}
