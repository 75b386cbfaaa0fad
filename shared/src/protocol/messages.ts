import { z } from 'zod';
import { SerializedErrorSchema, type SerializedError } from './errors';
import { TRACEPARENT_PATTERN } from '../tracing/traceparent';
import { NamespaceNameSchema } from './namespaces';
import { EnvSchema, isBuiltinRunner, RunnerWithSpecSchema, type BuiltinRunnerWithSpec, type PluginRunnerWithSpec } from './runners';

const TaskId = z.number().int().positive();
const EpochMs = z.number().int().nonnegative();
const Labels = z.record(z.string().min(1).max(63), z.string().max(255));
/** A worker's own credential: 32 random bytes, base64url (43 characters); a little room for other lengths. */
const WorkerCredential = z.string().min(16).max(256);

/**
 * Task states. `pending` and `running` are live; the rest are final. `skipped` (a due time not run
 * because of the job's concurrency policy or starting deadline) and `cancelled` (a pending task
 * deleted through the API) never reach a worker.
 */
export const TASK_STATUSES = ['pending', 'running', 'success', 'failed', 'timeout', 'killed', 'lost', 'skipped', 'cancelled'] as const;
export type TaskStatus = (typeof TASK_STATUSES)[number];
export const FINAL_TASK_STATUSES: readonly TaskStatus[] = ['success', 'failed', 'timeout', 'killed', 'lost', 'skipped', 'cancelled'];

/** Worker → server, first message after connecting; answered through the ack with {@link HelloAck}. */
export const WorkerHelloSchema = z.object({
  /** Unique name of the worker in the fleet (default: the hostname). */
  name: z.string().min(1).max(128),
  hostname: z.string().min(1).max(255),
  /** Worker software version. */
  version: z.string().max(64),
  /** Must equal the server's PROTOCOL_VERSION. */
  protocolVersion: z.number().int(),
  /** Most tasks the worker runs at once. */
  capacity: z.number().int().min(1).max(10_000),
  labels: Labels,
  /** Runners this worker can run. */
  runners: z.array(z.string().min(1).max(64)).min(1),
  /**
   * Tasks this worker still holds (non-empty after a reconnect): running, or ended with the result
   * not yet acknowledged by the server. The server declares the worker's other live tasks lost.
   */
  runningTaskIds: z.array(TaskId),
  /** Worker's clock at send time, epoch ms; the server refuses a clock more than 5 s off its own. */
  clockMs: EpochMs,
  /**
   * Random per worker process: a reconnect of the same process carries the same one, so the server
   * can tell it from a second process using the same name.
   */
  sessionId: z.string().min(1).max(64).optional(),
  /** The worker is draining (SIGTERM received): it takes no new tasks and exits once its tasks end. */
  draining: z.boolean().default(false),
  /** The one namespace whose tasks this worker runs; absent: every namespace's. */
  namespace: NamespaceNameSchema.optional(),
  /**
   * The credential the server issued to this worker name at its enrolment (see {@link HelloAckSchema}),
   * read from the worker's state directory. Absent before the first enrolment. Once a name is
   * enrolled, a hello without it, or with another one, is refused (`WorkerCredentialRefused`).
   * A secret: never logged. Optional, so PROTOCOL_VERSION stays 2 and an older worker still enrols.
   */
  credential: WorkerCredential.optional(),
  /**
   * The worker keeps the credential a {@link HelloAck} may carry (workers from this version on).
   * Only such a worker is enrolled; one without it (from before credentials) is let in on the
   * worker token alone while its name is not enrolled, rather than issued a credential it would lose.
   */
  keepsCredential: z.boolean().optional(),
});
export type WorkerHello = z.infer<typeof WorkerHelloSchema>;

export const HelloAckSchema = z.discriminatedUnion('ok', [
  z.object({
    ok: z.literal(true),
    /** Id the server knows this worker by. */
    workerId: z.number().int().positive(),
    /** Seconds between heartbeats the server expects. */
    heartbeatSeconds: z.number().positive(),
    /**
     * Present once, in the ack of the hello that enrolled this worker name (its first hello, or the
     * first after an admin re-enrolled it): the credential the worker must carry in every later
     * hello. The worker keeps it in its state directory (file `credential`, mode 0600); the server
     * keeps only its hash. A secret: never logged.
     */
    credential: WorkerCredential.optional(),
  }),
  /**
   * Refused: the worker logs the error and exits. Codes: `InvalidMessage`, `ProtocolMismatch`,
   * `ClockSkew`, `UnknownNamespace`, `WorkerNameTaken` (another live connection holds the name),
   * `WorkerCredentialRefused` (the name is enrolled and the hello's credential is missing or wrong),
   * `WorkerRevoked` (an admin revoked the name), `WorkerEnrolmentChanged` (revoked, re-enrolled or
   * enrolled by another process while this hello was handled).
   */
  z.object({ ok: z.literal(false), error: SerializedErrorSchema }),
]);
export type HelloAck = z.infer<typeof HelloAckSchema>;

