import type { RouteContract } from '@cronfleet/shared/api';
import { linkAbort, sleep } from './abortable';
import { CronfleetApiError, errorWithoutAnswer } from './cronfleet-api-error';
import { backoffDelayMs } from './retry-policy';
import { SseParser, type SseMessage } from './sse-parser';
import type { CallInput, Transport } from './transport';

/** What a stream's reader is told when it (re)connects. */
export interface ReconnectInfo {
  /** Reconnects since the last event arrived, from 1. */
  attempt: number;
  /** The wait before this reconnect, in ms. */
  delayMs: number;
  /** Why the stream broke. */
  error: CronfleetApiError;
}

/** Options of a Server-Sent Events stream. */
export interface StreamOptions {
  /** Ends the stream: the iteration stops without an error and the connection is closed. */
  signal?: AbortSignal;
  /** Sent as `Last-Event-ID` on the first connection; later ones send the last id the stream gave. */
  lastEventId?: string;
  /** Connect again after a drop (backoff as the client's retries, or the server's `retry:`). Default true. */
  reconnect?: boolean;
  /** A stream silent this long (ms) counts as dropped; `false` waits for ever. */
  idleTimeoutMs?: number | false;
  /** Called each time the stream is open (its headers came): the server now delivers what happens. */
  onOpen?: () => void;
  /** Called before each reconnect's wait. */
  onReconnect?: (info: ReconnectInfo) => void;
}

/** Reads a message as the end of the stream in error (`error` events of the server), or null for a message to pass on. */
export type StreamErrorOf = (message: SseMessage) => CronfleetApiError | null;

const IDLE = Symbol('idle');

/**
 * The events of a Server-Sent Events route, over fetch's body reader: reconnecting after a drop
 * (with `Last-Event-ID` when the stream gave ids, after a backoff reset by each event that arrives)
 * unless `reconnect` is false; a refusal that is not worth repeating (401, 404, a revoked token)
 * ends it with that error; the caller's abort, or leaving the loop, ends it cleanly and closes the
 * connection, leaving no timer behind.
 */
export async function* readEventStream(transport: Transport, route: RouteContract, input: CallInput, options: StreamOptions, errorOf: StreamErrorOf = () => null): AsyncGenerator<SseMessage> {
  const { signal } = options;
  const parser = new SseParser(options.lastEventId ?? '');
  const idleMs = options.idleTimeoutMs === undefined ? false : options.idleTimeoutMs;
  for (let attempt = 1; ; ) {
    if (signal?.aborted) return;
    const connection = new AbortController();
    const unlink = linkAbort(signal, connection);
    let idle: ReturnType<typeof setTimeout> | undefined;
    let failure: CronfleetApiError;
    try {
      const res = await transport.open(route, input, parser.lastEventId ? { 'last-event-id': parser.lastEventId } : {}, connection);
      options.onOpen?.();
      const reader = (res.body as ReadableStream<Uint8Array>).getReader();
      const decoder = new TextDecoder();
      parser.reset();
      for (;;) {
        if (idleMs !== false) idle = setTimeout(() => connection.abort(IDLE), idleMs);
        const chunk = await reader.read();
        clearTimeout(idle);
        if (chunk.done) break;
        for (const message of parser.push(decoder.decode(chunk.value, { stream: true }))) {
          const error = errorOf(message);
          if (error) throw error;
          attempt = 1;
          yield message;
        }
      }
      failure = new CronfleetApiError({ status: null, code: 'ServerUnreachable', message: `the server closed the stream ${route.path}`, retryable: true });
    } catch (e) {
      if (signal?.aborted) return;
      failure =
        connection.signal.reason === IDLE
          ? new CronfleetApiError({ status: null, code: 'Timeout', message: `the stream ${route.path} was silent for ${idleMs} ms`, retryable: true, cause: e })
          : errorWithoutAnswer(e, 'network', route.path, 0);
    } finally {
      clearTimeout(idle);
      unlink();
      // Closes the connection when the loop was left early or the stream failed; a no-op after its end.
      connection.abort();
    }
    if (!failure.retryable || options.reconnect === false) throw failure;
    const delayMs = failure.retryAfterMs ?? parser.retryMs ?? backoffDelayMs(transport.backoff, attempt - 1);
    options.onReconnect?.({ attempt, delayMs, error: failure });
    attempt++;
    try {
      await sleep(delayMs, signal);
    } catch {
      return;
    }
  }
}

/**
 * The server's `error` event `{ code, message }` as an error: `SlowClient` (the client did not keep
 * up) and `ReadFailed` are worth following again; a revoked or expired token is not.
 */
export const serverErrorEvent: StreamErrorOf = (message) => {
  if (message.event !== 'error') return null;
  let data: { code?: unknown; message?: unknown } = {};
  try {
    data = JSON.parse(message.data) as typeof data;
  } catch {
    // described by the generic code below
  }
  const code = typeof data.code === 'string' ? data.code : 'StreamError';
  const text = typeof data.message === 'string' ? data.message : message.data;
  return new CronfleetApiError({ status: null, code, message: text, retryable: code === 'SlowClient' || code === 'ReadFailed' });
};
