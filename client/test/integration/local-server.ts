// A real HTTP server on a free local port for the client's specs: each test sets what it answers,
// every request is recorded (method, URL, headers, body), and closing it checks that the client left
// no socket or timer behind.
import assert from 'node:assert/strict';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import type { CronfleetApiError } from '@cronfleet/client';

/** One request as the server received it. */
export interface SeenRequest {
  method: string;
  /** Path and query, as sent. */
  url: string;
  headers: IncomingMessage['headers'];
  body: string;
}

/** Answers one request; `n` counts the requests since the test's {@link LocalServer.answer} (from 1). */
export type Handler = (req: IncomingMessage, res: ServerResponse, seen: SeenRequest, n: number) => void | Promise<void>;

export class LocalServer {
  readonly seen: SeenRequest[] = [];
  /** Requests whose connection closed, by their number (1-based, as `n`): a client that hung up is seen here. */
  readonly closed = new Set<number>();
  private handler: Handler = (_req, res) => void res.writeHead(500).end();
  private readonly sockets = new Set<Socket>();

  private constructor(
    private readonly server: Server,
    readonly url: string,
  ) {}

  static async start(): Promise<LocalServer> {
    const server = createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const local = new LocalServer(server, `http://127.0.0.1:${(server.address() as AddressInfo).port}`);
    server.on('connection', (socket) => {
      local.sockets.add(socket);
      socket.on('close', () => local.sockets.delete(socket));
    });
    server.on('request', (req: IncomingMessage, res: ServerResponse) => void local.take(req, res));
    return local;
  }

  /** Sets how the next requests are answered and forgets the ones seen so far. */
  answer(handler: Handler): void {
    this.handler = handler;
    this.seen.length = 0;
    this.closed.clear();
  }

  /** Open connections from clients right now. */
  get openConnections(): number {
    return this.sockets.size;
  }

  /** Ends the connections and closes the server. */
  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private async take(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const seen: SeenRequest = { method: req.method ?? '', url: req.url ?? '', headers: req.headers, body: Buffer.concat(chunks).toString() };
    this.seen.push(seen);
    const n = this.seen.length;
    res.on('close', () => this.closed.add(n));
    await this.handler(req, res, seen, n);
  }
}

/** Sends a JSON answer. */
export function json(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', ...headers }).end(JSON.stringify(body));
}

/** The server's error body `{ statusCode, error, code, message }`. */
export function refuse(res: ServerResponse, status: number, code: string, message: string, headers: Record<string, string> = {}): void {
  json(res, status, { statusCode: status, error: 'Error', code, message }, headers);
}

/** Starts an event stream as the server does (headers flushed, `: subscribed`). */
export function openStream(res: ServerResponse): void {
  res.writeHead(200, { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-cache' });
  res.write(': subscribed\n\n');
}

/** Waits until `check` holds (polling, as tests may), failing with `what` after `timeoutMs`. */
export async function until(check: () => boolean, what: string, timeoutMs = 2000): Promise<void> {
  const started = Date.now();
  while (!check()) {
    if (Date.now() - started > timeoutMs) assert.fail(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(10);
  }
}

/**
 * The leak guard: once the server is closed, no TCP socket and no timer may be left in the process
 * (the client's keep-alive sockets go when the server closes them; a retry's or a stream's timer must
 * have been cleared). Given a moment for the sockets' close events.
 */
export async function assertNoHandlesLeft(): Promise<void> {
  const kinds = ['TCPSocketWrap', 'TCPServerWrap', 'Timeout'];
  const left = (): string[] => process.getActiveResourcesInfo().filter((k) => kinds.includes(k));
  const started = Date.now();
  while (left().length && Date.now() - started < 1000) await new Promise((r) => setImmediate(r));
  assert.deepEqual(left(), [], 'sockets or timers left behind by the client');
}

/** The error a call failed with; fails the test if it succeeded. */
export async function rejection(p: Promise<unknown>): Promise<CronfleetApiError> {
  try {
    await p;
  } catch (e) {
    return e as CronfleetApiError;
  }
  assert.fail('expected the call to fail');
}
