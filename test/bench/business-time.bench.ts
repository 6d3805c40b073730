// Business-time arithmetic in process, on the shipped cal-cn-2026 calendar (5×8 with a lunch break,
// the 2026 public holidays and 调休 make-up days, Asia/Shanghai): "add business time" from random
// instants across 2026 with random amounts from 1 minute to 10 days (24-hour days, so up to 30
// working days, crossing into 2027 near the year end), and "business time between" two random
// instants of 2026. The calendar is compiled once beforehand, as the SLA engine keeps it; the cost
// of compiling a year is reported separately. Prints business_time_ops_per_s (add),
// business_time_between_ops_per_s and business_time_year_compile_ms. See README.md.
import fs from 'node:fs';
import type { CalendarDefinition } from '@opsloom/spec';
import { addBusinessMs, businessMsBetween, compileCalendar } from '../../runtime/src/time/index.ts';
import { machine, note, round } from './lib/common.ts';

const SECONDS = Number(process.env.BENCH_SECONDS || 3);
const WARMUP_SECONDS = Number(process.env.BENCH_WARMUP_SECONDS || 1);
const N = 1 << 20;
const MIN = 60_000;

const def = JSON.parse(
  fs.readFileSync(
    new URL('../../plugins/itil-calendars/calendars/cal-cn-2026.json', import.meta.url),
    'utf8',
  ),
) as CalendarDefinition;

function figure(metric: string, value: number, extra: Record<string, unknown> = {}): void {
  process.stdout.write(`${JSON.stringify({ bench: 'business-time', metric, value, ...extra })}\n`);
}

// A deterministic generator so runs are comparable (mulberry32).
let seed = 0x2026;
const random = () => {
  seed = (seed + 0x6d2b79f5) | 0;
  let t = seed;
  t = Math.imul(t ^ (t >>> 15), t | 1);
  t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
};

const yearStart = Date.parse('2026-01-01T00:00:00+08:00');
const yearEnd = Date.parse('2027-01-01T00:00:00+08:00');
const starts = new Float64Array(N);
const amounts = new Float64Array(N);
const ends = new Float64Array(N);
for (let i = 0; i < N; i++) {
  starts[i] = Math.floor(yearStart + random() * (yearEnd - yearStart));
  amounts[i] = Math.round(1 + random() * (10 * 1440 - 1)) * MIN;
  ends[i] = Math.floor(yearStart + random() * (yearEnd - yearStart));
}

// Cold: compiling 2026 (and the zone's offsets) happens on first use.
let t0 = performance.now();
const cal = compileCalendar(def);
addBusinessMs(cal, starts[0]!, MIN);
const firstYearMs = performance.now() - t0;
t0 = performance.now();
addBusinessMs(cal, Date.parse('2030-06-01T00:00:00Z'), MIN);
const warmZoneYearMs = performance.now() - t0;

/** Runs `op` over the prepared inputs for `seconds`; returns operations per second. */
function measure(seconds: number, op: (i: number) => number): number {
  let ops = 0;
  let sink = 0;
  const start = performance.now();
  const deadline = start + seconds * 1000;
  let now = start;
  while (now < deadline) {
    for (let i = 0; i < 65_536; i++) sink += op((ops + i) & (N - 1));
    ops += 65_536;
    now = performance.now();
  }
  if (sink === Number.NEGATIVE_INFINITY) note('unreachable');
  return ops / ((now - start) / 1000);
}

const add = (i: number) => addBusinessMs(cal, starts[i]!, amounts[i]!);
const between = (i: number) => businessMsBetween(cal, starts[i]!, ends[i]!);
measure(WARMUP_SECONDS, add);
measure(WARMUP_SECONDS, between);
const addOps = measure(SECONDS, add);
const betweenOps = measure(SECONDS, between);

note(`[business-time] ${machine()}`);
note(
  `[business-time] cal-cn-2026: add ${round(addOps).toLocaleString('en')} ops/s, ` +
    `between ${round(betweenOps).toLocaleString('en')} ops/s (${SECONDS} s each, ${N.toLocaleString('en')} random inputs)`,
);
note(
  `[business-time] first use of a year: ${round(firstYearMs, 1)} ms cold (zone offsets + intervals), ` +
    `${round(warmZoneYearMs, 1)} ms for another year`,
);
figure('business_time_ops_per_s', round(addOps), { calendar: 'cal-cn-2026', op: 'add' });
figure('business_time_between_ops_per_s', round(betweenOps), { calendar: 'cal-cn-2026', op: 'between' });
figure('business_time_year_compile_ms', round(firstYearMs, 1), { calendar: 'cal-cn-2026', cold: true });
