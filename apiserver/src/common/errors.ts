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
  | 'WorkerNotFound'
  | 'WorkerStillConnected'
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
  WorkerNotFound: 404,
  WorkerStillConnected: 409,
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

export const notFound = (what: 'CronJob' | 'Task' | 'Worker', id: unknown) =>
  new DomainError(`${what}NotFound`, `${what === 'CronJob' ? 'cron job' : what.toLowerCase()} ${String(id)} not found`);
