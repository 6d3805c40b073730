import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { DestinationStream } from 'pino';
import { createApp } from './app.ts';
import { ensureAdmin, ensureDemoData, ensureDemoRecords, ensureSystemUser } from './bootstrap.ts';
import type { Config } from './config.ts';
import type { Services } from './context.ts';
import { connect } from './db/connect.ts';
import { shareCommits } from './db/group-commit.ts';
import { migrateLatest } from './db/migrations/index.ts';
import { retryTransactions } from './db/retry.ts';
import { watchDefinitionWrites } from './definitions/current.ts';
import { type DemoCicd, type DemoCicdOptions, startDemoCicdFor } from './demo/cicd.ts';
import type { HistoryOptions } from './demo/history.ts';
import { JobRunner } from './engine/runner.ts';
import { createLogger } from './log.ts';
import { installPlugins, type PluginReport } from './plugins/installer.ts';
import { engineHooks } from './records/service.ts';
import { Scheduler } from './schedules/scheduler.ts';
import { prepareSecrets } from './secrets/store.ts';
import { SlaChecker } from './sla/checker.ts';

export interface Running {
  services: Services;
  server: Server;
  url: string;
  plugins: PluginReport[];
  runner: JobRunner;
  scheduler: Scheduler;
  slaChecker: SlaChecker;
  /** The demo's CI/CD stand-in (demo/cicd.ts), when the demo started one. */
  demoCicd: DemoCicd | null;
  stop(): Promise<void>;
}

export interface StartOptions {
  /** Demo groups and users. */
  demo?: boolean;
  /** A few demo requests on an empty database (the README's start command). */
  demoRecords?: boolean;
  /**
   * With `demoRecords`: about ninety days of past tickets first (demo/history.ts); its size,
   * span and seed, or false for none.
   */
  demoHistory?: HistoryOptions | false;
  /** Where first-start secrets are shown; the console by default. */
  print?: (line: string) => void;
  /** Human-readable logs (the CLI turns it on when stdout is a terminal). */
  prettyLogs?: boolean;
  /** Where log lines go instead of stdout (tests read them). */
  logDestination?: DestinationStream;
  /** Run due jobs (timers, calls, notifications); off only for tests that drive the runner by hand. */
  jobs?: boolean;
  /** With `demo`: the CI/CD stand-in's options, or false for none (started only when CICD_URL is unset). */
  demoCicd?: DemoCicdOptions | false;
}

/** Opens the database, migrates it, ensures an admin, installs plugins, then listens. */
export async function startServer(config: Config, opts: StartOptions = {}): Promise<Running> {
  const log = createLogger(config.logLevel, opts.prettyLogs ?? false, opts.logDestination);
  const print = opts.print ?? ((line: string) => process.stdout.write(`${line}\n`));
  const db = connect(config.databaseUrl);
  const services: Services = { config, db, log, wake: () => {} };
  try {
    const applied = await migrateLatest(db);
    if (applied.length) log.info({ applied }, 'migrations applied');
    shareCommits(db);
    retryTransactions(db, log);
    watchDefinitionWrites(db);
    await ensureAdmin(services, print);
    await ensureSystemUser(services);
    await prepareSecrets(services, print);
    if (opts.demo) await ensureDemoData(services, print);
    const plugins = await installPlugins(services, config.pluginsDir);
    if (opts.demoRecords)
      await ensureDemoRecords(services, print, {
        history: opts.demoHistory === false ? false : (opts.demoHistory ?? {}),
      });
    const app = createApp(services);
    const server = app.listen(config.port, config.host);
    await new Promise<void>((resolve, reject) => {
      server.once('listening', resolve);
      server.once('error', reject);
    });
    // Keep-alive longer than typical load-balancer idle timeouts avoids spurious 502s.
    server.keepAliveTimeout = 65_000;
    const { port } = server.address() as AddressInfo;
    const url = `http://${config.host === '0.0.0.0' ? '127.0.0.1' : config.host}:${port}`;
    if (!config.publicUrl) config.publicUrl = url;
    // The demo's CI/CD stand-in, before the runner makes the release flow's first call.
    const demoCicd = opts.demo ? await startDemoCicdFor(config, log, print, opts.demoCicd) : null;
    const runner = new JobRunner(services, engineHooks, config.jobPollMs);
    services.wake = () => runner.wake();
    const scheduler = new Scheduler(services, config.scheduleRefreshMs);
    const slaChecker = new SlaChecker(services, engineHooks, config.slaCheckMs);
    if (opts.jobs !== false) {
      runner.start();
      slaChecker.start();
      await scheduler.start();
    }
    log.info({ url, database: config.databaseUrl.split('://')[0] }, 'Opsloom listening');
    return {
      services,
      server,
      url,
      plugins,
      runner,
      scheduler,
      slaChecker,
      demoCicd,
      async stop() {
        await scheduler.stop();
        await slaChecker.stop();
        await runner.stop();
        await demoCicd?.close();
        await new Promise<void>((resolve) => server.close(() => resolve()));
        server.closeAllConnections();
        await db.destroy();
      },
    };
  } catch (err) {
    await db.destroy();
    throw err;
  }
}
