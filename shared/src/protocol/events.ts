import type { HelloAck, TaskKill, TaskKillAck, TaskOutputs, TaskOutputsAck, TaskRuns, TaskRunsAck, TaskStop, TaskUpdates, TaskUpdatesAck, WorkerHeartbeat, WorkerHello } from './messages';
import {
  HelloAckSchema,
  TaskKillAckSchema,
  TaskKillSchema,
  TaskOutputSchema,
  TaskOutputsSchema,
  TaskRunSchema,
  TaskRunsAckSchema,
  TaskRunsSchema,
  TaskStopSchema,
  TaskUpdateSchema,
  TaskUpdatesSchema,
  WorkerHeartbeatSchema,
  WorkerHelloSchema,
} from './messages';

/** Events the server emits to a worker; socket.io's `ServerToClientEvents` / the worker's listen map. */
export interface ServerToWorkerEvents {
  'task:runs': (msg: TaskRuns, ack: (res: TaskRunsAck) => void) => void;
  'task:stop': (msg: TaskStop, ack: (res: TaskKillAck) => void) => void;
  'task:kill': (msg: TaskKill, ack: (res: TaskKillAck) => void) => void;
}

/** Events a worker emits to the server; socket.io's `ClientToServerEvents`. */
export interface WorkerToServerEvents {
  'worker:hello': (msg: WorkerHello, ack: (res: HelloAck) => void) => void;
  'worker:heartbeat': (msg: WorkerHeartbeat) => void;
  'task:updates': (msg: TaskUpdates, ack: (res: TaskUpdatesAck) => void) => void;
  /** Acked once the chunks are stored, so the worker can hold back a task that prints faster than that. */
  'task:outputs': (msg: TaskOutputs, ack: (res: TaskOutputsAck) => void) => void;
}

/** Schema of each event's payload, so both ends validate with the same table. */
export const EventSchemas = {
  'task:runs': TaskRunsSchema,
  'task:stop': TaskStopSchema,
  'task:kill': TaskKillSchema,
  'worker:hello': WorkerHelloSchema,
  'worker:heartbeat': WorkerHeartbeatSchema,
  'task:updates': TaskUpdatesSchema,
  'task:outputs': TaskOutputsSchema,
} as const;

/**
 * The batch events: the field holding the items and each item's schema. Items are validated one by
 * one ({@link parseBatch}), so a malformed item is refused without refusing the rest of its batch.
 */
export const BatchEvents = {
  'task:runs': { key: 'tasks', item: TaskRunSchema },
  'task:updates': { key: 'updates', item: TaskUpdateSchema },
  'task:outputs': { key: 'outputs', item: TaskOutputSchema },
} as const;

/** Schema of each acknowledgement. */
export const AckSchemas = {
  'task:runs': TaskRunsAckSchema,
  'task:stop': TaskKillAckSchema,
  'task:kill': TaskKillAckSchema,
  'worker:hello': HelloAckSchema,
} as const;
