import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

// The API server serves dist/ at `/` (apiserver/src/dashboard/serve-dashboard.ts). `npm run dev -w dashboard`
// serves the sources with hot reload and forwards API calls to a server on CRONFLEET_URL (default :8080).
const api = process.env.CRONFLEET_URL ?? 'http://127.0.0.1:8080';

export default defineConfig({
  plugins: [react()],
  build: { outDir: 'dist', emptyOutDir: true, sourcemap: true, chunkSizeWarningLimit: 400 },
  server: { proxy: { '/api': api, '/readyz': api, '/healthz': api, '/metrics': api } },
});
