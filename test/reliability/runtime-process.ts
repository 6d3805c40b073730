import { type ChildProcess, spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ADMIN_PASSWORD } from '../support/server.ts';

const BIN = path.resolve(import.meta.dirname, '../../runtime/bin/opsloom.mjs');

export interface RuntimeProcess {
  url: string;
  child: ChildProcess;
  /** What the process wrote so far (stdout and stderr), for failure messages. */
  output(): string;
  /** SIGKILL: the process dies at once, mid-whatever, as in a crash or an OOM kill. */
  kill(): Promise<void>;
  /** SIGTERM: the runtime's own graceful shutdown. */
  stop(): Promise<void>;
}

export interface RuntimeOptions {
  databaseUrl: string;
  pluginsDir: string;
  env?: Record<string, string>;
  /** Bound on start-up (migrations, plugin install) before giving up. */
  startTimeoutMs?: number;
}

function exited(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => child.once('exit', () => resolve()));
}

/**
 * `opsloom serve` as a child process on a free port of 127.0.0.1, the way it runs in
 * production, so a test can kill it with SIGKILL and start another on the same database.
 * Resolves when the runtime says it is listening.
 */
export async function startRuntime(opts: RuntimeOptions): Promise<RuntimeProcess> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'opsloom-child-'));
  const child = spawn(process.execPath, [BIN, 'serve'], {
    env: {
      PATH: process.env.PATH ?? '',
      HOME: process.env.HOME ?? os.tmpdir(),
      DATABASE_URL: opts.databaseUrl,
      PORT: '0',
      HOST: '127.0.0.1',
      OPSLOOM_DATA_DIR: dataDir,
      OPSLOOM_PLUGINS_DIR: opts.pluginsDir,
      OPSLOOM_ADMIN_PASSWORD: ADMIN_PASSWORD,
      OPSLOOM_DEMO: '1',
      LOG_LEVEL: 'silent',
      ...opts.env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`runtime did not start within ${opts.startTimeoutMs ?? 60_000} ms:\n${output}`));
    }, opts.startTimeoutMs ?? 60_000);
    const onData = (d: Buffer) => {
      output += d.toString();
      const m = /running at (http:\/\/127\.0\.0\.1:\d+)/.exec(output);
      if (m) {
        clearTimeout(timer);
        resolve(m[1]!);
      }
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', (d: Buffer) => {
      output += d.toString();
    });
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      reject(new Error(`runtime exited (${code ?? signal}) before listening:\n${output}`));
    });
  });
  // Keep draining its output (bounded) so a chatty child never blocks on a full pipe.
  const keep = (d: Buffer) => {
    output = (output + d.toString()).slice(-100_000);
  };
  child.stdout!.removeAllListeners('data').on('data', keep);
  child.stderr!.removeAllListeners('data').on('data', keep);
  const cleanup = () => fs.rmSync(dataDir, { recursive: true, force: true });
  return {
    url,
    child,
    output: () => output,
    async kill() {
      child.kill('SIGKILL');
      await exited(child);
      cleanup();
    },
    async stop() {
      child.kill('SIGTERM');
      const bound = setTimeout(() => child.kill('SIGKILL'), 15_000);
      await exited(child);
      clearTimeout(bound);
      cleanup();
    },
  };
}
