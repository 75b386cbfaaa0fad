import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { HttpSpec } from '@cronfleet/shared';
import { capture, taskRun } from '../../src/test-support/runner-harness';
import { HttpRunner, MAX_BODY_BYTES } from '../../src/runners/http.runner';
import type { TaskRunFor } from '../../src/runners/runner';

function task(spec: Partial<HttpSpec> & { url: string }, timeoutSeconds: number | null = null): TaskRunFor<'http'> {
  return taskRun('http', { method: 'GET', headers: {}, followRedirects: true, ...spec }, { timeoutSeconds });
}

/** The output split into its status line, header lines and body. */
function parse(output: string): { status: string; headers: string[]; body: string } {
  const blank = output.indexOf('\n\n');
  const [status = '', ...headers] = output.slice(0, blank).split('\n');
  return { status, headers, body: output.slice(blank + 2) };
}

const HUGE_BYTES = 64 * 1024 * 1024;

function drainedOrClosed(res: ServerResponse): Promise<void> {
  return new Promise((resolve) => {
    const done = (): void => {
      res.off('drain', done);
      res.off('close', done);
      resolve();
    };
    res.on('drain', done);
    res.on('close', done);
  });
}

/** A real HTTP server on 127.0.0.1 with one route per behaviour under test. */
class TestServer {
  readonly requests: Array<{ method: string; url: string; headers: IncomingMessage['headers']; body: string }> = [];
  /** Per /huge response: bytes written to the socket, and whether the client hung up before the end. */
  huge: { written: number; closedEarly: Promise<boolean> } | null = null;
  private waiting: Array<() => void> = [];
  private constructor(private readonly server: Server, readonly url: string) {}

  static async start(): Promise<TestServer> {
    const server = createServer();
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    const t = new TestServer(server, `http://127.0.0.1:${(server.address() as AddressInfo).port}`);
    server.on('request', (req: IncomingMessage, res: ServerResponse) => void t.handle(req, res));
    return t;
  }

  /** Resolves once the server has received `n` requests in all. */
  async received(n: number): Promise<void> {
    while (this.requests.length < n) await new Promise<void>((r) => this.waiting.push(r));
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    let body = '';
    for await (const chunk of req) body += String(chunk);
    this.requests.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers, body });
    for (const w of this.waiting.splice(0)) w();
    const path = req.url ?? '/';
    if (path === '/echo') {
      res.writeHead(200, { 'content-type': 'text/plain', 'x-test': 'yes' });
      return void res.end(`${req.method} ${body}`);
    }
    if (path.startsWith('/status/')) {
      res.writeHead(Number(path.slice('/status/'.length)));
      return void res.end('status body');
    }
    if (path === '/redirect') {
      res.writeHead(302, { location: '/echo' });
      return void res.end();
    }
    if (path === '/see-other') {
      res.writeHead(303, { location: '/echo' });
      return void res.end();
    }
    if (path === '/keep-method') {
      res.writeHead(307, { location: '/echo' });
      return void res.end();
    }
    if (path === '/loop') {
      res.writeHead(302, { location: '/loop' });
      return void res.end();
    }
    if (path === '/binary') {
      res.writeHead(200, { 'content-type': 'application/octet-stream' });
      return void res.end(Buffer.from([0xff, 0xfe, 0x41, 0x0a]));
    }
    if (path === '/slow-headers') return; // never answers
    if (path === '/slow-body') {
      res.writeHead(200);
      return void res.write('partial\n'); // never ends
    }
    if (path === '/huge') {
      res.writeHead(200, { 'content-type': 'text/plain' });
      const state: { written: number; closedEarly: Promise<boolean> } = { written: 0, closedEarly: Promise.resolve(false) };
      state.closedEarly = once(res, 'close').then(() => state.written < HUGE_BYTES);
      this.huge = state;
      const line = Buffer.from('0123456789abcde\n');
      const chunk = Buffer.concat(Array.from({ length: 4096 }, () => line));
      while (state.written < HUGE_BYTES && !res.destroyed) {
        state.written += chunk.length;
        if (!res.write(chunk)) await drainedOrClosed(res);
      }
      if (!res.destroyed) res.end();
      return;
    }
    res.writeHead(404);
    res.end();
  }

  async close(): Promise<void> {
    this.server.closeAllConnections();
    this.server.close();
    await once(this.server, 'close');
  }
}

