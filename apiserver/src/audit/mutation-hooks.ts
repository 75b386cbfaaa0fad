import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Span } from '@opentelemetry/api';
import { isMutating, routeKey, routePattern, type HttpRequest } from '../auth/http-request';
import { ERROR, OK, requestSpan, type TaskTracing } from '../observability/task-tracing';
import type { AuditService } from './audit.service';

/** What a mutating request carries from its handler to its answer. */
interface Mutation {
  span: Span | null;
  /** What the handler answered (before serialization): the audit entry's target comes from it. */
  answer?: unknown;
}

type Request = FastifyRequest & HttpRequest & { mutation?: Mutation | null };

/**
 * What follows every call that changes something (POST, PUT, PATCH, DELETE), as Fastify hooks
 * around Nest's handler rather than a Nest interceptor, which wraps every request it is on in an
 * observable chain (defer, AsyncResource.bind, mergeAll) and could be left off a route:
 * - an audit entry once the outcome is known, written before the answer is sent (a client that
 *   reads the log next finds its call there), naming what the call made (see auditTarget). Calls
 *   without a caller (no or a bad token, a body refused before the guard) are not recorded: they
 *   have no actor, and a flood of them must not cost a write each; calls the guard recorded itself
 *   (role and namespace refusals) are not recorded twice;
 * - with tracing on, a span (`POST /api/v1/cronjobs/{id}/run`), the child of the caller's W3C
 *   `traceparent` when it sends one, around the handler, so a task made by the call joins the
 *   caller's trace (TaskTracing.created reads it from `requestSpan`). Attributes: method, route
 *   pattern and status only; never the URL, query, body or headers. Tracing off: one null check.
 * Reads pass through with a method check.
 */
export function followMutations(fastify: FastifyInstance, audit: AuditService, tracing: TaskTracing): void {
  fastify.decorateRequest('mutation', null);

  fastify.addHook('preHandler', (request, _reply, done) => {
    const req = request as Request;
    if (!isMutating(req)) return done();
    const tracer = tracing.tracer;
    if (!tracer) {
      req.mutation = { span: null };
      return done();
    }
    const route = routeKey(req.method, routePattern(req));
    const header = req.headers.traceparent;
    const span = tracer.start(route, typeof header === 'string' ? header : null, { 'http.request.method': req.method.toUpperCase(), 'http.route': route.slice(route.indexOf(' ') + 1) });
    req.mutation = { span };
    // Fastify calls the handler from done(), synchronously: it and all it starts run in the span's context.
    requestSpan.run({ span, traceparent: tracer.traceparent(span) }, done);
  });

  fastify.addHook('preSerialization', (request, _reply, payload, done) => {
    const m = (request as Request).mutation;
    if (m) m.answer = payload;
    done(null, payload);
  });

  fastify.addHook('onSend', async (request: FastifyRequest, reply: FastifyReply, payload: unknown) => {
    const req = request as Request;
    const m = req.mutation;
    if (!m) return payload;
    req.mutation = null;
    const status = reply.statusCode;
    // Nothing without a caller, nor twice (recordRequest checks both).
    await audit.recordRequest(req, status, status < 400 ? m.answer : undefined);
    if (m.span) {
      m.span.setAttribute('http.response.status_code', status);
      m.span.setStatus({ code: status >= 500 ? ERROR : OK });
      m.span.end();
    }
    return payload;
  });
}
