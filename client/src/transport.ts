import type { RouteContract } from '@cronfleet/shared/api';
import { linkAbort, sleep } from './abortable';
import { CronfleetApiError, errorFromAnswer, errorWithoutAnswer, RETRYABLE_STATUSES } from './cronfleet-api-error';
import { normaliseBaseUrl, routeUrl } from './request-url';
import { backoffDelayMs, DEFAULT_RETRY, mayResendWithoutAnswer, parseRetryAfterMs, type RetryOptions } from './retry-policy';

/** How a client reaches the server. */
export interface ClientOptions {
  /** The server's root (`http://localhost:8080`; a trailing `/api/v1` is accepted), `''` for the page's own origin. */
  baseUrl: string;
  /** An API token sent as `Authorization: Bearer`, or a function read before each request (a browser session's). None: no header. */
  token?: string | (() => string | null | undefined);
  /** How long one try may take in ms, from sending to the whole answer read (for a stream: to its headers). Default 30,000. */
  timeoutMs?: number;
  /** Retries of 429, 503 and (where safe) unanswered requests; `false` tries once. Default {@link DEFAULT_RETRY}. */
  retry?: Partial<RetryOptions> | false;
  /** The fetch to use (a wrapped one, undici's with a proxy agent). Default the global fetch. */
  fetch?: typeof fetch;
}

/** Options of one call. */
export interface CallOptions {
  /** Ends the call (and any wait between tries) with an `Aborted` error. */
  signal?: AbortSignal;
  /**
   * Whether sending the request twice does no more than sending it once, for the retry of a request
   * that got no answer. Default: GET and HEAD yes; other methods only when the body carries an
   * `idempotencyKey` (see mayResendWithoutAnswer).
   */
  idempotent?: boolean;
  /** This call's try timeout in ms, instead of the client's. */
  timeoutMs?: number;
  /** This call's retries, instead of the client's. */
  retry?: Partial<RetryOptions> | false;
}

/** What a call gives a route: the input forms of its params, query and body. */
export interface CallInput {
  params?: unknown;
  query?: unknown;
  body?: unknown;
}

/** A success answer: its status (200 or 202 can differ in meaning), headers and read result. */
export interface Answer<T> {
  status: number;
  headers: Headers;
  result: T;
}

const DEFAULT_TIMEOUT_MS = 30_000;
const TIMEOUT = Symbol('timeout');

/** Sends requests for routes: URL, token, timeout, retries and reading the answer, for the calls and the streams. */
export class Transport {
  readonly root: string;
  private readonly timeoutMs: number;
  private readonly retry: RetryOptions | false;
  private readonly fetchFn: typeof fetch;

  constructor(private readonly options: ClientOptions) {
    this.root = normaliseBaseUrl(options.baseUrl);
    this.timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    this.retry = retryPolicy(options.retry, DEFAULT_RETRY);
    // Called unbound, a browser's fetch throws "Illegal invocation".
    this.fetchFn = options.fetch ?? ((input, init) => fetch(input, init));
  }

  /** The backoff used between stream reconnects: the client's retry delays, or the defaults when it does not retry. */
  get backoff(): Pick<RetryOptions, 'baseDelayMs' | 'maxDelayMs'> {
    return this.retry || DEFAULT_RETRY;
  }

  /** Calls `route` until it succeeds or fails for good; see {@link CallOptions}. */
  async send<T>(route: RouteContract, input: CallInput = {}, options: CallOptions = {}): Promise<Answer<T>> {
    const url = routeUrl(this.root, route, input.params, input.query);
    const policy = options.retry === undefined ? this.retry : retryPolicy(options.retry, this.retry || DEFAULT_RETRY);
    const resendable = mayResendWithoutAnswer(route.method, input.body, options.idempotent);
    for (let attempt = 0; ; attempt++) {
      let failure: CronfleetApiError;
      try {
        return await this.once<T>(route, url, input.body, options.signal, options.timeoutMs ?? this.timeoutMs);
      } catch (e) {
        failure = e as CronfleetApiError;
      }
      const delay = policy && attempt < policy.retries ? retryDelayMs(failure, attempt, policy, resendable) : null;
      if (delay === null) throw failure;
      await sleep(delay, options.signal);
    }
  }

