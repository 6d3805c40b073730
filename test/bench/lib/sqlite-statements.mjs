// Times every SQLite statement a process runs, by its text, and writes the totals when the
// process exits: which statements a request's database time goes to. Load it into a benchmark:
//   NODE_OPTIONS="--import ./test/bench/lib/sqlite-statements.mjs" BENCH_DBS=sqlite pnpm bench create
// and read STATEMENTS_OUT (default /tmp/sqlite-statements.txt). Every Node process started
// meanwhile loads it; only one that ran statements writes the file.
import fs from 'node:fs';
import { createRequire } from 'node:module';

const require = createRequire(new URL('../../../runtime/package.json', import.meta.url));
const Database = require('better-sqlite3');
const probe = new Database(':memory:');
const Statement = Object.getPrototypeOf(probe.prepare('select 1'));
probe.close();

const totals = new Map();
for (const method of ['run', 'all', 'get']) {
  const original = Statement[method];
  Statement[method] = function timed(...args) {
    const start = process.hrtime.bigint();
    try {
      return original.apply(this, args);
    } finally {
      const key = this.source.slice(0, 100);
      const t = totals.get(key) ?? totals.set(key, { n: 0, ns: 0 }).get(key);
      t.n++;
      t.ns += Number(process.hrtime.bigint() - start);
    }
  };
}

process.on('exit', () => {
  if (!totals.size) return;
  const lines = [...totals]
    .sort((a, b) => b[1].ns - a[1].ns)
    .slice(0, 60)
    .map(
      ([sql, t]) =>
        `${(t.ns / 1e6).toFixed(0).padStart(7)} ms ${String(t.n).padStart(8)} × ${(t.ns / t.n / 1000).toFixed(1).padStart(6)} µs  ${sql}`,
    );
  fs.writeFileSync(process.env.STATEMENTS_OUT || '/tmp/sqlite-statements.txt', `${lines.join('\n')}\n`);
});
