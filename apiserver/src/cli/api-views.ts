// The API's views as the CLI reads them, each with the `namespace` every view carries (see the
// namespaces contract). Stands in for the server's DTOs until they carry the field themselves.
import type * as Token from '../auth/dto/api-token.dto';
import type * as Job from '../cronjobs/dto/cronjob.dto';
import type * as Task from '../tasks/dto/task.dto';
import type * as Worker from '../workers/workers.service';
import type * as Workflow from '../workflows/dto/workflow.dto';

export type CronJobView = Job.CronJobView & { namespace: string };
export type TaskView = Task.TaskView & { namespace: string };
export type WorkflowView = Workflow.WorkflowView & { namespace: string };
/** null: the worker serves every namespace. */
export type WorkerView = Worker.WorkerView & { namespace: string | null };
export type WorkerDetail = Worker.WorkerDetail & { namespace: string | null };
/** null: a cluster-wide token. */
export type ApiTokenView = Token.ApiTokenView & { namespace: string | null };
export type CreatedApiToken = Token.CreatedApiToken & { namespace: string | null };
