/** Every REST route is under this prefix... */
export const API_PREFIX = 'api/v1';
/** ...except these, served at the root for probes, scrapers and people (given to setGlobalPrefix's exclude). */
export const UNPREFIXED_PATHS = ['healthz', 'readyz', 'metrics', 'api/docs', 'api/docs/openapi.json', 'api/docs/:file'];
