import type { IncomingHttpHeaders, IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { STATUS_CODES } from 'node:http';
import type { FastifyInstance } from 'fastify';
import { parse } from 'secure-json-parse';
import { DomainError } from './errors';
import { errorBody } from './http-exception.filter';

/** Why a request's body is refused before it is read: the status and a message naming the body. */
export interface BodyRefusal {
  status: 400 | 413 | 415;
  code: 'BodyTooLarge' | 'UnsupportedMediaType' | 'InvalidBody';
  message: string;
}

const JSON_TYPE = /^application\/json\s*(;|$)/i;
const CHARSET = /;\s*charset\s*=\s*"?([^";\s]*)/i;
/** Methods that take no body: one sent with them is refused, not ignored. */
const BODILESS = new Set(['GET', 'HEAD']);

/**
 * Judges a request's body from its method and headers alone: one sent with a GET (400), one larger
 * than `maxBytes` by its Content-Length (413), of another type than JSON or in another charset than
 * UTF-8 (415). A body without Content-Length (chunked) is measured by the JSON parser as it arrives
 * instead, and refused once it passes the limit.
 */
export function refuseBody(method: string, headers: IncomingHttpHeaders, maxBytes: number): BodyRefusal | null {
  const length = headers['content-length'] === undefined ? null : Number(headers['content-length']);
  const hasBody = headers['transfer-encoding'] !== undefined || (length !== null && length !== 0);
  if (!hasBody) return null;
  if (BODILESS.has(method)) return { status: 400, code: 'InvalidBody', message: `body: a ${method} request takes no body; send its parameters in the query string` };
  if (length !== null && length > maxBytes) {
    return { status: 413, code: 'BodyTooLarge', message: `body: ${length} bytes is more than the limit of ${maxBytes} bytes (CRONFLEET_MAX_BODY_BYTES)` };
  }
  const type = headers['content-type'];
  if (!type || !JSON_TYPE.test(type)) {
    return { status: 415, code: 'UnsupportedMediaType', message: `body: must be JSON sent as Content-Type: application/json, not ${type ? `'${type.slice(0, 100)}'` : 'without a Content-Type'}` };
  }
  const charset = CHARSET.exec(type)?.[1].toLowerCase();
  if (charset !== undefined && charset !== 'utf-8' && charset !== 'utf8') {
    return { status: 415, code: 'UnsupportedMediaType', message: `body: must be JSON in UTF-8, not charset=${charset.slice(0, 40)}` };
  }
  return null;
}

/**
 * Accepts request bodies as JSON of at most `maxBytes` and nothing else. A body refused by its
 * headers is answered at once, before Fastify reads it: what the client still sends is dropped as it
 * arrives, up to a bound, then the connection is cut. An empty body (`Content-Type: application/json`
 * with nothing after it, as some clients send on a POST without arguments) reads as no body, as it
 * did before; JSON with a `__proto__` or `constructor.prototype` key is refused (Fastify's
 * secure-json-parse).
 */
export function limitRequestBodies(fastify: FastifyInstance, maxBytes: number): void {
  fastify.addHook('onRequest', (req, reply, done) => {
    const refusal = refuseBody(req.method, req.headers, maxBytes);
    if (!refusal) return done();
    void reply.code(refusal.status).header('content-type', 'application/json; charset=utf-8').send(errorBody(refusal.status, refusal.code, refusal.message));
    discard(req.raw, DISCARD_LIMIT_BYTES);
  });
  fastify.removeAllContentTypeParsers();
  fastify.addContentTypeParser('application/json', { parseAs: 'string', bodyLimit: maxBytes }, (_req, body, done) => {
    if (body === '') return done(null, undefined);
    let value: unknown;
    try {
      value = parseJson(body as string);
    } catch (e) {
      // A SyntaxError with its status: the exception filter answers it as InvalidBody with its text.
      return done(Object.assign(e as Error, { statusCode: 400 }), undefined);
    }
    // Only an object or an array, as Express's parser in its strict mode took: a bare `null` read as
    // no body at all, and a PATCH or a run with it went through as one without arguments.
    if (value === null || typeof value !== 'object') return done(notAnObject(value), undefined);
    done(null, value);
  });
}

const notAnObject = (value: unknown) =>
  Object.assign(new DomainError('ValidationFailed', `body: must be a JSON object, not ${value === null ? 'null' : typeof value}`), { statusCode: 400 });

const parseJson = (text: string): unknown => parse(text, undefined, { protoAction: 'error', constructorAction: 'error' });

/** Most of a refused body read (and dropped) so that its client, still sending, sees the answer. */
const DISCARD_LIMIT_BYTES = 64 * 1024 * 1024;

/**
 * Reads the rest of a refused body without keeping it: a client still sending when the connection
 * closes gets EPIPE instead of the answer. Past `limit` bytes the connection is cut all the same.
 */
function discard(req: IncomingMessage, limit: number): void {
  let read = 0;
  req.on('data', (chunk: Buffer) => {
    read += chunk.length;
    if (read > limit) req.socket.destroy();
  });
  req.resume();
}

/**
 * Requests Node's HTTP parser refuses before Fastify sees them (a URL or headers over 16 KiB,
 * broken framing) get the same JSON error body as the rest of the API instead of a bare status line:
 * Fastify's `clientErrorHandler`.
 */
export function answerMalformedRequest(err: NodeJS.ErrnoException, socket: Duplex & { _httpMessage?: { headersSent?: boolean } }): void {
  // TLS handshake failures (an HTTPS server emits them here too) and resets get no answer, as
  // does a connection whose response has already begun.
  const http = err.code?.startsWith('HPE_') || err.code === 'ERR_HTTP_REQUEST_TIMEOUT';
  if (!http || !socket.writable || socket._httpMessage?.headersSent) {
    socket.destroy();
    return;
  }
  const [status, message] =
    err.code === 'HPE_HEADER_OVERFLOW'
      ? [431, 'request: the URL and headers are more than the server accepts (16 KiB): shorten the query string']
      : err.code === 'ERR_HTTP_REQUEST_TIMEOUT'
        ? [408, 'request: not received in time']
        : [400, `request: not valid HTTP (${err.code})`];
  const body = JSON.stringify(errorBody(status, 'InvalidRequest', message));
  socket.end(`HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\ncontent-type: application/json; charset=utf-8\r\ncontent-length: ${Buffer.byteLength(body)}\r\nconnection: close\r\n\r\n${body}`);
}
