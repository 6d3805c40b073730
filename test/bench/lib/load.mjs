#!/usr/bin/env node
// The load generator of the HTTP benchmarks, run as its own process so it does not share an
// event loop with the server under test (it still shares the machine's cores with it).
// Usage: node load.mjs '<json autocannon options>'  → prints one JSON summary line on stdout.
import autocannon from 'autocannon';

const opts = JSON.parse(process.argv[2]);
const result = await autocannon({ ...opts, renderProgressBar: false, renderResultsTable: false });
const statusCodes = Object.fromEntries(
  Object.entries(result.statusCodeStats ?? {}).map(([code, s]) => [code, s.count]),
);
process.stdout.write(
  `${JSON.stringify({
    ok: result['2xx'],
    non2xx: result.non2xx,
    errors: result.errors,
    timeouts: result.timeouts,
    statusCodes,
    duration: result.duration,
    p50: result.latency.p50,
    p99: result.latency.p99,
    mean: result.latency.average,
  })}\n`,
);
