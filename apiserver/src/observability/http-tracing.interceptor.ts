import { CallHandler, ExecutionContext, Injectable, NestInterceptor } from '@nestjs/common';
import { Observable } from 'rxjs';
import { isMutating, routePattern, type HttpRequest, type HttpResponse } from '../auth/http-request';
import { routeKey } from '../auth/role-policy';
import { describeError } from '../common/http-exception.filter';
import { ERROR, OK, requestSpan, TaskTracing } from './task-tracing';

/**
 * With tracing on, a span for every mutating REST request (`POST /api/v1/cronjobs/{id}/run`), the
 * child of the caller's W3C `traceparent` header when it sends one, so a task made by the request
 * joins the caller's trace (TaskTracing.created reads it from `requestSpan`). Reads make no spans.
 * Attributes: method, route pattern and status only; never the URL, query, body or headers.
 * Tracing off: one null check.
 */
@Injectable()
export class HttpTracingInterceptor implements NestInterceptor {
  constructor(private readonly tracing: TaskTracing) {}

  intercept(ctx: ExecutionContext, next: CallHandler): Observable<unknown> {
    const tracer = this.tracing.tracer;
    if (!tracer || ctx.getType() !== 'http') return next.handle();
    const req = ctx.switchToHttp().getRequest<HttpRequest>();
    if (!isMutating(req)) return next.handle();
    const route = routeKey(req.method, routePattern(req));
    const header = req.headers.traceparent;
    const span = tracer.start(route, typeof header === 'string' ? header : null, { 'http.request.method': req.method.toUpperCase(), 'http.route': route.slice(route.indexOf(' ') + 1) });
    const end = (status: number) => {
      span.setAttribute('http.response.status_code', status);
      span.setStatus({ code: status >= 500 ? ERROR : OK });
      span.end();
    };
    const res = ctx.switchToHttp().getResponse<HttpResponse>();
    // The handler runs when the observable is subscribed: subscribe inside the request's context.
    return new Observable((subscriber) =>
      requestSpan.run({ span, traceparent: tracer.traceparent(span) }, () =>
        next.handle().subscribe({
          next: (v) => subscriber.next(v),
          error: (e: unknown) => {
            end(describeError(e).status);
            subscriber.error(e);
          },
          complete: () => {
            end(res.statusCode);
            subscriber.complete();
          },
        }),
      ),
    );
  }
}
