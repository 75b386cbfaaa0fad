import react from '@vitejs/plugin-react';
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

// The API server serves dist/ at `/` (apiserver/src/dashboard/serve-dashboard.ts). `npm run dev -w dashboard`
// serves the sources with hot reload and forwards API calls to a server on CRONFLEET_URL (default :8080).
const api = process.env.CRONFLEET_URL ?? 'http://127.0.0.1:8080';
const source = (path: string) => fileURLToPath(new URL(path, import.meta.url));

export default defineConfig({
  plugins: [react()],
  resolve: {
    // @cronfleet/client and @cronfleet/shared/api are bundled from their TypeScript sources (ES modules),
    // not their CommonJS dist/: Rolldown then leaves out what the pages never reach (zod's 64 locales
    // alone would add 220 kB), and `npm run dev` reloads on a change to either. The type check (tsc)
    // reads their built declarations, as every other user of the packages does.
    alias: [
      { find: /^@cronfleet\/client$/, replacement: source('../client/src/index.ts') },
      { find: /^@cronfleet\/shared\/api$/, replacement: source('../shared/src/api/index.ts') },
    ],
  },
  // 500 kB with the client and the contract's schemas (zod among them); a warning past 520 kB.
  build: { outDir: 'dist', emptyOutDir: true, sourcemap: true, chunkSizeWarningLimit: 520 },
  server: { proxy: { '/api': api, '/readyz': api, '/healthz': api, '/metrics': api } },
});
