import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

// The runtime serves designer/dist at /designer (SPA fallback). In development, `pnpm dev`
// proxies the API to a runtime on OPSLOOM_URL (default http://127.0.0.1:3000).
export default defineConfig({
  base: '/designer/',
  plugins: [react()],
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    chunkSizeWarningLimit: 4000,
  },
  server: {
    proxy: {
      '/api': process.env.OPSLOOM_URL ?? 'http://127.0.0.1:3000',
      '/portal': process.env.OPSLOOM_URL ?? 'http://127.0.0.1:3000',
    },
  },
});
