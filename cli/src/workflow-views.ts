import type { RunSummary, RunView, WorkflowView } from '@cronfleet/shared';
import { describe, ranFor, relative, section, table, when } from './format';
import { paramLine } from './views';

// Human renderings of workflows and their runs for `-o table`. JSON and YAML output never pass through here.

export function workflowTable(items: readonly WorkflowView[], nowMs: number): string {
  if (items.length === 0) return 'no workflows';
  return table(
    ['id', 'namespace', 'name', 'schedule', 'state', 'steps', 'next run'],
    items.map((w) => [String(w.id), w.namespace, w.name, w.schedule ? `${w.schedule} (${w.timezone})` : 'on demand', w.enabled ? 'active' : 'paused', String(w.steps.length), w.enabled ? relative(w.nextRunAt, nowMs) : '-']),
  );
}

export function workflowDetail(w: WorkflowView, nowMs: number): string {
  const head = describe([
    ['Name', w.name],
    ['Namespace', w.namespace],
    ['ID', w.id],
    ['Description', w.description ?? undefined],
    ['Schedule', w.schedule ? `${w.schedule} (${w.timezone})` : 'none: runs on demand'],
    ['State', w.enabled ? 'active' : 'paused'],
    ['Params', w.params?.length ? w.params.map(paramLine).join('; ') : undefined],
    ['Next run', w.enabled && w.schedule ? when(w.nextRunAt, nowMs) : undefined],
    ['Created', when(w.createdAt, nowMs)],
    ['Updated', when(w.updatedAt, nowMs)],
  ]);
  const steps = table(
    ['step', 'runs', 'depends on', 'when', 'retries'],
    w.steps.map((s) => [s.id, 'group' in s ? groupLabel(s) : s.runner, s.dependsOn.join(',') || '-', s.when, s.retry ? String(s.retry.maxRetries) : '-']),
  );
  return `${head}\n${section('Steps', steps)}`;
}

export function runTable(items: readonly RunSummary[], nowMs: number): string {
  if (items.length === 0) return 'no runs';
  return table(
    ['id', 'workflow', 'status', 'trigger', 'started', 'duration'],
    items.map((r) => [String(r.id), r.workflowName, r.status + (r.retries ? ` (retried ${r.retries}x)` : ''), r.trigger, relative(r.startedAt, nowMs), ranFor(r.startedAt, r.finishedAt, nowMs) ?? '-']),
  );
}

/** A run with one line per step: its state, attempts, tasks and how long it took. */
export function runDetail(r: RunView, nowMs: number): string {
  const head = describe([
    ['Run', r.id],
    ['Workflow', `${r.workflowName} (id ${r.workflowId})`],
    ['Status', r.status],
    ['Reason', r.reason ?? undefined],
    ['Trigger', r.scheduledAt ? `${r.trigger} (due ${r.scheduledAt})` : r.trigger],
    ['Retried', r.retries ? `${r.retries} time(s)` : undefined],
    ['Params', Object.keys(r.params ?? {}).length ? Object.entries(r.params).map(([k, v]) => `${k}=${v}`).join(' ') : undefined],
    ['Started', when(r.startedAt, nowMs)],
    ['Finished', when(r.finishedAt, nowMs)],
    ['Duration', ranFor(r.startedAt, r.finishedAt, nowMs)],
  ]);
  const steps = table(
    ['step', 'state', 'attempts', 'tasks', 'depends on', 'duration'],
    r.steps.map((s) => [
      s.id,
      s.group ? `${s.state} (${s.group.succeeded}/${s.group.size} ok)` : s.state,
      String(s.attempts),
      s.taskIds.join(',') || '-',
      s.dependsOn.length ? `${s.dependsOn.join(',')}${s.when === 'success' ? '' : ` (${s.when})`}` : '-',
      ranFor(s.startedAt, s.finishedAt, nowMs) ?? '-',
    ]),
  );
  return `${head}\n${section('Steps', steps)}`;
}

function groupLabel(s: Extract<WorkflowView['steps'][number], { group: unknown }>): string {
  const size = 'items' in s.group ? s.group.items.length : s.group.forEach.length;
  const need = typeof s.succeedWhen === 'object' ? `at least ${s.succeedWhen.atLeast}` : s.succeedWhen;
  return `group of ${size}${'forEach' in s.group ? ` ${s.group.runner}` : ''} (${need}${s.maxParallel ? `, ${s.maxParallel} at a time` : ''})`;
}
