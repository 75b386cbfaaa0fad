/**
 * Domain errors with a stable `code`. The exception filter maps codes to HTTP statuses; callers
 * check `code`, never the class.
 */
export type DomainErrorCode =
  | 'ValidationFailed'
  | 'InvalidSchedule'
  | 'CronJobNotFound'
  | 'CronJobNameTaken'
  | 'CronJobVersionNotFound'
  | 'TaskNotFound'
  | 'TaskNotRunning'
  | 'RetryExists'
  | 'IdempotencyKeyTaken'
  | 'WorkerNotFound'
  | 'WorkerStillConnected'
  | 'WorkerAlreadyRevoked'
  | 'WorkerEnrolmentOpen'
  | 'WorkerUnavailable'
  | 'WorkerDidNotConfirm'
  | 'ApiTokenNotFound'
  | 'ApiTokenNameTaken'
  | 'WorkflowNotFound'
  | 'WorkflowNameTaken'
  | 'WorkflowBusy'
  | 'WorkflowRunNotFound'
  | 'WorkflowRunEnded'
  | 'WorkflowRunNotRetryable'
  | 'NamespaceNotFound'
  | 'NamespaceExists'
  | 'NamespaceNotEmpty'
  | 'NamespaceQuotaExceeded'
  | 'OutsideNamespace';

export const HTTP_STATUS_BY_CODE: Record<DomainErrorCode, number> = {
  ValidationFailed: 400,
  InvalidSchedule: 400,
  CronJobNotFound: 404,
  CronJobNameTaken: 409,
  CronJobVersionNotFound: 404,
  TaskNotFound: 404,
  TaskNotRunning: 409,
  RetryExists: 409,
  IdempotencyKeyTaken: 409,
  WorkerNotFound: 404,
  WorkerStillConnected: 409,
  WorkerAlreadyRevoked: 409,
  WorkerEnrolmentOpen: 409,
  WorkerUnavailable: 409,
  WorkerDidNotConfirm: 504,
  ApiTokenNotFound: 404,
  ApiTokenNameTaken: 409,
  WorkflowNotFound: 404,
  WorkflowNameTaken: 409,
  WorkflowBusy: 409,
  WorkflowRunNotFound: 404,
  WorkflowRunEnded: 409,
  WorkflowRunNotRetryable: 409,
  NamespaceNotFound: 404,
  NamespaceExists: 409,
  NamespaceNotEmpty: 409,
  NamespaceQuotaExceeded: 409,
  OutsideNamespace: 403,
};

export class DomainError extends Error {
  constructor(
    readonly code: DomainErrorCode,
    message: string,
  ) {
    super(message);
    this.name = code;
  }
}

/** The message of each `…NotFound`: the same whether the thing is absent or out of the token's namespace. */
const NOT_FOUND = {
  CronJob: (id: string) => `cron job ${id} not found`,
  Task: (id: string) => `task ${id} not found`,
  Worker: (id: string) => `worker ${id} not found`,
  Workflow: (ref: string) => `workflow '${ref}' not found (no workflow has this ${/^\d+$/.test(ref) ? 'id or ' : ''}name)`,
  WorkflowRun: (id: string) => `workflow run ${id} not found`,
  ApiToken: (id: string) => `API token ${id} not found`,
  Namespace: (name: string) => `namespace '${name}' not found`,
} satisfies { [K in DomainErrorCode as K extends `${infer W}NotFound` ? W : never]?: (ref: string) => string };

export type NotFoundKind = keyof typeof NOT_FOUND;

export const notFound = (what: NotFoundKind, ref: unknown) => new DomainError(`${what}NotFound`, NOT_FOUND[what](String(ref)));
