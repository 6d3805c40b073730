import { randomBytes } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Logger } from 'pino';
import type { Config } from '../config.ts';
import { parseAllowList } from '../outbound/addresses.ts';

/**
 * The demo's CI/CD stand-in: NOT a CI/CD system. `opsloom serve --demo` (pnpm start) starts it on
 * loopback when no CI/CD endpoint is configured (OPSLOOM_VAR_CICD_URL), so the shipped release
 * flow can be walked from its request to UAT. It answers the flow's calls the way Git and a
 * pipeline would, and after a short delay reports back to the signed callback URL each call
 * carries:
 *
 *  - `POST /merge-requests {release, title, app, callback}` → 201 `{mr}`; then the merge request
 *    is approved and merged: `{result: {merged: true, mr}}` to `callback`.
 *  - `POST /deployments {release, app, env, callback}` → 202 `{pipeline, status: "queued"}`; then
 *    the pipeline's result: `{result: {status: "success" | "failed", pipeline, env, log}}`.
 *
 * What happens is chosen per application, by its name, so a demo can show every path:
 *  - a name with `fail` (e.g. `billing-fail`): every deployment fails;
 *  - a name with `flaky`: the first deployment of each release to each environment fails, a
 *    redeploy succeeds;
 *  - a name with `down` (e.g. `legacy-down`): the stand-in answers 503 to every call for it, so
 *    the call itself fails, is retried and gives up (the record shows why, admins may retry it);
 *  - any other name: success.
 */
export interface DemoCicd {
  /** Base URL the release flow's calls go to (`vars.CICD_URL`). */
  url: string;
  /** The calls received, newest last (tests read them). */
  calls: { path: string; body: Record<string, unknown> }[];
  close(): Promise<void>;
}

export interface DemoCicdOptions {
  /** How long a merge request or a pipeline "runs" before its callback is posted. */
  delayMs?: number;
  log?: Logger;
}

export type DemoOutcome = 'success' | 'failed' | 'unavailable';

/** What the stand-in does with a deployment of `app` (`attempt`: 1 for the first of its release and environment). */
export function demoOutcome(app: string, attempt: number): DemoOutcome {
  const name = app.toLowerCase();
  if (name.includes('down')) return 'unavailable';
  if (name.includes('fail')) return 'failed';
  if (name.includes('flaky')) return attempt === 1 ? 'failed' : 'success';
  return 'success';
}

export async function startDemoCicd(opts: DemoCicdOptions = {}): Promise<DemoCicd> {
  const delayMs = opts.delayMs ?? 1500;
  const calls: DemoCicd['calls'] = [];
  const attempts = new Map<string, number>();
  const timers = new Set<NodeJS.Timeout>();
  let seq = 0;
  // Callback ids are unique across starts: the runtime drops a callback whose id it saw before.
  const run = randomBytes(4).toString('hex');

  function later(callback: unknown, body: unknown): void {
    if (typeof callback !== 'string' || !callback) return;
    const timer = setTimeout(async () => {
      timers.delete(timer);
      try {
        const res = await fetch(callback, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify(body),
        });
        if (!res.ok)
          opts.log?.warn({ status: res.status, body: await res.text() }, 'demo CI/CD: callback refused');
      } catch (err) {
        opts.log?.warn({ err: (err as Error).message }, 'demo CI/CD: callback failed');
      }
    }, delayMs);
    timer.unref?.();
    timers.add(timer);
  }

  const reply = (res: http.ServerResponse, status: number, body: unknown) => {
    res.writeHead(status, { 'content-type': 'application/json' });
    res.end(JSON.stringify(body));
  };

  const server = http.createServer((req, res) => {
    let raw = '';
    req.setEncoding('utf8');
    req.on('data', (chunk: string) => {
      raw += chunk;
      if (raw.length > 100_000) req.destroy();
    });
    req.on('end', () => {
      let body: Record<string, unknown> = {};
      try {
        body = raw ? (JSON.parse(raw) as Record<string, unknown>) : {};
      } catch {
        return reply(res, 400, { error: 'body is not JSON' });
      }
      const path = (req.url ?? '/').split('?')[0]!;
      calls.push({ path, body });
      const app = String(body.app ?? '');
      if (req.method === 'GET' && path === '/')
        return reply(res, 200, {
          name: 'Opsloom demo CI/CD stand-in (not a CI/CD system)',
          rules: {
            fail: 'an application whose name has "fail": every deployment fails',
            flaky:
              'an application whose name has "flaky": the first deployment per release and environment fails',
            down: 'an application whose name has "down": every call for it is answered 503',
          },
        });
      if (req.method !== 'POST') return reply(res, 405, { error: 'POST only' });
      if (path === '/merge-requests' || path === '/deployments') {
        if (demoOutcome(app, 1) === 'unavailable')
          return reply(res, 503, { error: `demo CI/CD: the pipeline of ${app} is down` });
      }
      if (path === '/merge-requests') {
        const mr = `${app}!${++seq}`;
        reply(res, 201, { mr, status: 'opened' });
        later(body.callback, { id: `demo-${run}-mr-${seq}`, result: { merged: true, mr } });
        return;
      }
      if (path === '/deployments') {
        const key = `${body.release}/${body.env}/${app}`;
        const attempt = (attempts.get(key) ?? 0) + 1;
        attempts.set(key, attempt);
        const pipeline = ++seq;
        reply(res, 202, { pipeline, status: 'queued' });
        const ok = demoOutcome(app, attempt) === 'success';
        later(body.callback, {
          id: `demo-${run}-pipeline-${pipeline}`,
          result: {
            status: ok ? 'success' : 'failed',
            pipeline,
            env: body.env,
            log: ok
              ? `demo pipeline ${pipeline}: ${app} deployed to ${body.env}`
              : `demo pipeline ${pipeline}: ${app} failed its ${body.env} deployment (the demo fails this application)`,
          },
        });
        return;
      }
      reply(res, 404, { error: `demo CI/CD: no ${path}` });
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', resolve);
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    calls,
    async close() {
      for (const t of timers) clearTimeout(t);
      timers.clear();
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}

/**
 * The demo's wiring (server.ts, `demo` only): when no CI/CD endpoint is configured, start the
 * stand-in, point the flows' `vars.CICD_URL` at it and allow calls to loopback — which the
 * outbound policy refuses otherwise — for the demo alone. A configured endpoint is left alone.
 */
export async function startDemoCicdFor(
  config: Config,
  log: Logger,
  print: (line: string) => void,
  opts: DemoCicdOptions | false = {},
): Promise<DemoCicd | null> {
  if (opts === false || config.vars.CICD_URL) return null;
  const cicd = await startDemoCicd({ log, ...opts });
  config.vars.CICD_URL = cicd.url;
  const host = new URL(cicd.url).hostname;
  if (!config.outboundAllow.entries.includes(host))
    config.outboundAllow = parseAllowList([...config.outboundAllow.entries, host].join(','));
  print(
    `  Demo CI/CD stand-in at ${cicd.url} (releases: apps named *fail* fail, *flaky* fail once, *down* cannot be reached)`,
  );
  return cicd;
}
