import type { FieldChange, VersionSummary, VersionView } from '@cronfleet/shared';
import { describe, relative, section, table, truncate, when } from './format';

// Human renderings of a cron job's versions for `-o table`. JSON and YAML output never pass through here.

export function versionTable(items: readonly VersionSummary[], nowMs: number): string {
  if (items.length === 0) return 'no versions (a job made before versioning has none until its first change)';
  return table(
    ['version', 'kind', 'when', 'by', 'changes'],
    items.map((v) => [String(v.version), kindLabel(v), relative(v.at, nowMs), `${v.actor} (${v.role})`, truncate(v.changes.map((c) => c.field).join(', ') || '-', 70)]),
  );
}

export function versionDetail(v: VersionView, nowMs: number): string {
  const head = describe([
    ['Cron job', `${v.definition.name} (id ${v.cronjobId})`],
    ['Version', v.version],
    ['Kind', kindLabel(v)],
    ['When', when(v.at, nowMs)],
    ['By', `${v.actor} (${v.role}${v.tokenId === null ? '' : `, token ${v.tokenId}`})`],
  ]);
  const changes = v.changes.length ? section('Changes', v.changes.map(changeLine).join('\n')) : 'Changes: none listed';
  return `${head}\n${changes}\n${section('Definition', v.definition)}`;
}

/** `schedule: "@hourly" → "@daily"`; secrets by name only. */
export function changeLine(c: FieldChange): string {
  const value = (x: unknown) => truncate(JSON.stringify(x) ?? 'null', 60);
  return `${c.field}: ${value(c.before)} → ${value(c.after)}${c.redacted ? ' (secret values hidden)' : ''}`;
}

function kindLabel(v: Pick<VersionSummary, 'kind' | 'rolledBackFrom'>): string {
  return v.kind === 'rollback' ? `rollback to ${v.rolledBackFrom}` : v.kind;
}
