import { AuditEntryEntity } from './audit/audit-entry.entity';
import { ApiTokenEntity } from './auth/api-token.entity';
import { CronJobEntity } from './cronjobs/cronjob.entity';
import { CronJobVersionEntity } from './cronjobs/versions/cronjob-version.entity';
import { SchedulerStateEntity } from './dispatcher/scheduler-state.entity';
import { NamespaceEntity } from './namespaces/namespace.entity';
import { TaskOutputEntity } from './tasks/task-output.entity';
import { TaskEntity } from './tasks/task.entity';
import { WorkerEntity } from './workers/worker.entity';
import { WorkflowRunEntity } from './workflows/workflow-run.entity';
import { WorkflowEntity } from './workflows/workflow.entity';

/**
 * Every table the server maps, for openDatabase (database/data-source.ts). It sits beside the module
 * tree because it names every feature: the database folder, which the features import, names none.
 */
export const ENTITIES = [CronJobEntity, TaskEntity, TaskOutputEntity, WorkerEntity, SchedulerStateEntity, ApiTokenEntity, AuditEntryEntity, WorkflowEntity, WorkflowRunEntity, CronJobVersionEntity, NamespaceEntity];
