/**
 * Version of the socket.io protocol between API server and worker. The server refuses a worker whose
 * `worker:hello` carries another version; bump it on any incompatible change to a message below.
 */
export const PROTOCOL_VERSION = 1;

/** Socket.io namespace workers connect to. */
export const WORKER_NAMESPACE = '/workers';