  /**
   * Opens a long-lived GET (Server-Sent Events) under `connection` and returns the response once its
   * headers came: only that wait is bounded by the timeout, the stream lasts until it ends or
   * `connection` aborts. A refusal is thrown as the error the server answered.
   */
  async open(route: RouteContract, input: CallInput, headers: Record<string, string>, connection: AbortController): Promise<Response> {
    const url = routeUrl(this.root, route, input.params, input.query);
    const timer = setTimeout(() => connection.abort(TIMEOUT), this.timeoutMs);
    try {
      let res: Response;
      try {
        res = await this.fetchFn(url, { method: 'GET', headers: { ...this.headers('text/event-stream', false), ...headers }, signal: connection.signal });
      } catch (e) {
        const why = connection.signal.reason === TIMEOUT ? 'timeout' : connection.signal.aborted ? 'aborted' : 'network';
        throw errorWithoutAnswer(e, why, url, this.timeoutMs);
      }
      if (!res.ok) throw await this.refusal(res, url);
      if (!res.body || !(res.headers.get('content-type') ?? '').includes('text/event-stream')) {
        await res.body?.cancel().catch(() => undefined);
        throw new CronfleetApiError({ status: res.status, code: 'InvalidAnswer', message: `${url} answered ${res.status} without an event stream`, retryable: false });
      }
      return res;
    } finally {
      clearTimeout(timer);
    }
  }

  private async once<T>(route: RouteContract, url: string, body: unknown, signal: AbortSignal | undefined, timeoutMs: number): Promise<Answer<T>> {
    const ctl = new AbortController();
    const unlink = linkAbort(signal, ctl);
    const timer = setTimeout(() => ctl.abort(TIMEOUT), timeoutMs);
    const noAnswer = (e: unknown): CronfleetApiError =>
      errorWithoutAnswer(e, signal?.aborted ? 'aborted' : ctl.signal.reason === TIMEOUT ? 'timeout' : 'network', url, timeoutMs);
    try {
      let res: Response;
      let text: string;
      try {
        const init: RequestInit = { method: route.method, headers: this.headers(route.resultContentType ?? 'application/json', body !== undefined), signal: ctl.signal };
        if (body !== undefined) init.body = JSON.stringify(body);
        res = await this.fetchFn(url, init);
        if (!res.ok) throw await this.refusal(res, url);
        text = await res.text();
      } catch (e) {
        throw noAnswer(e);
      }
      return { status: res.status, headers: res.headers, result: readResult<T>(route, res, text, url) };
    } finally {
      clearTimeout(timer);
      unlink();
    }
  }

  private headers(accept: string, json: boolean): Record<string, string> {
    const token = typeof this.options.token === 'function' ? this.options.token() : this.options.token;
    const headers: Record<string, string> = { accept };
    if (token) headers.authorization = `Bearer ${token}`;
    if (json) headers['content-type'] = 'application/json';
    return headers;
  }

  /** The error of a non-2xx answer, its body read (a body that breaks off still gives the status's error). */
  private async refusal(res: Response, url: string): Promise<CronfleetApiError> {
    const text = await res.text().catch(() => '');
    const error = errorFromAnswer(res.status, res.headers.get('content-type'), text, parseRetryAfterMs(res.headers.get('retry-after'), Date.now()));
    return error.code === `Http${res.status}` ? new CronfleetApiError({ ...error.toJSON(), body: error.body, message: `${url}: ${error.message}` }) : error;
  }
}

/** A success answer's result: nothing for 204, the text for a route that answers text (`''` when empty), nothing for another empty body, else JSON. */
function readResult<T>(route: RouteContract, res: Response, text: string, url: string): T {
  if (res.status === 204) return undefined as T;
  if (route.resultContentType && !route.resultContentType.includes('json')) return text as T;
  if (text === '') return undefined as T;
  try {
    return JSON.parse(text) as T;
  } catch {
    const type = res.headers.get('content-type')?.split(';')[0] ?? 'no content type';
    throw new CronfleetApiError({ status: res.status, code: 'InvalidAnswer', message: `${url} answered ${res.status} (${type}) with a body that is not JSON`, retryable: false });
  }
}

/** The wait before the next try after `failure`, or null when it is not tried again. */
function retryDelayMs(failure: CronfleetApiError, attempt: number, policy: RetryOptions, resendable: boolean): number | null {
  if (failure.status !== null && RETRYABLE_STATUSES.includes(failure.status)) {
    if (failure.retryAfterMs === null) return backoffDelayMs(policy, attempt);
    // A wait longer than the policy allows is the caller's to decide on: the error carries it.
    return failure.retryAfterMs <= policy.maxDelayMs ? failure.retryAfterMs : null;
  }
  if ((failure.code === 'ServerUnreachable' || failure.code === 'Timeout') && resendable) return backoffDelayMs(policy, attempt);
  return null;
}

function retryPolicy(given: Partial<RetryOptions> | false | undefined, base: RetryOptions): RetryOptions | false {
  if (given === false) return false;
  return { ...base, ...given };
}
