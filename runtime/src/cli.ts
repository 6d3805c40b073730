import fs from 'node:fs/promises';
import path from 'node:path';
import { Command, InvalidArgumentError } from 'commander';
import { passwordWeakness } from './auth/password-policy.ts';
import { generatePassword } from './auth/passwords.ts';
import { loadConfig } from './config.ts';
import { ROLES, type Role } from './context.ts';
import { connect } from './db/connect.ts';
import { migrateLatest } from './db/migrations/index.ts';
import {
  BUNDLE_FORMAT,
  type Bundle,
  type BundleEntry,
  exportBundle,
  importBundle,
} from './definitions/bundle.ts';
import { canonicalJson } from './definitions/canonical.ts';
import { ApiError } from './http/errors.ts';
import { translate } from './i18n/translate.ts';
import { createUser } from './people/users.ts';
import { startServer } from './server.ts';

const out = (line: string) => process.stdout.write(`${line}\n`);

async function withDb<T>(fn: (db: ReturnType<typeof connect>) => Promise<T>, migrate = true): Promise<T> {
  const db = connect(loadConfig().databaseUrl);
  try {
    if (migrate) await migrateLatest(db);
    return await fn(db);
  } finally {
    await db.destroy();
  }
}

async function readJsonFiles(dir: string): Promise<string[]> {
  const found: string[] = [];
  for (const entry of await fs.readdir(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) found.push(...(await readJsonFiles(full)));
    else if (entry.name.endsWith('.json')) found.push(full);
  }
  return found.sort();
}

/** A bundle file, or a folder written by `export --dir` (one file per definition). */
async function readBundle(source: string): Promise<Bundle> {
  if ((await fs.stat(source)).isDirectory()) {
    const files = await readJsonFiles(source);
    const definitions = await Promise.all(
      files.map(async (f) => JSON.parse(await fs.readFile(f, 'utf8')) as BundleEntry),
    );
    return { format: BUNDLE_FORMAT, definitions };
  }
  return JSON.parse(await fs.readFile(source, 'utf8')) as Bundle;
}

const parseRoles = (value: string): Role[] => {
  const roles = value.split(',').map((r) => r.trim());
  const bad = roles.find((r) => !(ROLES as readonly string[]).includes(r));
  if (bad) throw new InvalidArgumentError(`unknown role "${bad}" (roles: ${ROLES.join(', ')})`);
  return roles as Role[];
};

const program = new Command('opsloom').description('Opsloom IT service management runtime');

program
  .command('serve')
  .description('migrate the database, install plugins and serve the API')
  .option('--demo', 'also create demo groups and users (password "opsloom-demo")')
  .action(async (opts: { demo?: boolean }) => {
    const demo = opts.demo || process.env.OPSLOOM_DEMO === '1';
    const running = await startServer(loadConfig(), {
      demo,
      demoRecords: demo,
      prettyLogs: process.stdout.isTTY === true && process.env.LOG_FORMAT !== 'json',
    });
    out(
      `Opsloom is running at ${running.url}  (API: ${running.url}/api/v1, health: ${running.url}/api/v1/health)`,
    );
    const shutdown = async () => {
      await running.stop();
      process.exit(0);
    };
    process.once('SIGINT', shutdown);
    process.once('SIGTERM', shutdown);
  });

program
  .command('migrate')
  .description('apply pending database migrations')
  .action(async () => {
    const applied = await withDb(migrateLatest, false);
    out(applied.length ? `applied: ${applied.join(', ')}` : 'database is up to date');
  });

program
  .command('create-user')
  .description('create a user; prints a generated password unless --password is given')
  .requiredOption('-u, --username <name>')
  .option('-r, --roles <roles>', `comma-separated: ${ROLES.join(', ')}`, parseRoles, ['user'] as Role[])
  .option('-n, --display-name <name>')
  .option('-e, --email <email>')
  .option('-g, --groups <keys>', 'comma-separated group keys', (v: string) => v.split(','))
  .option(
    '-p, --password <password>',
    'at least 8 characters and not easy to guess (prefer OPSLOOM_NEW_PASSWORD to keep it out of shell history)',
  )
  .action(
    async (opts: {
      username: string;
      roles: Role[];
      displayName?: string;
      email?: string;
      groups?: string[];
      password?: string;
    }) => {
      const password = opts.password ?? process.env.OPSLOOM_NEW_PASSWORD ?? generatePassword();
      if (password.length < 8) throw new InvalidArgumentError('password must have at least 8 characters');
      const weakness = passwordWeakness(password, [opts.username, opts.displayName, opts.email]);
      if (weakness)
        throw new InvalidArgumentError(translate('en', 'error.password_weak', { problem: weakness }));
      const user = await withDb((db) =>
        createUser(db, 'system:cli', {
          username: opts.username,
          displayName: opts.displayName,
          email: opts.email,
          roles: opts.roles,
          groups: opts.groups,
          password,
        }),
      );
      out(`created ${user.username} (${user.roles.join(', ')})`);
      if (!opts.password && !process.env.OPSLOOM_NEW_PASSWORD) out(`password: ${password}`);
    },
  );

program
  .command('export')
  .description(
    'export every definition with all versions: to stdout, a bundle file, or a folder of one file per definition',
  )
  .option('-o, --out <file>', 'write one bundle file')
  .option('-d, --dir <folder>', 'write <folder>/<kind>/<key>.json (git-friendly)')
  .action(async (opts: { out?: string; dir?: string }) => {
    const bundle = await withDb((db) => exportBundle(db));
    if (opts.dir) {
      for (const entry of bundle.definitions) {
        const file = path.join(opts.dir, entry.kind, `${entry.key}.json`);
        await fs.mkdir(path.dirname(file), { recursive: true });
        await fs.writeFile(file, canonicalJson(entry));
      }
      out(`exported ${bundle.definitions.length} definitions to ${opts.dir}`);
    } else if (opts.out) {
      await fs.writeFile(opts.out, canonicalJson(bundle));
      out(`exported ${bundle.definitions.length} definitions to ${opts.out}`);
    } else {
      process.stdout.write(canonicalJson(bundle));
    }
  });

program
  .command('import')
  .description('import a bundle file or an exported folder, all or nothing')
  .argument('<source>', 'bundle file or folder')
  .action(async (source: string) => {
    const bundle = await readBundle(source);
    const result = await withDb((db) => importBundle(db, 'system:cli', bundle));
    out(
      `created ${result.created.length}, updated ${result.updated.length}, unchanged ${result.unchanged.length}`,
    );
  });

export async function runCli(argv: string[]): Promise<void> {
  try {
    await program.parseAsync(argv);
  } catch (err) {
    const message =
      err instanceof ApiError
        ? translate('en', err.messageKey, err.params)
        : String((err as Error)?.message ?? err);
    process.stderr.write(`opsloom: ${message}\n`);
    if (err instanceof ApiError && err.details)
      process.stderr.write(`${JSON.stringify(err.details, null, 2)}\n`);
    process.exit(1);
  }
}
