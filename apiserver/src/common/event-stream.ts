// The HTTP streams the server writes by hand (a task's followed output, the live feed's SSE), as
// shapes of Fastify's reply and Node's response: here so that tasks/ and live/ share them.

/** The part of Fastify's reply a stream (SSE) needs: the raw response, which it takes over from Fastify. */
export interface StreamReply {
  readonly raw: EventStream;
  hijack(): void;
}

/** The part of an HTTP response a follower needs (Node's ServerResponse). */
export interface EventStream {
  setHeader(name: string, value: string): unknown;
  flushHeaders(): void;
  write(chunk: string): boolean;
  end(): void;
  readonly writableLength: number;
  readonly writableEnded: boolean;
  on(event: 'close', fn: () => void): unknown;
}
