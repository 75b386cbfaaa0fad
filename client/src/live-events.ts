import { LIVE_EVENT_TYPES, LIVE_ROUTES } from '@cronfleet/shared/api';
import { CronfleetApiError } from './cronfleet-api-error';
import { readEventStream, serverErrorEvent, type StreamOptions } from './event-stream';
import type { LiveEvent, LiveEventType } from '@cronfleet/shared/api';
import type { Transport } from './transport';

/** `GET /api/v1/sse/events`, the live event bus as Server-Sent Events (apiserver/src/live/). */
export const LIVE_EVENTS_ROUTE = LIVE_ROUTES.events;

/** One live event as the stream gives it: `event` is its type, `data` its typed body, `id` the stream's last event id (`''`: the server sends none). */
export type LiveEventMessage = { [T in LiveEventType]: { id: string; event: T; data: LiveEventData<T> } }[LiveEventType];

/** The data of live event `T` (one union member may name two types: `workflow.created | workflow.updated`). */
export type LiveEventData<T extends LiveEventType> = LiveEvent extends infer E ? (E extends { type: infer U; data: infer D } ? (T extends U ? D : never) : never) : never;

/** The filters `GET /sse/events` takes; each given one must match. A scoped token sees its own namespace only, whatever it asks. */
export interface LiveEventFilters {
  /** Only this namespace's events (and those of none: the scheduler, workers serving every namespace). */
  namespace?: string;
  cronjobId?: number;
  taskId?: number;
  /** Event types or prefixes ending in a dot: `'task.finished'`, `['task.', 'worker.online']`. */
  type?: string | readonly string[];
}

/** Options of {@link liveEvents}: the filters, and the stream's (`idleTimeoutMs` defaults to 45,000: the server pings every 15 s). */
export interface LiveEventOptions extends LiveEventFilters, StreamOptions {}

/** A stream quiet for three of the server's 15 s pings has lost its connection, even if no socket error says so. */
const DEFAULT_IDLE_TIMEOUT_MS = 45_000;

const KNOWN_TYPES: ReadonlySet<string> = new Set<LiveEventType>(LIVE_EVENT_TYPES);

/**
 * The live events the filters let through, as they happen, until `signal` aborts or the loop is left.
 * A dropped stream is opened again (with `Last-Event-ID` once the server sends ids), after a backoff;
 * the server keeps no backlog today, so events of the gap are missed: `onReconnect` and `onOpen` say
 * when, so an app can read what it needs again. A `SlowClient` drop (the reader did not keep up) is
 * reconnected too; a revoked or expired token, a 401 or a 403 end the iteration with that error.
 * Event types this client does not know (a newer server's) are skipped.
 */
export async function* liveEvents(transport: Transport, options: LiveEventOptions = {}): AsyncGenerator<LiveEventMessage> {
  const { namespace, cronjobId, taskId, type } = options;
  const query = { namespace, cronjobId, taskId, type };
  const stream = readEventStream(transport, LIVE_EVENTS_ROUTE, { query }, { ...options, idleTimeoutMs: options.idleTimeoutMs ?? DEFAULT_IDLE_TIMEOUT_MS }, serverErrorEvent);
  for await (const message of stream) {
    if (!KNOWN_TYPES.has(message.event)) continue;
    yield { id: message.id, event: message.event, data: parseData(message.data, message.event) } as LiveEventMessage;
  }
}

/** An event's JSON data; data that is not JSON is the server's fault and ends the stream as `InvalidAnswer`. */
export function parseData(text: string, event: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    throw new CronfleetApiError({ status: null, code: 'InvalidAnswer', message: `the '${event}' event's data is not JSON: ${text.slice(0, 80)}`, retryable: false });
  }
}
