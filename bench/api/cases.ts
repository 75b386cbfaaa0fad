// What bench:api sends: the Cronfleet request of each case, and what it is compared with.
import type { HttpRequestSpec } from './http-load';

export const CASES = ['healthz', 'tasks', 'embedded', 'batch', 'cronjobs', 'list'] as const;
export type CaseName = (typeof CASES)[number];

/** Tasks per `POST /api/v1/tasks/batch` request and per BullMQ `addBulk` call. */
export const BATCH_SIZE = 100;

export interface CaseInfo {
  /** The Cronfleet request as the table shows it. */
  title: string;
  /** What the rate counts: requests, or the tasks they carried (batch). */
  unit: 'req' | 'tasks';
  /** The reference measured in the same rounds, if any, and what its rate counts. */
  reference: { label: string; unit: 'req' | 'calls' | 'tasks' } | null;
}

export const CASE_INFO: Record<CaseName, CaseInfo> = {
  healthz: { title: '`GET /healthz`', unit: 'req', reference: { label: 'bare node:http', unit: 'req' } },
  tasks: { title: '`POST /api/v1/tasks` (one task, `delaySeconds: 3600`)', unit: 'req', reference: { label: 'BullMQ queue.add', unit: 'calls' } },
  embedded: { title: '`POST /api/v1/tasks` on the embedded default (SQLite, in-process lock)', unit: 'req', reference: { label: 'BullMQ queue.add', unit: 'calls' } },
  batch: { title: `\`POST /api/v1/tasks/batch\` (${BATCH_SIZE} tasks)`, unit: 'tasks', reference: { label: `BullMQ addBulk (${BATCH_SIZE} jobs)`, unit: 'tasks' } },
  cronjobs: { title: '`POST /api/v1/cronjobs`', unit: 'req', reference: null },
  list: { title: '`GET /api/v1/tasks?limit=50`', unit: 'req', reference: null },
};

/** The one-shot task of the tasks and batch cases: a command task an hour ahead (the delay-queue use). */
export const DELAYED_TASK = { runner: 'command', spec: { command: 'true' }, delaySeconds: 3600 };

let cronjobsMade = 0;

export function cronfleetRequest(name: CaseName, adminToken: string): HttpRequestSpec {
  const auth = { authorization: `Bearer ${adminToken}` };
  const json = { ...auth, 'content-type': 'application/json' };
  switch (name) {
    case 'healthz':
      return { method: 'GET', path: '/healthz', headers: {} };
    case 'tasks':
    case 'embedded':
      return { method: 'POST', path: '/api/v1/tasks', headers: json, body: JSON.stringify(DELAYED_TASK) };
    case 'batch':
      return { method: 'POST', path: '/api/v1/tasks/batch', headers: json, body: batchBody(BATCH_SIZE), countItems: true };
    case 'cronjobs':
      // Unique names; enabled, but due once a year, so they add timers and never run.
      return {
        method: 'POST',
        path: '/api/v1/cronjobs',
        headers: json,
        body: () => JSON.stringify({ name: `api-bench-${process.pid}-${++cronjobsMade}`, schedule: '0 3 1 1 *', runner: 'command', spec: { command: 'true' } }),
      };
    case 'list':
      return { method: 'GET', path: '/api/v1/tasks?limit=50', headers: auth };
  }
}

export function batchBody(n: number): string {
  return JSON.stringify({ tasks: Array.from({ length: n }, () => DELAYED_TASK) });
}

/** Whether the server has the batch endpoint yet: a one-task batch answered 2xx. */
export async function batchAvailable(baseUrl: string, adminToken: string): Promise<{ available: boolean; answer: string }> {
  try {
    const res = await fetch(`${baseUrl}/api/v1/tasks/batch`, {
      method: 'POST',
      headers: { authorization: `Bearer ${adminToken}`, 'content-type': 'application/json' },
      body: batchBody(1),
      signal: AbortSignal.timeout(10_000),
    });
    const text = await res.text();
    return { available: res.ok, answer: `${res.status} ${text.slice(0, 120)}` };
  } catch (e) {
    return { available: false, answer: e instanceof Error ? e.message : String(e) };
  }
}