/** Host and process figures a worker reports with every heartbeat. */
export const WorkerStatsSchema = z.object({
  /** The host's 1-minute load average divided by its CPU count (1 = every core busy). */
  loadPerCpu: z.number().nonnegative(),
  /** Resident memory of the worker process and of the tasks it runs, bytes (tasks: best effort, 0 if unknown). */
  rssBytes: z.number().int().nonnegative(),
  /** The host's free and total memory, bytes. */
  hostFreeMemoryBytes: z.number().int().nonnegative(),
  hostTotalMemoryBytes: z.number().int().nonnegative(),
  /** The last error the worker hit (spawn failure, refused task, failed delivery), if any. */
  lastError: z.object({ atMs: EpochMs, code: z.string().max(128), message: z.string().max(2000) }).nullable(),
  /** Resident memory of each running task's main process, bytes (0 if unknown). */
  tasks: z.array(z.object({ taskId: TaskId, rssBytes: z.number().int().nonnegative() })).max(10_000).default([]),
});
export type WorkerStats = z.infer<typeof WorkerStatsSchema>;

/** Worker → server, every `heartbeatSeconds`, and at once when the worker starts draining. */
export const WorkerHeartbeatSchema = z.object({
  /** As in {@link WorkerHelloSchema}. */
  runningTaskIds: z.array(TaskId),
  atMs: EpochMs,
  /** See {@link WorkerHelloSchema}'s `draining`. */
  draining: z.boolean().default(false),
  stats: WorkerStatsSchema.optional(),
});
export type WorkerHeartbeat = z.infer<typeof WorkerHeartbeatSchema>;

/** What every task:run carries besides its runner and spec. */
const TaskRunBaseSchema = z.object({
  taskId: TaskId,
  cronjobId: z.number().int().positive().nullable(),
  cronjobName: z.string().nullable(),
  attempt: z.number().int().min(1),
  /** The due time this task executes, epoch ms. */
  scheduledAtMs: EpochMs,
  /** Kill the task (status `timeout`) after this many seconds; null: no limit. */
  timeoutSeconds: z.number().int().positive().nullable(),
  /** The job's `env`, under the spec's own `env`. */
  env: EnvSchema.default({}),
  /**
   * The job's secret environment, decrypted for this run only: given to the task over everything
   * else, never logged, and masked as `***` in the task's output.
   */
  secretEnv: EnvSchema.default({}),
  /** Broadcast jobs: this task's shard (0-based) among `count` tasks of the same due time. */
  shard: z.object({ index: z.number().int().nonnegative(), count: z.number().int().positive() }).nullable().default(null),
  /**
   * W3C traceparent of the server's `task.dispatch` span, present only when the server traces: the
   * worker's `task.run` span is its child. Optional, so PROTOCOL_VERSION stays 2: zod objects strip
   * keys they do not know, and a worker without it ignores the field.
   */
  traceparent: z.string().max(55).regex(TRACEPARENT_PATTERN, 'expected a W3C traceparent (00-<trace id>-<span id>-<flags>)').optional(),
});

/**
 * Server → worker: run this task now. Answered through the ack with {@link TaskRunAck}. The runner
 * is a built-in one or a plugin runner the worker named in its hello (see RunnerWithSpecSchema).
 */
export const TaskRunSchema = TaskRunBaseSchema.and(RunnerWithSpecSchema);
export type TaskRun = z.infer<typeof TaskRunSchema>;
/** A task of a built-in runner: switching on `runner` narrows `spec`. */
export type BuiltinTaskRun = z.infer<typeof TaskRunBaseSchema> & BuiltinRunnerWithSpec;
/** A task of a plugin runner: `spec` is the job's free-form object, for the plugin to check. */
export type PluginTaskRun = z.infer<typeof TaskRunBaseSchema> & PluginRunnerWithSpec;

export function isBuiltinTask(task: TaskRun): task is BuiltinTaskRun {
  return isBuiltinRunner(task.runner);
}

export const TaskRunAckSchema = z.discriminatedUnion('accepted', [
  z.object({ accepted: z.literal(true) }),
  z.object({ accepted: z.literal(false), error: SerializedErrorSchema }),
]);
export type TaskRunAck = z.infer<typeof TaskRunAckSchema>;

