import type { NamedJob, VersionSummary, VersionView } from '@cronfleet/shared';
import type { CronJobVersionEntity } from './cronjob-version.entity';
import { toDefinitionView } from './job-definition';

/** A job found by name in its versions: its id, where it is (or was), and its latest version. */
export function toNamedJob(v: Pick<CronJobVersionEntity, 'cronjobId' | 'name' | 'namespace' | 'version' | 'kind' | 'at'>): NamedJob {
  return {
    cronjobId: v.cronjobId,
    name: v.name,
    namespace: v.namespace,
    deleted: v.kind === 'deleted',
    version: v.version,
    at: v.at.toISOString(),
  };
}

/** A version without its definition: what a list shows. */
export function toVersionSummary(v: Omit<CronJobVersionEntity, 'id' | 'definition'>): VersionSummary {
  return {
    cronjobId: v.cronjobId,
    version: v.version,
    kind: v.kind,
    rolledBackFrom: v.rolledBackFrom,
    actor: v.actor,
    role: v.role,
    tokenId: v.tokenId,
    at: v.at.toISOString(),
    changes: v.changes,
  };
}

/** A version with the job's whole definition at it, secret values left out (names only). */
export function toVersionView(v: Omit<CronJobVersionEntity, 'id'>): VersionView {
  const definition = toDefinitionView(v.definition);
  // A version written before jobs had params stored none: shown as [] like the job itself.
  return { ...toVersionSummary(v), definition: { ...definition, params: definition.params ?? [] } as VersionView['definition'] };
}
