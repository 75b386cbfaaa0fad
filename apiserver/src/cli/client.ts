import { type ApiRefusal, CliError, EXIT } from './cli-error';

/** How long a request may take before the server counts as unreachable (stop and kill wait for the worker). */
const REQUEST_TIMEOUT_MS = 30_000;

export interface ConnectionOptions {
  server?: string;
  token?: string;
}

/**
 * The server URL and admin token from `--server`/`--token`, else `CRONFLEET_SERVER`/
 * `CRONFLEET_ADMIN_TOKEN`. Missing or malformed ones are a configuration error (exit 2) naming
 * both the flag and the variable.
 */
export function connectionFrom(opts: ConnectionOptions, env: NodeJS.ProcessEnv = process.env): { baseUrl: string; token: string } {
  const server = opts.server ?? env.CRONFLEET_SERVER;
  const token = opts.token ?? env.CRONFLEET_ADMIN_TOKEN;
  const problems: string[] = [];
  if (!server) problems.push('no server given: pass --server URL or set CRONFLEET_SERVER (e.g. http://localhost:8080)');
  if (!token) problems.push('no admin token given: pass --token TOKEN or set CRONFLEET_ADMIN_TOKEN (the server prints it at start)');
  if (problems.length) throw new CliError(EXIT.usage, problems.join('; '));
  let url: URL;
  try {
    url = new URL(server as string);
  } catch {
    throw new CliError(EXIT.usage, `server '${server}' (--server or CRONFLEET_SERVER) is not a URL such as http://localhost:8080`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new CliError(EXIT.usage, `server '${server}' (--server or CRONFLEET_SERVER) must be an http:// or https:// URL`);
  }
  // Accept the API's own base (…/api/v1) as well as the server's root.
  const baseUrl = `${url.origin}${url.pathname.replace(/\/+$/, '').replace(/\/api\/v1$/, '')}`;
  return { baseUrl, token: token as string };
}

export type Query = Record<string, string | number | boolean | undefined>;

/** The REST API under /api/v1 with the admin token; every failure becomes a {@link CliError} with its exit code. */
export class AdminClient {
  constructor(
    readonly baseUrl: string,
    private readonly token: string,
  ) {}

  get<T>(path: string, query?: Query): Promise<T> {
    return this.request<T>('GET', path, query);
  }
  post<T>(path: string, body?: unknown, query?: Query): Promise<T> {
    return this.request<T>('POST', path, query, body);
  }
  patch<T>(path: string, body: unknown): Promise<T> {
    return this.request<T>('PATCH', path, undefined, body);
  }
  delete(path: string): Promise<void> {
    return this.request<void>('DELETE', path);
  }

  async request<T>(method: string, path: string, query?: Query, body?: unknown): Promise<T> {
    return (await this.answer<T>(method, path, query, body)).body;
  }

  /** A request's JSON body with its status, for the routes whose 2xx status means something (200 or 202). */
  async answer<T>(method: string, path: string, query?: Query, body?: unknown): Promise<{ status: number; body: T }> {
    const { status, text } = await this.exchange(method, path, query, body);
    if (!text) return { status, body: undefined as T };
    try {
      return { status, body: JSON.parse(text) as T };
    } catch {
      throw new CliError(EXIT.unreachable, `no Cronfleet API at ${this.baseUrl}: ${method} ${path} answered ${status} with a body that is not JSON`);
    }
  }

  /** A GET whose answer is text (a task's output). */
  async text(path: string): Promise<string> {
    return (await this.exchange('GET', path, undefined, undefined, 'text/plain')).text;
  }

  private async exchange(method: string, path: string, query: Query | undefined, body: unknown, accept?: string): Promise<{ status: number; text: string }> {
    const res = await this.send(method, path, query, body, AbortSignal.timeout(REQUEST_TIMEOUT_MS), accept);
    const text = await res.text().catch((e: unknown) => {
      throw unreachable(this.baseUrl, e);
    });
    if (!res.ok) throw apiError(this.baseUrl, res.status, res.headers.get('content-type'), text);
    return { status: res.status, text };
  }

  /**
   * A long-lived GET (Server-Sent Events): the response once its headers arrived, checked like any
   * other answer. Only waiting for the headers is bounded; the stream itself may last as long as the task.
   */
  async openStream(path: string, query: Query, signal: AbortSignal): Promise<ReadableStream<Uint8Array>> {
    const headersTimeout = new AbortController();
    const timer = setTimeout(() => headersTimeout.abort(new DOMException('no answer', 'TimeoutError')), REQUEST_TIMEOUT_MS);
    try {
      const res = await this.send('GET', path, query, undefined, AbortSignal.any([signal, headersTimeout.signal]), 'text/event-stream');
      if (!res.ok || !res.body) throw apiError(this.baseUrl, res.status, res.headers.get('content-type'), await res.text().catch(() => ''));
      return res.body;
    } finally {
      clearTimeout(timer);
    }
  }

  private async send(method: string, path: string, query: Query | undefined, body: unknown, signal: AbortSignal, accept = 'application/json'): Promise<Response> {
    const qs = new URLSearchParams();
    for (const [k, v] of Object.entries(query ?? {})) if (v !== undefined) qs.set(k, String(v));
    const url = `${this.baseUrl}/api/v1${path}${qs.size ? `?${qs}` : ''}`;
    const headers: Record<string, string> = { accept, authorization: `Bearer ${this.token}` };
    if (body !== undefined) headers['content-type'] = 'application/json';
    try {
      return await fetch(url, { method, headers, body: body === undefined ? undefined : JSON.stringify(body), signal });
    } catch (e) {
      throw unreachable(this.baseUrl, e);
    }
  }
}

/** The API's error body: `{ statusCode, error, code, message }`. */
interface ApiErrorBody {
  statusCode: number;
  code?: string;
  message: string | string[];
}

function apiError(baseUrl: string, status: number, contentType: string | null, text: string): CliError {
  let body: ApiErrorBody | undefined;
  try {
    const parsed = JSON.parse(text) as Partial<ApiErrorBody>;
    if (parsed && parsed.statusCode === status && parsed.message !== undefined) body = parsed as ApiErrorBody;
  } catch {
    // not ours: judged below
  }
  if (!body) {
    // A proxy's or another program's answer: there is no Cronfleet API to refuse anything.
    return new CliError(EXIT.unreachable, `no Cronfleet API at ${baseUrl}: it answered HTTP ${status}${contentType ? ` (${contentType.split(';')[0]})` : ''}`);
  }
  const message = Array.isArray(body.message) ? body.message.join('; ') : body.message;
  const refusal: ApiRefusal = { status, code: body.code, message };
  const tag = `(HTTP ${status}${body.code ? ` ${body.code}` : ''})`;
  if (status === 401) return new CliError(EXIT.usage, `the server refused the admin token: ${message} ${tag}; check --token or CRONFLEET_ADMIN_TOKEN`, refusal);
  if (status === 404) return new CliError(EXIT.notFound, `${message} ${tag}`, refusal);
  return new CliError(EXIT.refused, `${message} ${tag}`, refusal);
}

function unreachable(baseUrl: string, e: unknown): CliError {
  if (e instanceof CliError) return e;
  const err = e as { name?: string; message?: string; cause?: { code?: string; message?: string } };
  if (err?.name === 'TimeoutError') return new CliError(EXIT.unreachable, `the server at ${baseUrl} did not answer within ${REQUEST_TIMEOUT_MS / 1000} s`);
  const why = err?.cause?.message ?? err?.cause?.code ?? err?.message ?? String(e);
  return new CliError(EXIT.unreachable, `cannot reach the server at ${baseUrl}: ${why}`);
}
