#!/usr/bin/env node
// A three-node MariaDB Galera cluster on loopback, from Debian's mariadb-server and galera-4
// packages, for the reliability suites and `pnpm test:galera`.
//
//   node test/galera/cluster.mjs start   # prints the node URLs; data in a temporary folder
//   node test/galera/cluster.mjs stop    # stops the nodes, removes the folder
//   node test/galera/cluster.mjs status
//   node test/galera/cluster.mjs node-stop N | node-start N   # a node leaving and rejoining
//
// Nodes listen on 127.0.0.1:3311-3313 (SQL), 4567/4577/4587 (group communication), +1 for IST and
// +2 for SST (rsync). The state (folder, pids) is kept in $OPSLOOM_GALERA_STATE or
// /tmp/opsloom-galera.json, so any process can stop what another started.
import { execFileSync, spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const STATE = process.env.OPSLOOM_GALERA_STATE ?? path.join(os.tmpdir(), 'opsloom-galera.json');
const NODES = [1, 2, 3].map((n) => ({ n, port: 3310 + n, gport: 4557 + 10 * n }));
const CLUSTER = `gcomm://${NODES.map((x) => `127.0.0.1:${x.gport}`).join(',')}`;
const PROVIDER = '/usr/lib/galera/libgalera_smm.so';
const DATABASE = 'test';

export const nodeUrl = (n) => `mysql://root@127.0.0.1:${3310 + n}/${DATABASE}`;

const readState = () => (fs.existsSync(STATE) ? JSON.parse(fs.readFileSync(STATE, 'utf8')) : null);
const writeState = (s) => fs.writeFileSync(STATE, JSON.stringify(s, null, 2));
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

function sql(node, query) {
  return execFileSync(
    'mariadb',
    ['--protocol=tcp', '-h', '127.0.0.1', '-P', String(node.port), '-u', 'root', '-N', '-B', '-e', query],
    { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] },
  ).trim();
}

/** The settings Galera needs (docs/ARCHITECTURE.md "Running on a cluster" says why). */
function config(dir, node) {
  const d = path.join(dir, `node${node.n}`);
  return `[mariadbd]
datadir=${d}/data
socket=${d}/mysqld.sock
pid-file=${d}/mysqld.pid
log-error=${d}/error.log
port=${node.port}
bind-address=127.0.0.1
user=mysql
skip-name-resolve
character-set-server=utf8mb4
collation-server=utf8mb4_bin
innodb_buffer_pool_size=64M
innodb_log_file_size=32M
innodb_flush_log_at_trx_commit=2
max_connections=300
binlog_format=ROW
default_storage_engine=InnoDB
innodb_autoinc_lock_mode=2
wsrep_on=ON
wsrep_provider=${PROVIDER}
wsrep_cluster_name=opsloom_test
wsrep_cluster_address=${CLUSTER}
wsrep_node_name=node${node.n}
wsrep_node_address=127.0.0.1:${node.gport}
wsrep_provider_options="base_port=${node.gport};ist.recv_addr=127.0.0.1:${node.gport + 1};gcache.size=64M"
wsrep_sst_receive_address=127.0.0.1:${node.gport + 2}
wsrep_sst_method=rsync
wsrep_slave_threads=2
`;
}

function launch(dir, node, bootstrap) {
  const cnf = path.join(dir, `node${node.n}`, 'my.cnf');
  const args = [`--defaults-file=${cnf}`, ...(bootstrap ? ['--wsrep-new-cluster'] : [])];
  const child = spawn('/usr/sbin/mariadbd', args, { detached: true, stdio: 'ignore' });
  child.unref();
  return child.pid;
}

async function waitReady(node, wantSize, timeoutMs = 120_000) {
  const until = Date.now() + timeoutMs;
  let last = '';
  while (Date.now() < until) {
    try {
      const size = Number(sql(node, "SHOW STATUS LIKE 'wsrep_cluster_size'").split(/\s+/)[1]);
      const ready = sql(node, "SHOW STATUS LIKE 'wsrep_ready'").split(/\s+/)[1];
      if (ready === 'ON' && size >= wantSize) return;
      last = `size ${size}, ready ${ready}`;
    } catch (err) {
      last = String(err.stderr ?? err.message).split('\n')[0];
    }
    await sleep(500);
  }
  throw new Error(`node ${node.n} not ready after ${timeoutMs} ms (${last})`);
}

