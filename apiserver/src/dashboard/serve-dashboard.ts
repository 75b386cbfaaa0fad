import type { LoggerService } from '@nestjs/common';
import type { FastifyInstance } from 'fastify';
import fastifyStatic from '@fastify/static';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';

/** Where the built dashboard is: CRONFLEET_DASHBOARD_DIR, else the @cronfleet/dashboard package's dist/. */
export function dashboardDir(env: NodeJS.ProcessEnv = process.env): string | null {
  if (env.CRONFLEET_DASHBOARD_DIR) return env.CRONFLEET_DASHBOARD_DIR;
  try {
    return join(dirname(require.resolve('@cronfleet/dashboard/package.json')), 'dist');
  } catch {
    return null;
  }
}

/**
 * The page's own policy: scripts, styles and requests from this origin only (the dashboard is
 * bundled, nothing comes from elsewhere); no framing.
 */
const CSP = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'";

/**
 * Serves the dashboard's static files at `/` (@fastify/static: ETags, ranges, no directory listing).
 * One route per file of the build, found when the server starts, so API requests never touch the
 * file system. Vite's hashed `assets/` are cached for a year; index.html is always revalidated so a
 * new build shows up at once. Routes are in the URL hash, so no fallback is needed.
 */
export async function serveDashboard(fastify: FastifyInstance, logger: LoggerService, dir = dashboardDir()): Promise<void> {
  const index = dir ? join(dir, 'index.html') : null;
  if (!dir || !index || !existsSync(index)) {
    logger.warn?.(`dashboard: not built (no ${index ?? '@cronfleet/dashboard package'}); run \`npm run build\` to serve it at /`, 'Dashboard');
    fastify.get('/', (_req, reply) =>
      reply.code(404).type('text/plain; charset=utf-8').send('The Cronfleet dashboard is not built: run `npm run build`. The REST API is under /api/v1 and its docs at /api/docs.\n'),
    );
    return;
  }
  await fastify.register(fastifyStatic, {
    root: dir,
    prefix: '/',
    index: 'index.html',
    wildcard: false,
    redirect: false,
    list: false,
    // Only the headers set below: its default (public, max-age=0) would replace index.html's no-cache.
    cacheControl: false,
    setHeaders: (res, path) => {
      if (path.endsWith('index.html')) {
        res.setHeader('Cache-Control', 'no-cache');
        res.setHeader('Content-Security-Policy', CSP);
        res.setHeader('X-Content-Type-Options', 'nosniff');
      } else if (path.includes('/assets/')) res.setHeader('Cache-Control', 'public, max-age=31536000, immutable');
    },
  });
}
