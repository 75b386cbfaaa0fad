import type { StreamEnd } from '../auth/token-sessions';
import type { EventStream } from '../common/event-stream';
import { backlogVerdict, SSE_MAX_BUFFERED_BYTES } from './backlog';
import type { LiveEvent, LiveFilter } from '@cronfleet/shared';
import { matchesFilter } from './live-event';
import type { LiveFeed } from './live-feed';

/** A `: ping` comment this often keeps proxies from closing an idle stream. */
const PING_MS = 15_000;

/**
 * Serves one `GET /sse/events` stream: each matching event as `event: <type>` and `data: <json>`;
 * a stream whose unsent data passes SSE_MAX_BUFFERED_BYTES gets an `error` event and is closed.
 * Returns a close that ends the stream with an `error` event saying why (its token was revoked).
 */
export function streamLiveEvents(live: LiveFeed, filter: LiveFilter, res: EventStream, maxBuffered = SSE_MAX_BUFFERED_BYTES): (end: StreamEnd) => void {
  res.setHeader('Content-Type', 'text/event-stream; charset=utf-8');
  res.setHeader('Cache-Control', 'no-cache');
  res.setHeader('X-Accel-Buffering', 'no');
  res.flushHeaders();
  let closed = false;
  const close = (): void => {
    if (closed) return;
    closed = true;
    clearInterval(ping);
    unsubscribe();
    if (!res.writableEnded) res.end();
  };
  const write = (text: string): void => {
    if (closed) return;
    res.write(text);
    const slow = backlogVerdict(res.writableLength, maxBuffered, 'bytes');
    if (slow) {
      res.write(`event: error\ndata: ${JSON.stringify({ code: 'SlowClient', message: slow })}\n\n`);
      close();
    }
  };
  const unsubscribe = live.subscribe((e: LiveEvent) => {
    if (matchesFilter(e, filter)) write(`event: ${e.type}\ndata: ${JSON.stringify(e.data)}\n\n`);
  });
  const ping = setInterval(() => write(': ping\n\n'), PING_MS);
  res.on('close', close);
  // The stream is open: a client can now create what it wants to watch without missing its events.
  write(': subscribed\n\n');
  return (end) => {
    write(`event: error\ndata: ${JSON.stringify(end)}\n\n`);
    close();
  };
}
