import type { Server } from 'node:http';

/**
 * How often Node looks for requests past their timeouts, in ms. Its default, 30 s, let a request
 * bounded at 300 s hold its connection for up to 330 s; once a second costs one walk of the open
 * connections.
 */
const CHECK_EVERY_MS = 1000;

/**
 * Bounds the time a client may take to send a request: its headers within `headersSeconds`, the
 * whole request within `requestSeconds`, else 408 (see answerMalformedRequests) and the connection
 * closes. Node's defaults (60 s and 300 s, checked every 30 s) let a client that sends half a request
 * hold a connection for minutes. Responses, SSE streams among them, are not bounded by these.
 * Call before `listen`: the checking interval is read when the server starts listening.
 */
export function boundRequestTimes(server: Server, requestSeconds: number, headersSeconds: number): void {
  server.requestTimeout = requestSeconds * 1000;
  server.headersTimeout = headersSeconds * 1000;
  (server as Server & { connectionsCheckingInterval: number }).connectionsCheckingInterval = CHECK_EVERY_MS;
}
