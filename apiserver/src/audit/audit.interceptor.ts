import { CallHandler, ExecutionContext, Injectable, NestInterceptor } from '@nestjs/common';
import { catchError, concatMap, from, Observable, throwError } from 'rxjs';
import { isMutating, type HttpRequest, type HttpResponse } from '../auth/http-request';
import { describeError } from '../common/http-exception.filter';
import { AuditService } from './audit.service';

/**
 * Appends an audit entry for every mutating call that got past the guard, once its outcome is
 * known, before the answer is sent (so a client that reads the log next finds its call there).
 * Calls the guard refused for their role are recorded by the guard; unauthenticated ones are not
 * recorded (they have no actor, and a flood of them must not cost a write each).
 */
@Injectable()
export class AuditInterceptor implements NestInterceptor {
  constructor(private readonly audit: AuditService) {}

  intercept(ctx: ExecutionContext, next: CallHandler): Observable<unknown> {
    if (ctx.getType() !== 'http') return next.handle();
    const req = ctx.switchToHttp().getRequest<HttpRequest>();
    if (!isMutating(req) || !req.actor) return next.handle();
    const res = ctx.switchToHttp().getResponse<HttpResponse>();
    return next.handle().pipe(
      concatMap((body: unknown) =>
        from(this.audit.recordRequest(req, res.statusCode, body).then(() => body)),
      ),
      catchError((e: unknown) => from(this.audit.recordRequest(req, describeError(e).status)).pipe(concatMap(() => throwError(() => e)))),
    );
  }
}
