// A small typed client for the REST API under /api/v1, written from the REST contract rather than
// imported from the server, so the e2e tier checks what a real HTTP client sees.

export type TaskStatus = 'pending' | 'running' | 'success' | 'failed' | 'timeout' | 'killed' | 'lost' | 'skipped' | 'cancelled';
export const FINAL_TASK_STATUSES: readonly TaskStatus[] = ['success', 'failed', 'timeout', 'killed', 'lost', 'skipped', 'cancelled'];

export interface RetryPolicy {
  maxRetries: number;
  backoff?: 'fixed' | 'exponential';
  delaySeconds?: number;
  maxDelaySeconds?: number;
  jitter?: boolean;
}

/** Scheduling policies of a cron job (all optional on input, all present in responses). */
export interface Policies {
  jitterSeconds: number;
  concurrencyPolicy: 'allow' | 'forbid' | 'replace';
  misfirePolicy: 'skip' | 'runOnce' | 'catchUp';
  catchUpLimit: number;
  startingDeadlineSeconds: number | null;
  retry: RetryPolicy | null;
  priority: number;
}

export interface CommandSpec {
  command: string;
  args?: string[];
  env?: Record<string, string>;
  cwd?: string;
}

export interface CreateCronJobInput {
  name: string;
  schedule: string;
  timezone?: string;
  runner: 'command';
  spec: CommandSpec;
  timeoutSeconds?: number;
  enabled?: boolean;
}

export type CreateCronJobWithPolicies = CreateCronJobInput & Partial<Policies>;

export interface CronJob extends Partial<Policies> {
  id: number;
  name: string;
  schedule: string;
  timezone: string;
  runner: 'command';
  spec: CommandSpec;
  timeoutSeconds: number | null;
  enabled: boolean;
  /** ISO-8601; null when the job is disabled or its schedule has no next time. */
  nextRunAt: string | null;
  createdAt: string;
  updatedAt: string;
}

export interface Task {
  id: number;
  cronjobId: number | null;
  namespace: string;
  status: TaskStatus;
  attempt: number;
  trigger: string;
  scheduledAt: string | null;
  startedAt: string | null;
  finishedAt: string | null;
  exitCode: number | null;
  workerId: number | string | null;
  error: unknown;
  runAt?: string | null;
  retryOf?: number | null;
  priority?: number;
  signal?: string | null;
  pendingReason?: string | null;
  shard?: { index: number; count: number } | null;
  control?: { action: 'stop' | 'kill'; state: 'confirmed' | 'unconfirmed'; reason: string } | null;
}

export interface WorkerInfo {
  id: number | string;
  name: string;
  hostname: string;
  status: 'online' | 'unreachable' | 'offline';
  capacity: number;
  running: number;
  labels: Record<string, string>;
  /** Runners the worker offers, built-ins then plugin runners, as its hello named them. */
  runners?: string[];
  lastHeartbeatAt: string | null;
  draining?: boolean;
  drained?: boolean;
  shuttingDown?: boolean;
  stats?: { loadPerCpu: number; rssBytes: number; hostFreeMemoryBytes: number; hostTotalMemoryBytes: number; lastError: unknown } | null;
  /** Its credential's state (never the credential). */
  enrolment?: { state: 'enrolled' | 'open' | 'revoked'; enrolledAt: string | null; revokedAt: string | null };
}

export interface WorkerDetail extends WorkerInfo {
  tasks: { id: number; cronjobId: number | null; status: string; rssBytes: number | null }[];
}

export interface ControlResult {
  taskId: number;
  action: 'stop' | 'kill';
  workerId: number | null;
  confirmed: boolean;
}

/** The error body every non-2xx JSON answer carries. */
export interface ErrorBody {
  statusCode: number;
  error: string;
  /** A person-readable message; NestJS validation may give a list of them. */
  message: string | string[];
}

export interface TaskQuery {
  cronjobId?: number;
  status?: TaskStatus;
  limit?: number;
}

/** Thrown when the server answers with another status than the one a method expects. */
export class ApiError extends Error {
  override readonly name = 'ApiError';
  constructor(
    readonly method: string,
    readonly path: string,
    readonly status: number,
    readonly text: string,
  ) {
    super(`${method} ${path} answered ${status}: ${text.slice(0, 2000)}`);
  }

  /** The body as JSON, or undefined when it is not JSON. */
  json(): unknown {
    try {
      return JSON.parse(this.text);
    } catch {
      return undefined;
    }
  }
}

/** Each request is bounded so that a hung server fails the test instead of the whole run. */
const REQUEST_TIMEOUT_MS = 10_000;

export class ApiClient {
  constructor(
    readonly baseUrl: string,
    readonly token: string | undefined,
  ) {}

  /** The same client with another bearer token, or none. */
  withToken(token: string | undefined): ApiClient {
    return new ApiClient(this.baseUrl, token);
  }

  /** A new API token (`POST /tokens`); its secret is `token`. */
  createToken(input: { name: string; role: string; namespace?: string; expiresInSeconds?: number }): Promise<{ id: number; name: string; token: string; namespace: string | null }> {
    return this.json('POST', '/tokens', 201, input);
  }
  /** The same client with a new token of its own (see createToken). */
  async withNewToken(input: { name: string; role: string; namespace?: string }): Promise<ApiClient> {
    return this.withToken((await this.createToken(input)).token);
  }

