import { API_PREFIX, fullPath, type RouteContract } from '@cronfleet/shared/api';
import { CronfleetApiError } from './cronfleet-api-error';

/** The part of a route a URL is made from. */
export type RoutePath = Pick<RouteContract, 'path' | 'unprefixed'>;

/** A query value: arrays are sent as one comma list, Dates as ISO-8601, null and undefined left out. */
export type QueryValue = string | number | boolean | Date | null | undefined | readonly (string | number | boolean)[];

/**
 * The server's root from what a user gives: `http://host:8080`, `http://host:8080/` and
 * `http://host:8080/api/v1` are all `http://host:8080`; a path prefix of a reverse proxy
 * (`https://host/cronfleet`) is kept. `''` (or `'/'`) is the page's own origin, for a browser app
 * served by the server itself.
 */
export function normaliseBaseUrl(baseUrl: string): string {
  const trimmed = baseUrl.trim().replace(/\/+$/, '');
  const root = trimmed.endsWith(API_PREFIX) ? trimmed.slice(0, -API_PREFIX.length) : trimmed;
  if (root === '' || root.startsWith('/')) return root;
  let url: URL;
  try {
    url = new URL(root);
  } catch {
    throw new CronfleetApiError({ status: null, code: 'InvalidInput', message: `baseUrl '${baseUrl}' is not a URL such as http://localhost:8080`, retryable: false });
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new CronfleetApiError({ status: null, code: 'InvalidInput', message: `baseUrl '${baseUrl}' must be an http:// or https:// URL`, retryable: false });
  }
  return `${url.origin}${url.pathname.replace(/\/+$/, '')}`;
}

/**
 * A route's path with its `:name` parameters filled in, each URL-encoded (`/tasks/:id` with
 * `{ id: 7 }` is `/tasks/7`; `a/b` becomes `a%2Fb`). `params` may also be the one value of a
 * route with a single parameter. A parameter missing is an `InvalidInput` error.
 */
export function fillPath(route: RoutePath, params: unknown): string {
  const names = [...route.path.matchAll(/:([A-Za-z_][A-Za-z0-9_]*)/g)].map((m) => m[1]);
  const values: Record<string, unknown> =
    typeof params === 'object' && params !== null ? (params as Record<string, unknown>) : names.length === 1 && params !== undefined ? { [names[0]]: params } : {};
  return fullPath(route).replace(/:([A-Za-z_][A-Za-z0-9_]*)/g, (_, name: string) => {
    const v = values[name];
    if (v === undefined || v === null || v === '') {
      throw new CronfleetApiError({ status: null, code: 'InvalidInput', field: `params.${name}`, message: `params.${name}: required by ${route.path}`, retryable: false });
    }
    return encodeURIComponent(String(v));
  });
}

/**
 * A query string (with its `?`, or `''` when empty). The server's query schemas read a list as one
 * comma-separated value (`ids=1,2,3` of `GET /cronjobs/timeline`, `type=task.,worker.online` of the
 * live events), never as a repeated key: arrays are joined with commas.
 */
export function queryString(query: unknown): string {
  if (query === undefined || query === null) return '';
  const qs = new URLSearchParams();
  for (const [key, value] of Object.entries(query as Record<string, QueryValue>)) {
    if (value === undefined || value === null) continue;
    if (Array.isArray(value)) {
      if (value.length) qs.set(key, value.map(String).join(','));
    } else if (value instanceof Date) qs.set(key, value.toISOString());
    else qs.set(key, String(value));
  }
  const text = qs.toString();
  return text ? `?${text}` : '';
}

/** The full URL of a call: the server's root, the route's filled path, the query. */
export function routeUrl(root: string, route: RoutePath, params: unknown, query: unknown): string {
  return `${root}${fillPath(route, params)}${queryString(query)}`;
}