/** Server → worker: kill the task's whole process group now (SIGKILL). */
export const TaskKillSchema = z.object({
  taskId: TaskId,
  reason: z.string().max(500).optional(),
});
export type TaskKill = z.infer<typeof TaskKillSchema>;

export const TaskKillAckSchema = z.object({
  /** false when the worker does not run this task (already finished or unknown). */
  found: z.boolean(),
});
export type TaskKillAck = z.infer<typeof TaskKillAckSchema>;

/**
 * Server → worker: stop the task gracefully: SIGTERM to its process group (docker stop, abort of an
 * HTTP request), then the kill of {@link TaskKillSchema} if it is still running after `graceSeconds`.
 * The ack ({@link TaskKillAck}) comes at once, when the stop has begun; the task's end is reported
 * as usual through `task:update` (status `killed`).
 */
export const TaskStopSchema = z.object({
  taskId: TaskId,
  graceSeconds: z.number().int().min(0).max(3600),
  reason: z.string().max(500).optional(),
});
export type TaskStop = z.infer<typeof TaskStopSchema>;

/** Worker → server: a task changed state. Acked so the worker knows the result was recorded. */
export const TaskUpdateSchema = z.object({
  taskId: TaskId,
  status: z.enum(['running', 'success', 'failed', 'timeout', 'killed']),
  atMs: EpochMs,
  /** Process exit code, when the process exited by itself. */
  exitCode: z.number().int().nullable().optional(),
  /** Signal that ended the process, e.g. `SIGKILL`. */
  signal: z.string().max(32).nullable().optional(),
  error: SerializedErrorSchema.nullable().optional(),
  /** An http task's response status, when a response came (older workers never send it; older servers ignore it). */
  httpStatus: z.number().int().min(100).max(599).nullable().optional(),
});
export type TaskUpdate = z.infer<typeof TaskUpdateSchema>;

/** Worker → server: output of a task, stdout and stderr interleaved as produced, batched. */
export const TaskOutputSchema = z.object({
  taskId: TaskId,
  /** 0, 1, 2, … per task; lets the server order and de-duplicate chunks. */
  seq: z.number().int().nonnegative(),
  data: z.string().max(4 * 1024 * 1024),
});
export type TaskOutput = z.infer<typeof TaskOutputSchema>;

/**
 * Most items in one batch event. Batches are what goes over the wire: each side collects what it
 * has to send in one turn of its event loop and sends it as one message with one ack, so a busy
 * fleet pays for one socket.io message per batch instead of one per task (see docs/benchmarks.md).
 */
export const MAX_BATCH = 500;

/** Server → worker: run these tasks now. Each is accepted or refused on its own ({@link TaskRunsAck}). */
export const TaskRunsSchema = z.object({ tasks: z.array(TaskRunSchema).min(1).max(MAX_BATCH) });
export type TaskRuns = z.infer<typeof TaskRunsSchema>;
/** One answer per task, in the order sent. */
export const TaskRunsAckSchema = z.object({ acks: z.array(TaskRunAckSchema).max(MAX_BATCH) });
export type TaskRunsAck = z.infer<typeof TaskRunsAckSchema>;

/** Worker → server: task state changes. */
export const TaskUpdatesSchema = z.object({ updates: z.array(TaskUpdateSchema).min(1).max(MAX_BATCH) });
export type TaskUpdates = z.infer<typeof TaskUpdatesSchema>;
/**
 * Per update, in the order sent: stored (or already final). `error` names the first item refused as
 * malformed, or the whole batch when its envelope is (then `recorded` is empty).
 */
export interface TaskUpdatesAck {
  recorded: boolean[];
  /**
   * Per update, why it was not recorded (null where it was). Not `retryable`: the server will never
   * record it (the task does not exist, was not given to this worker, or has ended otherwise), so the
   * worker drops it; retryable: the server could not store it now.
   */
  refusals?: (SerializedError | null)[];
  error?: SerializedError;
}

/** Worker → server: output chunks, of one task or several. */
export const TaskOutputsSchema = z.object({ outputs: z.array(TaskOutputSchema).min(1).max(MAX_BATCH) });
export type TaskOutputs = z.infer<typeof TaskOutputsSchema>;
/** Per chunk, in the order sent; `error` as in {@link TaskUpdatesAck}. */
export interface TaskOutputsAck {
  stored: boolean[];
  error?: SerializedError;
}

/** What the worker sends in the socket.io handshake `auth`. */
export const WorkerAuthSchema = z.object({ token: z.string().min(1).max(512) });
export type WorkerAuth = z.infer<typeof WorkerAuthSchema>;