describe('HttpRunner', () => {
  const runner = new HttpRunner();
  let server: TestServer;

  before(async () => {
    server = await TestServer.start();
  });
  after(async () => {
    await server.close();
  });

  it('sends a GET with its headers; the output is the status line, the headers, a blank line and the body', async () => {
    const io = capture();
    const result = await runner.start(task({ url: `${server.url}/echo`, headers: { 'x-api-key': 'k-123' } }), io).done;
    assert.deepEqual(result, { status: 'success', exitCode: null, signal: null, httpStatus: 200 });
    const out = parse(io.text());
    assert.equal(out.status, 'HTTP 200 OK');
    assert.ok(out.headers.includes('x-test: yes'), out.headers.join('\n'));
    assert.ok(out.headers.includes('content-type: text/plain'));
    assert.equal(out.body, 'GET ');
    assert.equal(server.requests.at(-1)?.headers['x-api-key'], 'k-123');
  });

  it('sends a POST body as it is', async () => {
    const io = capture();
    const body = '{"hello":"wörld"}';
    const spec = { method: 'POST' as const, url: `${server.url}/echo`, headers: { 'content-type': 'application/json' }, body };
    const result = await runner.start(task(spec), io).done;
    assert.equal(result.status, 'success');
    assert.equal(parse(io.text()).body, `POST ${body}`);
    assert.equal(server.requests.at(-1)?.headers['content-type'], 'application/json');
  });

  it('sends a HEAD: no body after the headers', async () => {
    const io = capture();
    await runner.start(task({ method: 'HEAD', url: `${server.url}/echo` }), io).done;
    assert.equal(parse(io.text()).body, '');
  });

  it('fails a status outside 200-299 as UnexpectedStatus, with the response in the output', async () => {
    const io = capture();
    const result = await runner.start(task({ url: `${server.url}/status/503` }), io).done;
    assert.deepEqual(result, {
      status: 'failed',
      exitCode: null,
      signal: null,
      error: { code: 'UnexpectedStatus', message: 'HTTP 503 Service Unavailable, expected 200-299', retryable: false },
      httpStatus: 503,
    });
    assert.equal(parse(io.text()).body, 'status body');
  });

  it('succeeds on a status listed in expectStatus, and fails one not listed, naming the list', async () => {
    const ok = await runner.start(task({ url: `${server.url}/status/503`, expectStatus: [503] }), capture()).done;
    assert.equal(ok.status, 'success');
    const listed = await runner.start(task({ url: `${server.url}/status/200`, expectStatus: [201, 202, 200, 204] }), capture()).done;
    assert.equal(listed.status, 'success');
    const missed = await runner.start(task({ url: `${server.url}/status/404`, expectStatus: [200, 201, 202, 204] }), capture()).done;
    assert.equal(missed.error?.message, 'HTTP 404 Not Found, expected one of 200-202, 204');
  });

  it('follows a redirect by default', async () => {
    const io = capture();
    const result = await runner.start(task({ url: `${server.url}/redirect` }), io).done;
    assert.equal(result.status, 'success');
    assert.equal(parse(io.text()).status, 'HTTP 200 OK');
    assert.equal(parse(io.text()).body, 'GET ');
  });

  it('follows a 303 after a POST as a GET without the body, and a 307 with the method and body kept', async () => {
    const io = capture();
    assert.equal((await runner.start(task({ url: `${server.url}/see-other`, method: 'POST', body: 'payload' }), io).done).status, 'success');
    assert.equal(parse(io.text()).body, 'GET ');
    const kept = capture();
    assert.equal((await runner.start(task({ url: `${server.url}/keep-method`, method: 'POST', body: 'payload' }), kept).done).status, 'success');
    assert.equal(parse(kept.text()).body, 'POST payload');
  });

  it('fails a redirect loop after 20 redirects as TooManyRedirects', async () => {
    const result = await runner.start(task({ url: `${server.url}/loop` }), capture()).done;
    assert.equal(result.status, 'failed');
    assert.equal(result.error?.code, 'TooManyRedirects');
    assert.match(result.error?.message ?? '', /more than 20 redirects, the last to \/loop/);
  });

  it('with followRedirects: false the 3xx is the final status', async () => {
    const io = capture();
    const result = await runner.start(task({ url: `${server.url}/redirect`, followRedirects: false }), io).done;
    assert.equal(result.error?.message, 'HTTP 302 Found, expected 200-299');
    const out = parse(io.text());
    assert.equal(out.status, 'HTTP 302 Found');
    assert.ok(out.headers.includes('location: /echo'));
    const expected = await runner.start(task({ url: `${server.url}/redirect`, followRedirects: false, expectStatus: [302] }), capture()).done;
    assert.equal(expected.status, 'success');
  });

  it('decodes a body that is not UTF-8 with replacement characters', async () => {
    const io = capture();
    await runner.start(task({ url: `${server.url}/binary` }), io).done;
    assert.equal(parse(io.text()).body, '\ufffd\ufffdA\n');
  });

  it('reports timeout when no response comes within the spec timeoutSeconds, naming that limit', async () => {
    const result = await runner.start(task({ url: `${server.url}/slow-headers`, timeoutSeconds: 1 }, 60), capture()).done;
    assert.deepEqual(result, { status: 'timeout', exitCode: null, signal: null, error: { code: 'TaskTimeout', message: 'timed out after 1 s (spec.timeoutSeconds)', retryable: true } });
  });

  it("reports timeout when the task's timeoutSeconds ends the request, naming that limit", async () => {
    const result = await runner.start(task({ url: `${server.url}/slow-headers`, timeoutSeconds: 60 }, 1), capture()).done;
    assert.equal(result.status, 'timeout');
    assert.deepEqual(result.error, { code: 'TaskTimeout', message: 'timed out after 1 s (timeoutSeconds)', retryable: true });
  });

  it('aborts a response that is still arriving on stop, as killed', async () => {
    const io = capture();
    const running = runner.start(task({ url: `${server.url}/slow-body` }), io);
    await io.waitFor(/partial\n/);
    running.stop(60_000);
    assert.deepEqual(await running.done, { status: 'killed', exitCode: null, signal: null });
  });

  it('aborts a request still waiting for its response on kill, as killed', async () => {
    const seen = server.requests.length;
    const running = runner.start(task({ url: `${server.url}/slow-headers` }), capture());
    await server.received(seen + 1);
    running.kill();
    assert.equal((await running.done).status, 'killed');
  });

  it('cuts a huge body at 1 MiB with a marker line and stops downloading it', async () => {
    const io = capture();
    const result = await runner.start(task({ url: `${server.url}/huge` }), io).done;
    assert.equal(result.status, 'success');
    const { body } = parse(io.text());
    const marker = `[cronfleet: response body truncated at ${MAX_BODY_BYTES} bytes]\n`;
    assert.ok(body.endsWith(marker), body.slice(-200));
    assert.equal(body.length - marker.length, MAX_BODY_BYTES);
    assert.ok(server.huge, 'the server saw the request');
    assert.equal(await server.huge.closedEarly, true, 'the client hung up before the end of the body');
    assert.ok(server.huge.written < HUGE_BYTES / 4, `the server wrote only ${server.huge.written} of ${HUGE_BYTES} bytes`);
  });

  it('fails a refused connection with ECONNREFUSED and the system message', async () => {
    const closed = createServer().listen(0, '127.0.0.1');
    await once(closed, 'listening');
    const { port } = closed.address() as AddressInfo;
    closed.close();
    await once(closed, 'close');
    const result = await runner.start(task({ url: `http://127.0.0.1:${port}/` }), capture()).done;
    assert.equal(result.status, 'failed');
    assert.deepEqual(result.error, { code: 'ECONNREFUSED', message: `connect ECONNREFUSED 127.0.0.1:${port}`, retryable: true });
  });
});
