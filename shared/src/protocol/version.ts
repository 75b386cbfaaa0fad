/**
 * Version of the socket.io protocol between API server and worker. The server refuses a worker whose
 * `worker:hello` carries another version; bump it on any incompatible change to a message below.
 * 2: tasks, updates and output travel in batches (`task:runs`, `task:updates`, `task:outputs`).
 */
export const PROTOCOL_VERSION = 2;

/** Socket.io namespace workers connect to. */
export const WORKER_NAMESPACE = '/workers';
