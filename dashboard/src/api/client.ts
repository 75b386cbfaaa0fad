import { signOut, token } from './session';
import type { Caller } from '../app/role';
import type { CronJob, CronJobVersion, CronJobVersionDetail, Namespace, Page, Readiness, RunJobBody, RunStatus, RunWorkflowBody, SchedulerStatus, Task, TimelineRun, Worker, Workflow, WorkflowRun, WorkflowRunSummary } from './types';

/** A refused or failed call, with the server's message (which names the field and the problem). */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

type Query = Record<string, string | number | boolean | undefined | null>;

export function withQuery(path: string, q: Query = {}): string {
  const params = new URLSearchParams();
  for (const [k, v] of Object.entries(q)) if (v !== undefined && v !== null && v !== '') params.set(k, String(v));
  const s = params.toString();
  return s ? `${path}?${s}` : path;
}

export function authHeaders(t: string | null = token()): Record<string, string> {
  return t ? { Authorization: `Bearer ${t}` } : {};
}

/** Reads an error body `{ statusCode, error, code, message }`, or makes one from the status. */
export async function errorOf(res: Response): Promise<ApiError> {
  let code = `Http${res.status}`;
  let message = `${res.status} ${res.statusText}`;
  try {
    const body = (await res.json()) as { code?: string; message?: string | string[] };
    if (body.code) code = body.code;
    if (body.message) message = Array.isArray(body.message) ? body.message.join('; ') : body.message;
  } catch {
    // not JSON: keep the status line
  }
  return new ApiError(res.status, code, message);
}

