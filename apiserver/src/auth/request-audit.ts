import type { HttpRequest } from './http-request';

/**
 * Where the guard records the mutating calls it refuses (role and namespace refusals): the audit
 * log, which AuditModule provides with AuditService. audit/ sits above auth/: it reads the caller
 * the guard leaves on the request.
 */
export abstract class RequestAudit {
  abstract recordRequest(req: HttpRequest, status: number): Promise<void>;
}