  createCronJob(input: CreateCronJobInput | Record<string, unknown>): Promise<CronJob> {
    return this.json('POST', '/cronjobs', 201, input);
  }
  listCronJobs(): Promise<{ items: CronJob[] }> {
    return this.json('GET', '/cronjobs', 200);
  }
  getCronJob(id: number): Promise<CronJob> {
    return this.json('GET', `/cronjobs/${id}`, 200);
  }
  updateCronJob(id: number, patch: Partial<CreateCronJobInput>): Promise<CronJob> {
    return this.json('PATCH', `/cronjobs/${id}`, 200, patch);
  }
  async deleteCronJob(id: number): Promise<void> {
    await this.send('DELETE', `/cronjobs/${id}`, [200, 204]);
  }
  runCronJob(id: number): Promise<{ taskId: number }> {
    return this.json('POST', `/cronjobs/${id}/run`, 202);
  }

  listTasks(query: TaskQuery = {}): Promise<{ items: Task[]; nextCursor: string | number | null }> {
    const params = new URLSearchParams();
    for (const [k, v] of Object.entries(query)) if (v !== undefined) params.set(k, String(v));
    const qs = params.toString();
    return this.json('GET', qs ? `/tasks?${qs}` : '/tasks', 200);
  }
  getTask(id: number): Promise<Task> {
    return this.json('GET', `/tasks/${id}`, 200);
  }
  async taskOutput(id: number): Promise<string> {
    return (await this.send('GET', `/tasks/${id}/output`, [200])).text;
  }
  killTask(id: number): Promise<ControlResult> {
    return this.json('POST', `/tasks/${id}/kill`, 200);
  }
  stopTask(id: number, graceSeconds?: number): Promise<ControlResult> {
    return this.json('POST', `/tasks/${id}/stop`, 200, graceSeconds === undefined ? undefined : { graceSeconds });
  }
  listWorkers(): Promise<{ items: WorkerInfo[] }> {
    return this.json('GET', '/workers', 200);
  }
  getWorker(id: number | string): Promise<WorkerDetail> {
    return this.json('GET', `/workers/${id}`, 200);
  }
  drainWorker(id: number | string, drain = true): Promise<WorkerDetail> {
    return this.json('POST', `/workers/${id}/${drain ? 'drain' : 'undrain'}`, 200);
  }
  revokeWorker(id: number | string): Promise<WorkerDetail> {
    return this.json('POST', `/workers/${id}/revoke`, 200);
  }
  reenrolWorker(id: number | string): Promise<WorkerDetail> {
    return this.json('POST', `/workers/${id}/reenrol`, 200);
  }

  /** Any JSON request expecting one of `expected`; for endpoints without a helper. */
  async call<T>(method: string, path: string, expected: readonly number[], body?: unknown): Promise<T> {
    const { text } = await this.send(method, path, expected, body);
    return (text ? JSON.parse(text) : undefined) as T;
  }

  /** Any request; throws {@link ApiError} when the status is not one of `expected`. */
  async send(
    method: string,
    path: string,
    expected: readonly number[],
    body?: unknown,
  ): Promise<{ status: number; text: string; contentType: string }> {
    const headers: Record<string, string> = { accept: 'application/json' };
    if (this.token !== undefined) headers.authorization = `Bearer ${this.token}`;
    if (body !== undefined) headers['content-type'] = 'application/json';
    const res = await fetch(`${this.baseUrl}/api/v1${path}`, {
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
      signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
    });
    const text = await res.text();
    if (!expected.includes(res.status)) throw new ApiError(method, path, res.status, text);
    return { status: res.status, text, contentType: res.headers.get('content-type') ?? '' };
  }

  private async json<T>(method: string, path: string, expected: number, body?: unknown): Promise<T> {
    const { text } = await this.send(method, path, [expected], body);
    try {
      return JSON.parse(text) as T;
    } catch {
      throw new Error(`${method} ${path} answered ${expected} with a body that is not JSON: ${text.slice(0, 500)}`);
    }
  }
}

/** Awaits a request that must fail with `status` and returns the error. Fails when it succeeds or fails otherwise. */
export async function expectApiError(request: Promise<unknown>, status: number): Promise<ApiError> {
  let result: unknown;
  try {
    result = await request;
  } catch (e) {
    if (!(e instanceof ApiError)) throw e;
    if (e.status !== status) throw new Error(`expected status ${status}, got ${e.message}`);
    return e;
  }
  throw new Error(`expected status ${status}, but the request succeeded with ${JSON.stringify(result)}`);
}

/** The error's body, checked against the `{ statusCode, error, message }` shape. */
export function errorBody(e: ApiError): ErrorBody {
  const body = e.json() as Partial<ErrorBody> | undefined;
  const shaped =
    body !== undefined &&
    body.statusCode === e.status &&
    typeof body.error === 'string' &&
    (typeof body.message === 'string' || Array.isArray(body.message));
  if (!shaped) throw new Error(`${e.method} ${e.path}: the ${e.status} body is not { statusCode, error, message }: ${e.text}`);
  return body as ErrorBody;
}

/** The error message as one string, whether the server sent one message or a list. */
export function messageText(body: ErrorBody): string {
  return Array.isArray(body.message) ? body.message.join('; ') : body.message;
}