async function start() {
  if (readState()) {
    console.error(`a cluster is already recorded in ${STATE}; run "stop" first`);
    process.exit(1);
  }
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'opsloom-galera-'));
  fs.chmodSync(dir, 0o755);
  for (const node of NODES) {
    const d = path.join(dir, `node${node.n}`);
    fs.mkdirSync(path.join(d, 'data'), { recursive: true });
    fs.writeFileSync(path.join(d, 'my.cnf'), config(dir, node));
  }
  // Only the first node gets system tables; the others receive everything by SST when they join.
  execFileSync(
    'mariadb-install-db',
    [
      `--defaults-file=${path.join(dir, 'node1', 'my.cnf')}`,
      '--auth-root-authentication-method=normal',
      '--skip-test-db',
    ],
    { stdio: 'ignore' },
  );
  execFileSync('chown', ['-R', 'mysql:mysql', dir]);
  const state = { dir, pids: {} };
  state.pids[1] = launch(dir, NODES[0], true);
  writeState(state);
  await waitReady(NODES[0], 1);
  sql(NODES[0], `CREATE DATABASE IF NOT EXISTS ${DATABASE} CHARACTER SET utf8mb4 COLLATE utf8mb4_bin`);
  for (const node of NODES.slice(1)) {
    state.pids[node.n] = launch(dir, node, false);
    writeState(state);
    await waitReady(node, node.n);
  }
  for (const node of NODES) console.log(nodeUrl(node.n));
}

function pidOf(state, n) {
  const file = path.join(state.dir, `node${n}`, 'mysqld.pid');
  return fs.existsSync(file) ? Number(fs.readFileSync(file, 'utf8').trim()) : state.pids[n];
}

/** Whether `pid` is a mariadbd of this cluster (a stale state file may name a reused pid). */
function isOurs(state, pid) {
  try {
    const cmd = fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8');
    return cmd.includes('mariadbd') && cmd.includes(state.dir);
  } catch {
    return false;
  }
}

async function stopNode(state, n, removeState = false) {
  const pid = pidOf(state, n);
  if (!pid || !isOurs(state, pid)) return;
  try {
    process.kill(pid, 'SIGTERM');
  } catch {
    return; // not running
  }
  for (let i = 0; i < 120; i++) {
    try {
      process.kill(pid, 0);
      await sleep(500);
    } catch {
      return;
    }
  }
  process.kill(pid, 'SIGKILL');
  if (removeState) delete state.pids[n];
}

async function stop() {
  const state = readState();
  if (!state) return;
  // The last node to leave is the one a restart would bootstrap from; order does not matter here.
  for (const node of [...NODES].reverse()) await stopNode(state, node.n);
  fs.rmSync(state.dir, { recursive: true, force: true });
  fs.rmSync(STATE, { force: true });
}

async function main() {
  const [cmd, arg] = process.argv.slice(2);
  if (cmd === 'start') await start();
  else if (cmd === 'stop') await stop();
  else if (cmd === 'status') {
    const state = readState();
    if (!state) return console.log('no cluster');
    for (const node of NODES) {
      try {
        console.log(`node${node.n}`, sql(node, "SHOW STATUS LIKE 'wsrep_cluster_size'"));
      } catch {
        console.log(`node${node.n} down`);
      }
    }
  } else if (cmd === 'node-stop') await stopNode(readState(), Number(arg));
  else if (cmd === 'node-start') {
    const state = readState();
    const node = NODES[Number(arg) - 1];
    state.pids[node.n] = launch(state.dir, node, false);
    writeState(state);
    await waitReady(node, 2);
  } else {
    console.error('usage: cluster.mjs start | stop | status | node-stop N | node-start N');
    process.exit(2);
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  main().catch((err) => {
    console.error(err.message);
    process.exit(1);
  });
}
