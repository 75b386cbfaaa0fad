/**
 * Engine options of the one socket.io server that the worker (`/workers`) and dashboard (`/events`)
 * namespaces share. Nest creates that server with the options of whichever gateway it meets first,
 * so every gateway must carry these same options, or the limits would depend on module order.
 */
export const SOCKET_SERVER_OPTIONS = {
  /**
   * Largest message a client may send, bytes; a larger one closes its connection (socket.io's
   * default is 1 MB). A worker's `task:output` chunk may hold 4 Mi characters; nothing else comes close.
   */
  maxHttpBufferSize: 8 * 1024 * 1024,
  /** Ms between pings, and ms without a pong before the connection is dropped. */
  pingInterval: 10_000,
  pingTimeout: 10_000,
} as const;
