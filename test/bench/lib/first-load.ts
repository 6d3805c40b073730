import path from 'node:path';
import type { BrowserContext, Page } from 'playwright-core';
import { round } from './common.ts';

export interface FirstLoad {
  /** Bytes of script responses as transferred (gzip where served gzipped). */
  bytes: number;
  /** One line per script: file, size, content encoding. */
  files: string[];
  /** Milliseconds from navigation until `shown` resolved. */
  shownMs: number;
}

/**
 * JavaScript transferred before a page is usable: CDP network events of a cold-cache load of
 * `url`, counting every script response that finished before `shown()` resolves. The CDP
 * session is detached afterwards.
 */
export async function measureFirstLoad(
  context: BrowserContext,
  page: Page,
  url: string,
  shown: () => Promise<unknown>,
): Promise<FirstLoad> {
  const cdp = await context.newCDPSession(page);
  await cdp.send('Network.enable');
  await cdp.send('Network.setCacheDisabled', { cacheDisabled: true });
  const scripts = new Map<string, { url: string; encoding: string }>();
  const finished = new Map<string, number>();
  cdp.on('Network.responseReceived', (e) => {
    if (e.type === 'Script')
      scripts.set(e.requestId, {
        url: e.response.url,
        encoding: String(
          e.response.headers['Content-Encoding'] ?? e.response.headers['content-encoding'] ?? '',
        ),
      });
  });
  cdp.on('Network.loadingFinished', (e) => finished.set(e.requestId, e.encodedDataLength));
  const started = performance.now();
  await page.goto(url);
  await shown();
  const shownMs = performance.now() - started;
  // Later measurements on the same page run with the cache back on and no listeners.
  await cdp.send('Network.setCacheDisabled', { cacheDisabled: false });
  await cdp.detach();
  let bytes = 0;
  const files: string[] = [];
  for (const [id, s] of scripts) {
    const size = finished.get(id);
    if (size === undefined) continue;
    bytes += size;
    files.push(
      `${path.basename(new URL(s.url).pathname)} ${round(size / 1024, 1)} KB ${s.encoding || 'identity'}`,
    );
  }
  return { bytes, files, shownMs };
}
