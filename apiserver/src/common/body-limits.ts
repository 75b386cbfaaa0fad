import type { IncomingHttpHeaders, IncomingMessage, Server, ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import { STATUS_CODES } from 'node:http';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { errorBody } from './http-exception.filter';

/** Why a request's body is refused before it is read: the status and a message naming the body. */
export interface BodyRefusal {
  status: 413 | 415;
  code: 'BodyTooLarge' | 'UnsupportedMediaType';
  message: string;
}

const JSON_TYPE = /^application\/json\s*(;|$)/i;

/**
 * Judges a request's body from its headers alone: one larger than `maxBytes` by its Content-Length
 * (413), or of another type than JSON (415). A body without Content-Length (chunked) is measured
 * by the JSON parser as it arrives instead, and refused once it passes the limit.
 */
export function refuseBody(headers: IncomingHttpHeaders, maxBytes: number): BodyRefusal | null {
  const length = headers['content-length'] === undefined ? null : Number(headers['content-length']);
  const hasBody = headers['transfer-encoding'] !== undefined || (length !== null && length !== 0);
  if (!hasBody) return null;
  if (length !== null && length > maxBytes) {
    return { status: 413, code: 'BodyTooLarge', message: `body: ${length} bytes is more than the limit of ${maxBytes} bytes (CRONFLEET_MAX_BODY_BYTES)` };
  }
  const type = headers['content-type'];
  if (!type || !JSON_TYPE.test(type)) {
    return { status: 415, code: 'UnsupportedMediaType', message: `body: must be JSON sent as Content-Type: application/json, not ${type ? `'${type.slice(0, 100)}'` : 'without a Content-Type'}` };
  }
  return null;
}

/**
 * Accepts request bodies as JSON of at most `maxBytes`, instead of Express's defaults (100 kB, and
 * url-encoded forms as well). A body refused by its headers is answered at once and never buffered:
 * what the client still sends is dropped as it arrives, up to a bound, then the connection is cut.
 */
export function limitRequestBodies(app: NestExpressApplication, maxBytes: number): void {
  app.use((req: IncomingMessage, res: ServerResponse, next: () => void) => {
    const refusal = refuseBody(req.headers, maxBytes);
    if (!refusal) return next();
    const body = JSON.stringify(errorBody(refusal.status, refusal.code, refusal.message));
    res.writeHead(refusal.status, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(body) });
    res.end(body);
    discard(req, DISCARD_LIMIT_BYTES);
  });
  app.useBodyParser('json', { limit: maxBytes });
  answerMalformedRequests(app.getHttpServer() as Server);
}

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
 * Requests Node's HTTP parser refuses before Express sees them (a URL or headers over 16 KiB,
 * broken framing) get the same JSON error body as the rest of the API instead of a bare status line.
 */
export function answerMalformedRequests(server: Server): void {
  server.on('clientError', (err: NodeJS.ErrnoException, socket: Duplex & { _httpMessage?: { headersSent?: boolean } }) => {
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
  });
}
