import { Injectable } from '@nestjs/common';
import type { Actor } from '@cronfleet/shared';
import { SecretBox } from '../../common/secret-box';
import type { CronJobEntity } from '../cronjob.entity';
import type { CronJobVersionEntity } from './cronjob-version.entity';
import { definitionOf, diffJobs } from './job-definition';

/** Who made a change, as the audit log names them: a token's name and role, or `system` for the server itself. */
export interface ChangeAuthor {
  actor: string;
  role: string;
  tokenId: number | null;
}

/** The caller of a REST route. */
export const authorOf = (a: Actor): ChangeAuthor => ({ actor: a.name, role: a.role, tokenId: a.tokenId });

/** A change made by the job files loader (`CRONFLEET_JOBS_DIR`, `CRONFLEET_CONFIG`). */
export const fileAuthor = (file: string): ChangeAuthor => ({ actor: `job file ${file}`.slice(0, 100), role: 'system', tokenId: null });

/** Who made a job that existed before versioning: nobody knows. */
const BEFORE_VERSIONING: ChangeAuthor = { actor: 'before versioning', role: 'system', tokenId: null };

/** A version to write: everything but the job id and the number, which the repository assigns in its transaction. */
export type VersionDraft = Omit<CronJobVersionEntity, 'id' | 'cronjobId' | 'version'>;

/**
 * Makes the versions a change of a job records, from the job as it was (read in the write's
 * transaction) and as it will be. A change that changes nothing records nothing. A job made before
 * versioning (`version` 0) first gets a `baseline`: its definition before this first change, so a
 * rollback can go back to it.
 */
@Injectable()
export class CronJobHistory {
  constructor(private readonly secrets: SecretBox) {}

  created(job: CronJobEntity, author: ChangeAuthor, at = new Date()): VersionDraft[] {
    return [this.draft('created', job, [], author, at)];
  }

  changed(before: CronJobEntity, after: CronJobEntity, author: ChangeAuthor, rolledBackFrom: number | null = null, at = new Date()): VersionDraft[] {
    const changes = diffJobs(before, after, this.secrets);
    if (changes.length === 0) return [];
    const kind = rolledBackFrom === null ? 'updated' : 'rollback';
    return [...this.baseline(before), { ...this.draft(kind, after, changes, author, at), rolledBackFrom }];
  }

  deleted(before: CronJobEntity, author: ChangeAuthor, at = new Date()): VersionDraft[] {
    return [...this.baseline(before), this.draft('deleted', before, [], author, at)];
  }

  private baseline(before: CronJobEntity): VersionDraft[] {
    return before.version > 0 ? [] : [this.draft('baseline', before, [], BEFORE_VERSIONING, before.updatedAt)];
  }

  private draft(kind: VersionDraft['kind'], job: CronJobEntity, changes: VersionDraft['changes'], author: ChangeAuthor, at: Date): VersionDraft {
    return { kind, rolledBackFrom: null, name: job.name, namespace: job.namespace, definition: definitionOf(job, this.secrets), changes, ...author, at };
  }
}
