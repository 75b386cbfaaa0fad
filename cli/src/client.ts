import { type ApiRefusal, CliError, EXIT } from './cli-error';

// The CLI's whole HTTP layer, in this one file: the REST API with the admin token (AdminClient),
// its refusals as CliErrors with their exit codes, and Server-Sent Events. The commands see only
// AdminClient's methods, so that moving to @cronfleet/client changes this file and little else.

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
   * A long-lived GET of Server-Sent Events (`/tasks/:id/output?follow=true`, `/sse/events`): resolves
   * once the answer's headers arrived, checked like any other answer, so nothing the server sends
   * from then on is missed; its events are read as the caller iterates, until `signal` aborts. Only
   * waiting for the headers is bounded; the stream itself may last as long as the task. A stream
   * that breaks off while read throws a CliError (exit 4); one the server ends simply ends.
   */
  async openEvents(path: string, query: Query, signal: AbortSignal): Promise<AsyncIterable<SseEvent>> {
    return sseEvents(await this.openStream(path, query, signal), this.baseUrl);
  }

  private async openStream(path: string, query: Query, signal: AbortSignal): Promise<ReadableStream<Uint8Array>> {
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

/** The events of an SSE body, decoded and parsed as its bytes arrive. */
async function* sseEvents(body: ReadableStream<Uint8Array>, baseUrl: string): AsyncGenerator<SseEvent> {
  const parser = new SseParser();
  const decoder = new TextDecoder();
  for await (const bytes of readChunks(body, baseUrl)) yield* parser.push(decoder.decode(bytes, { stream: true }));
}

async function* readChunks(body: ReadableStream<Uint8Array>, baseUrl: string): AsyncGenerator<Uint8Array> {
  const reader = body.getReader();
  try {
    for (;;) {
      let r: Awaited<ReturnType<typeof reader.read>>;
      try {
        r = await reader.read();
      } catch (e) {
        const why = (e as { cause?: { message?: string }; message?: string }).cause?.message ?? (e as Error).message;
        throw new CliError(EXIT.unreachable, `lost the connection to ${baseUrl} while following the output: ${why}`);
      }
      if (r.done) return;
      yield r.value;
    }
  } finally {
    reader.releaseLock();
  }
}

export interface SseEvent {
  event: string;
  data: string;
}

/**
 * Splits a Server-Sent Events stream into events as its text arrives in arbitrary pieces: lines
 * end with LF, CRLF or CR; `data:` lines of one event are joined with LF; comments and `id:`/`retry:`
 * fields are ignored; an event without `event:` is a `message`.
 */
export class SseParser {
  private buffer = '';
  private event = '';
  private data: string[] = [];

  push(text: string): SseEvent[] {
    this.buffer += text;
    const out: SseEvent[] = [];
    let m: RegExpExecArray | null;
    const line = /\r\n|\r(?!$)|\n/g;
    let from = 0;
    // A CR at the very end may be the first half of a CRLF still to come: keep it for the next piece.
    while ((m = line.exec(this.buffer)) !== null) {
      this.take(this.buffer.slice(from, m.index), out);
      from = m.index + m[0].length;
    }
    this.buffer = this.buffer.slice(from);
    return out;
  }

  private take(line: string, out: SseEvent[]): void {
    if (line === '') {
      if (this.data.length) out.push({ event: this.event || 'message', data: this.data.join('\n') });
      this.event = '';
      this.data = [];
      return;
    }
    if (line.startsWith(':')) return;
    const colon = line.indexOf(':');
    const field = colon === -1 ? line : line.slice(0, colon);
    let value = colon === -1 ? '' : line.slice(colon + 1);
    if (value.startsWith(' ')) value = value.slice(1);
    if (field === 'event') this.event = value;
    else if (field === 'data') this.data.push(value);
  }
}