async function call<T>(method: string, path: string, body?: unknown, t?: string): Promise<T> {
  let res: Response;
  try {
    res = await fetch(path, {
      method,
      headers: { ...authHeaders(t ?? token()), ...(body === undefined ? {} : { 'Content-Type': 'application/json' }) },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  } catch (e) {
    throw new ApiError(0, 'Unreachable', `the server did not answer (${(e as Error).message})`);
  }
  if (res.status === 401 && t === undefined) signOut();
  if (!res.ok) throw await errorOf(res);
  if (res.status === 204) return undefined as T;
  const type = res.headers.get('Content-Type') ?? '';
  return (type.includes('json') ? await res.json() : await res.text()) as T;
}

const v1 = '/api/v1';

export const api = {
  /** Checks a token before keeping it. */
  verify: (t: string) => call<SchedulerStatus>('GET', `${v1}/scheduler`, undefined, t),
  self: () => call<Caller>('GET', `${v1}/tokens/self`),

  jobs: (q: { namespace?: string; q?: string; enabled?: boolean; limit?: number; cursor?: string | null }) => call<Page<CronJob>>('GET', withQuery(`${v1}/cronjobs`, q)),
  job: (id: number) => call<CronJob>('GET', `${v1}/cronjobs/${id}`),
  createJob: (body: Record<string, unknown>) => call<CronJob>('POST', `${v1}/cronjobs`, body),
  updateJob: (id: number, body: Record<string, unknown>) => call<CronJob>('PATCH', `${v1}/cronjobs/${id}`, body),
  deleteJob: (id: number) => call<void>('DELETE', `${v1}/cronjobs/${id}`),
  runJob: (id: number, body: RunJobBody = {}) => call<{ taskId: number }>('POST', `${v1}/cronjobs/${id}/run`, body),
  pauseJob: (id: number) => call<CronJob>('POST', `${v1}/cronjobs/${id}/pause`),
  resumeJob: (id: number) => call<CronJob>('POST', `${v1}/cronjobs/${id}/resume`),
  nextRuns: (id: number, count = 5) => call<{ next: string[] }>('GET', withQuery(`${v1}/cronjobs/${id}/next`, { count })),
  /** `anchor`: where an `@every` grid starts; an existing job's createdAt gives its own next runs. */
  preview: (schedule: string, timezone: string, count = 5, anchor?: string) => call<{ next: string[] }>('GET', withQuery(`${v1}/schedules/preview`, { schedule, timezone, count, anchor })),
  timeline: (ids: number[], limit = 20) =>
    call<{ items: { cronjobId: number; runs: TimelineRun[] }[] }>('GET', withQuery(`${v1}/cronjobs/timeline`, { ids: ids.join(','), limit })),

  /** Newest first; `cursor` is the previous page's `nextCursor`. */
  jobVersions: (id: number, q: { limit?: number; cursor?: string | null } = {}) => call<Page<CronJobVersion>>('GET', withQuery(`${v1}/cronjobs/${id}/versions`, q)),
  jobVersion: (id: number, version: number) => call<CronJobVersionDetail>('GET', `${v1}/cronjobs/${id}/versions/${version}`),
  /** Writes `version`'s definition again as a new version; `version: null` in the answer when that changed nothing. */
  rollbackJob: (id: number, version: number) => call<{ cronjob: CronJob; version: CronJobVersion | null }>('POST', `${v1}/cronjobs/${id}/versions/${version}/rollback`),

  tasks: (q: { namespace?: string; cronjobId?: number; status?: string; workerId?: number; since?: string; until?: string; limit?: number; cursor?: string | null }) =>
    call<Page<Task>>('GET', withQuery(`${v1}/tasks`, q)),
  task: (id: number) => call<Task>('GET', `${v1}/tasks/${id}`),
  output: (id: number) => call<string>('GET', `${v1}/tasks/${id}/output`),
  killTask: (id: number) => call<unknown>('POST', `${v1}/tasks/${id}/kill`),
  stopTask: (id: number) => call<unknown>('POST', `${v1}/tasks/${id}/stop`, {}),
  retryTask: (id: number) => call<{ taskId: number }>('POST', `${v1}/tasks/${id}/retry`),
  cancelTask: (id: number) => call<void>('DELETE', `${v1}/tasks/${id}`),

  /** With `namespace`: the workers that serve it, its own and the shared ones. */
  workers: (q: { namespace?: string } = {}) => call<{ items: Worker[] }>('GET', withQuery(`${v1}/workers`, q)),
  drainWorker: (id: number) => call<Worker>('POST', `${v1}/workers/${id}/drain`),
  undrainWorker: (id: number) => call<Worker>('POST', `${v1}/workers/${id}/undrain`),
  removeWorker: (id: number) => call<void>('DELETE', `${v1}/workers/${id}`),
  /** Cuts it off: its connection goes and its hellos are refused until re-enrolled. */
  revokeWorker: (id: number) => call<Worker>('POST', `${v1}/workers/${id}/revoke`),
  /** Its next hello is issued a fresh credential (409 while it is online). */
  reenrolWorker: (id: number) => call<Worker>('POST', `${v1}/workers/${id}/reenrol`),

  workflows: (q: { namespace?: string; q?: string; limit?: number; cursor?: string | null }) => call<Page<Workflow>>('GET', withQuery(`${v1}/workflows`, q)),
  /** By id, or by name in `namespace` (default: the token's, or `default`). */
  workflow: (ref: number | string, q: { namespace?: string } = {}) => call<Workflow>('GET', withQuery(`${v1}/workflows/${encodeURIComponent(ref)}`, q)),
  /** Run now: 202 with the run, its first steps' tasks created. */
  runWorkflow: (ref: number | string, body: RunWorkflowBody = {}) => call<WorkflowRun>('POST', `${v1}/workflows/${encodeURIComponent(ref)}/runs`, body),
  workflowRuns: (ref: number | string, q: { namespace?: string; status?: RunStatus; limit?: number; cursor?: string | null } = {}) =>
    call<Page<WorkflowRunSummary>>('GET', withQuery(`${v1}/workflows/${encodeURIComponent(ref)}/runs`, q)),
  workflowRun: (id: number) => call<WorkflowRun>('GET', `${v1}/workflow-runs/${id}`),
  killRun: (id: number) => call<WorkflowRun>('POST', `${v1}/workflow-runs/${id}/kill`),
  stopRun: (id: number) => call<WorkflowRun>('POST', `${v1}/workflow-runs/${id}/stop`, {}),
  retryRun: (id: number) => call<WorkflowRun>('POST', `${v1}/workflow-runs/${id}/retry`),

  namespaces: () => call<{ items: Namespace[] }>('GET', `${v1}/namespaces`),
  createNamespace: (body: { name: string; description?: string | null; maxJobs?: number | null; maxConcurrentTasks?: number | null }) =>
    call<Namespace>('POST', `${v1}/namespaces`, body),
  updateNamespace: (name: string, body: { description?: string | null; maxJobs?: number | null; maxConcurrentTasks?: number | null }) =>
    call<Namespace>('PATCH', `${v1}/namespaces/${encodeURIComponent(name)}`, body),
  deleteNamespace: (name: string) => call<void>('DELETE', `${v1}/namespaces/${encodeURIComponent(name)}`),

  scheduler: () => call<SchedulerStatus>('GET', `${v1}/scheduler`),
  pauseScheduler: () => call<SchedulerStatus>('POST', `${v1}/scheduler/stop`),
  resumeScheduler: () => call<SchedulerStatus>('POST', `${v1}/scheduler/start`),
  readiness: async (): Promise<Readiness> => {
    const res = await fetch('/readyz');
    return (await res.json()) as Readiness;
  },
};
