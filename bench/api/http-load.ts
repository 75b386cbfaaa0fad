// Closed-loop HTTP load with autocannon: C keep-alive connections, each sending its next request
// as soon as the previous one is answered, for a number of seconds.
import autocannon from 'autocannon';
import { percentile, sortedCopy } from '../dispatch/stats';

/** One window of load against one thing, from the load generator's side. */
export interface LoadSample {
  /** Successful operations: 2xx answers, or resolved BullMQ calls. */
  ok: number;
  /** Items those carried: tasks with a `taskId` in a batch answer, jobs in an addBulk; = ok otherwise. */
  items: number;
  /** Answers that were not 2xx, connection errors, failed calls, and batch items answered with an error. */
  errors: number;
  firstError: string | null;
  wallMs: number;
  /** Latency of the successful operations, ms. */
  p50: number;
  p99: number;
}

export interface HttpRequestSpec {
  method: 'GET' | 'POST';
  path: string;
  headers: Record<string, string>;
  /** The body of each request; a function for bodies that must differ (unique names). */
  body?: string | (() => string);
  /** Count the items of a batch answer (`taskId`s and `error`s) instead of one per 2xx. */
  countItems?: boolean;
}

export async function httpLoad(baseUrl: string, spec: HttpRequestSpec, connections: number, seconds: number): Promise<LoadSample> {
  const latencies: number[] = [];
  let items = 0;
  let itemErrors = 0;
  let firstError: string | null = null;
  const makeBody = spec.body;
  const request: autocannon.Request = {
    method: spec.method,
    path: spec.path,
    headers: spec.headers,
    body: typeof makeBody === 'string' ? makeBody : undefined,
    onResponse: (status, body) => {
      if (status < 200 || status > 299) {
        firstError ??= `${status} ${body.slice(0, 200)}`;
        return;
      }
      if (!spec.countItems) return;
      items += body.match(/"taskId"/g)?.length ?? 0;
      const bad = body.match(/"error"/g)?.length ?? 0;
      itemErrors += bad;
      if (bad > 0) firstError ??= `item error in a ${status} answer: ${body.slice(0, 200)}`;
    },
  };
  if (typeof makeBody === 'function') request.setupRequest = (req) => ({ ...req, body: makeBody() });
  const started = performance.now();
  const instance = autocannon({ url: baseUrl, connections, duration: seconds, timeout: 30, requests: [request] });
  instance.on('response', (_client: unknown, status: number, _bytes: number, ms: number) => {
    if (status >= 200 && status <= 299) latencies.push(ms);
  });
  instance.on('reqError', (e: Error) => {
    firstError ??= e.message;
  });
  const result = await instance;
  const wallMs = performance.now() - started;
  const sorted = sortedCopy(latencies);
  return {
    ok: latencies.length,
    items: spec.countItems ? items : latencies.length,
    errors: result.non2xx + result.errors + itemErrors,
    firstError,
    wallMs,
    p50: percentile(sorted, 50),
    p99: percentile(sorted, 99),
  };
}
