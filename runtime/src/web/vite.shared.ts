import path from 'node:path';
import { fileURLToPath } from 'node:url';
import react from '@vitejs/plugin-react';
import type { UserConfig } from 'vite';

const here = path.dirname(fileURLToPath(import.meta.url));

/**
 * One Vite configuration per web app (portal, workspace, bigscreen), each built into
 * runtime/dist/<app> and served by the runtime at /<app> (runtime/src/http/static.ts).
 * `pnpm dev` proxies the API.
 */
export function webAppConfig(app: 'portal' | 'workspace' | 'bigscreen'): UserConfig {
  return {
    root: path.join(here, app),
    base: `/${app}/`,
    plugins: [react()],
    build: {
      outDir: path.join(here, '../../dist', app),
      emptyOutDir: true,
      chunkSizeWarningLimit: 1500,
      reportCompressedSize: false,
    },
    server: { proxy: { '/api': process.env.OPSLOOM_API ?? 'http://127.0.0.1:3000' } },
  };
}
