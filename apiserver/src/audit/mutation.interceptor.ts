import { CallHandler, ExecutionContext, Injectable, NestInterceptor } from '@nestjs/common';
import { Observable } from 'rxjs';
import { routePattern, type HttpRequest, type HttpResponse } from '../auth/http-request';
import { routeKey } from '../auth/role-policy';
import { describeError } from '../common/http-exception.filter';
import type { Span } from '@opentelemetry/api';
import { ERROR, OK, requestSpan, TaskTracing } from '../observability/task-tracing';
import { AuditService } from './audit.service';

/**
 * What follows every call that changes something (the routes declared with ./mutating-routes):
 * - an audit entry once its outcome is known, written before the answer is sent (a client that reads
 *   the log next finds its call there). Calls the guard refused for their role are recorded by the
 *   guard; unauthenticated ones are not recorded (they have no actor, and a flood of them must not
 *   cost a write each);
 * - with tracing on, a span (`POST /api/v1/cronjobs/{id}/run`), the child of the caller's W3C
 *   `traceparent` when it sends one, so a task made by the call joins the caller's trace
 *   (TaskTracing.created reads it from `requestSpan`). Attributes: method, route pattern and status
 *   only; never the URL, query, body or headers. Tracing off: one null check.
 * Reads have no interceptor at all: Nest then calls their handlers directly, without the
 * observable chain an interceptor costs on every request.
 */
@Injectable()
export class MutationInterceptor implements NestInterceptor {
  constructor(
    private readonly audit: AuditService,
    private readonly tracing: TaskTracing,
  ) {}

  intercept(ctx: ExecutionContext, next: CallHandler): Observable<unknown> {
    const http = ctx.switchToHttp();
    const req = http.getRequest<HttpRequest>();
    const res = http.getResponse<HttpResponse>();
    const tracer = this.tracing.tracer;
    let span: Span | null = null;
    let traceparent: string | null = null;
    if (tracer) {
      const route = routeKey(req.method, routePattern(req));
      const header = req.headers.traceparent;
      span = tracer.start(route, typeof header === 'string' ? header : null, { 'http.request.method': req.method.toUpperCase(), 'http.route': route.slice(route.indexOf(' ') + 1) });
      traceparent = tracer.traceparent(span);
    }
    const settle = async (status: number, answer?: unknown): Promise<void> => {
      await this.audit.recordRequest(req, status, answer);
      if (span) {
        span.setAttribute('http.response.status_code', status);
        span.setStatus({ code: status >= 500 ? ERROR : OK });
        span.end();
      }
    };
    // The handler runs when the observable is subscribed: with a span, subscribe inside the request's context.
    return new Observable((subscriber) => {
      let answer: unknown;
      const run = () =>
        next.handle().subscribe({
          next: (v) => {
            answer = v;
          },
          error: (e: unknown) => {
            settle(describeError(e).status).then(() => subscriber.error(e), () => subscriber.error(e));
          },
          complete: () => {
            settle(res.statusCode, answer).then(
              () => {
                subscriber.next(answer);
                subscriber.complete();
              },
              (e: unknown) => subscriber.error(e),
            );
          },
        });
      const sub = span ? requestSpan.run({ span, traceparent: traceparent! }, run) : run();
      return () => sub.unsubscribe();
    });
  }
}
