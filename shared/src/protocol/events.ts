import type { HelloAck, TaskKill, TaskKillAck, TaskOutput, TaskRun, TaskRunAck, TaskStop, TaskUpdate, WorkerHeartbeat, WorkerHello } from './messages';
import {
  HelloAckSchema,
  TaskKillAckSchema,
  TaskKillSchema,
  TaskOutputSchema,
  TaskRunAckSchema,
  TaskRunSchema,
  TaskStopSchema,
  TaskUpdateSchema,
  WorkerHeartbeatSchema,
  WorkerHelloSchema,
} from './messages';

/** Events the server emits to a worker; socket.io's `ServerToClientEvents` / the worker's listen map. */
export interface ServerToWorkerEvents {
  'task:run': (msg: TaskRun, ack: (res: TaskRunAck) => void) => void;
  'task:stop': (msg: TaskStop, ack: (res: TaskKillAck) => void) => void;
  'task:kill': (msg: TaskKill, ack: (res: TaskKillAck) => void) => void;
}

/** Events a worker emits to the server; socket.io's `ClientToServerEvents`. */
export interface WorkerToServerEvents {
  'worker:hello': (msg: WorkerHello, ack: (res: HelloAck) => void) => void;
  'worker:heartbeat': (msg: WorkerHeartbeat) => void;
  'task:update': (msg: TaskUpdate, ack: (res: { recorded: boolean }) => void) => void;
  /** Acked once the chunk is stored, so the worker can hold back a task that prints faster than that. */
  'task:output': (msg: TaskOutput, ack: (res: { stored: boolean }) => void) => void;
}

/** Schema of each event's payload, so both ends validate with the same table. */
export const EventSchemas = {
  'task:run': TaskRunSchema,
  'task:stop': TaskStopSchema,
  'task:kill': TaskKillSchema,
  'worker:hello': WorkerHelloSchema,
  'worker:heartbeat': WorkerHeartbeatSchema,
  'task:update': TaskUpdateSchema,
  'task:output': TaskOutputSchema,
} as const;

/** Schema of each acknowledgement. */
export const AckSchemas = {
  'task:run': TaskRunAckSchema,
  'task:stop': TaskKillAckSchema,
  'task:kill': TaskKillAckSchema,
  'worker:hello': HelloAckSchema,
} as const;
