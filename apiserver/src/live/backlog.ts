/** An SSE stream with more than this unsent (bytes in the response's buffer) is dropped. */
export const SSE_MAX_BUFFERED_BYTES = 1024 * 1024;
/**
 * A `/events` socket with more than this many packets waiting in engine.io's write buffer is
 * dropped. The websocket transport sends one batch at a time and buffers the rest until the
 * previous frame was written to the TCP socket, so the buffer grows exactly when the client (or its
 * network) does not keep up.
 */
export const SOCKET_MAX_QUEUED_PACKETS = 1000;

/** Why a subscriber is dropped, or null while its backlog is within the bound. */
export function backlogVerdict(queued: number, limit: number, unit: string): string | null {
  return queued > limit ? `SlowClient: more than ${limit} ${unit} waiting to be sent; the client did not keep up and was dropped (subscribe again to resume)` : null;
}

/** The part of an engine.io connection the socket backlog check reads (`socket.conn`; `writeBuffer` is public at run time, private in its typings). */
export interface EngineConn {
  writeBuffer?: readonly unknown[];
}

/** Packets the socket's connection holds unsent. */
export function queuedPackets(conn: EngineConn | undefined): number {
  return conn?.writeBuffer?.length ?? 0;
}
