// Socket cases for the fuzz spec: bad payloads for every event a worker sends (from the shared
// protocol's schemas) and for the dashboard's `subscribe`, sent from a raw socket.io client.
import { EventSchemas, PROTOCOL_VERSION, WORKER_NAMESPACE } from '@cronfleet/shared';
import { io, type Socket } from 'socket.io-client';
import { z } from 'zod';
import { badValueFor, fieldPaths, type JsonSchema, objectExample, Rng, withValueAt } from './fuzz-inputs';

/** The events a worker emits, with whether the server answers them through an ack. */
export const WORKER_EVENTS = [
  { event: 'worker:hello', acked: true },
  { event: 'worker:heartbeat', acked: false },
  { event: 'task:updates', acked: true },
  { event: 'task:outputs', acked: true },
] as const;
export type WorkerEvent = (typeof WORKER_EVENTS)[number]['event'];

/** Bigger than the server's socket message limit (8 MiB): the connection must be closed. */
const OVERSIZED = 9 * 1024 * 1024;

export interface SocketCase {
  event: string;
  payload: unknown;
  what: string;
  /** The server must close the connection rather than answer. */
  oversized: boolean;
}

export function schemaOf(event: WorkerEvent): JsonSchema {
  return z.toJSONSchema(EventSchemas[event] as z.ZodType, { io: 'input', unrepresentable: 'any' }) as JsonSchema;
}

/** One bad payload for `event`. */
export function workerEventCase(event: WorkerEvent, rng: Rng): SocketCase {
  const schema = schemaOf(event);
  const base = objectExample(schema);
  const kind = rng.pick(['field', 'field', 'field', 'notObject', 'oversized', 'deep'] as const);
  if (kind === 'notObject') {
    const payload = rng.pick([null, 42, 'a string', [], true, [base]]);
    return { event, payload, what: `payload ${JSON.stringify(payload).slice(0, 60)}`, oversized: false };
  }
  const fields = fieldPaths(schema);
  if (kind === 'oversized') {
    const f = rng.pick(fields);
    return { event, payload: withValueAt(base, f.path, 'x'.repeat(OVERSIZED), schema), what: `a 9 MiB ${f.path.join('.')}`, oversized: true };
  }
  if (kind === 'deep') {
    let deep: unknown = 1;
    for (let i = 0; i < 1000; i++) deep = { a: deep };
    const f = rng.pick(fields);
    return { event, payload: withValueAt(base, f.path, deep, schema), what: `${f.path.join('.')} nested 1000 deep`, oversized: false };
  }
  const bad = fields.map((f) => ({ ...f, bad: badValueFor(f.schema, f.path[f.path.length - 1], rng) })).filter((f) => f.bad);
  const f = rng.pick(bad);
  return { event, payload: withValueAt(base, f.path, f.bad!.value, schema), what: `${f.path.join('.')}: ${f.bad!.why}`, oversized: false };
}

/** Bad `subscribe` filters for the `/events` namespace. */
export function subscribeCase(rng: Rng): SocketCase {
  const options: [unknown, string][] = [
    [{ cronjobId: -1 }, 'a negative cronjobId'],
    [{ cronjobId: '1; DROP TABLE cronjob' }, 'an SQL-ish cronjobId'],
    [{ taskId: 1.5 }, 'a fractional taskId'],
    [{ taskId: '../../etc/passwd' }, 'a path for taskId'],
    [{ type: 42 }, 'a number for type'],
    [{ type: '' }, 'an empty type'],
    [{ type: ',,,' }, 'a type of commas'],
    [{ zzUnknown: true }, 'an unknown field'],
    [{ __proto__: { polluted: true }, type: [] }, 'an array type'],
    ['task.', 'a string filter'],
    [42, 'a number filter'],
    [[{}], 'an array filter'],
  ];
  if (rng.int(6) === 0) return { event: 'subscribe', payload: { type: 'x'.repeat(OVERSIZED) }, what: 'a 9 MiB type', oversized: true };
  const [payload, what] = rng.pick(options);
  return { event: 'subscribe', payload, what, oversized: false };
}

export function connect(url: string, namespace: string, token: string): Promise<Socket> {
  const socket = io(url + namespace, { auth: { token }, transports: ['websocket'], reconnection: false, forceNew: true, timeout: 10_000 });
  return new Promise((resolve, reject) => {
    socket.once('connect', () => resolve(socket));
    socket.once('connect_error', (e) => {
      socket.close();
      reject(e);
    });
  });
}

/** A hello that the server accepts, for the worker the fuzzer plays. */
export function validHello(name: string, sessionId: string): Record<string, unknown> {
  return { name, hostname: 'fuzz', version: 'fuzz', protocolVersion: PROTOCOL_VERSION, capacity: 1, labels: {}, runners: ['http'], runningTaskIds: [], clockMs: Date.now(), sessionId };
}

/**
 * A worker that said hello and keeps heartbeating (every second, until its socket closes): one that
 * fell silent would be declared offline while the REST cases run, and its reports then ignored.
 */
export async function connectWorker(url: string, token: string, name: string, sessionId: string): Promise<Socket> {
  const socket = await connect(url, WORKER_NAMESPACE, token);
  const ack = (await socket.timeout(10_000).emitWithAck('worker:hello', validHello(name, sessionId))) as { ok: boolean; error?: unknown };
  if (!ack.ok) throw new Error(`the fuzz worker was refused: ${JSON.stringify(ack.error)}`);
  const beat = setInterval(() => socket.emit('worker:heartbeat', { runningTaskIds: [], atMs: Date.now(), draining: false }), 1000);
  socket.on('disconnect', () => clearInterval(beat));
  return socket;
}

export type SocketOutcome = { kind: 'ack'; ack: unknown } | { kind: 'disconnected' } | { kind: 'silent' };

/** Emits a case and waits up to `ms` for its ack or the connection's end. */
export function emitCase(socket: Socket, c: SocketCase, acked: boolean, ms: number): Promise<SocketOutcome> {
  return new Promise((resolve) => {
    const timer = setTimeout(() => finish({ kind: 'silent' }), ms);
    const onDisconnect = (): void => finish({ kind: 'disconnected' });
    function finish(o: SocketOutcome): void {
      clearTimeout(timer);
      socket.off('disconnect', onDisconnect);
      resolve(o);
    }
    socket.on('disconnect', onDisconnect);
    if (acked) socket.emit(c.event, c.payload, (ack: unknown) => finish({ kind: 'ack', ack }));
    else socket.emit(c.event, c.payload);
  });
}
