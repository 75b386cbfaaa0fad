import { ArgumentsHost, Catch, ExceptionFilter, HttpException, Logger } from '@nestjs/common';
import { STATUS_CODES } from 'node:http';
import { DomainError, HTTP_STATUS_BY_CODE } from './errors';
import { isLockConflict } from './lock-conflict';

/** The part of Fastify's reply this filter uses. */
interface HttpResponse {
  sent: boolean;
  raw: { headersSent: boolean; writableEnded: boolean; end(): void };
  status(code: number): { send(body: unknown): void };
}

/**
 * The one place that turns errors into HTTP answers: `{ statusCode, error, code, message }`.
 * Unknown errors are logged once here and answered as 500 without internals.
 */
@Catch()
export class HttpExceptionFilter implements ExceptionFilter {
  private readonly logger = new Logger('http');

  catch(e: unknown, host: ArgumentsHost): void {
    const res = host.switchToHttp().getResponse<HttpResponse>();
    const { status, code, message, unexpected } = describeError(e);
    if (unexpected) this.logger.error(e instanceof Error ? (e.stack ?? e.message) : String(e));
    if (res.sent || res.raw.headersSent) {
      if (!res.raw.writableEnded) res.raw.end();
      return;
    }
    res.status(status).send(errorBody(status, code, message));
  }
}

/** The body of every error answer: `{ statusCode, error, code, message }`. */
export function errorBody(status: number, code: string, message: string): { statusCode: number; error: string; code: string; message: string } {
  return { statusCode: status, error: STATUS_CODES[status] ?? 'Error', code, message };
}

/**
 * The answer to an error: its status, code and message. `unexpected`: not an error the API answers
 * on purpose (a bug or an outage), answered 500 without internals and logged by the filter. The
 * audit log records the same status (audit.interceptor.ts).
 */
export function describeError(e: unknown): { status: number; code: string; message: string; unexpected: boolean } {
  if (e instanceof DomainError || (e && typeof e === 'object' && (e as DomainError).code in HTTP_STATUS_BY_CODE)) {
    const d = e as DomainError;
    return { status: HTTP_STATUS_BY_CODE[d.code], code: d.code, message: d.message, unexpected: false };
  }
  if (e instanceof HttpException) {
    const body = e.getResponse();
    const message = typeof body === 'string' ? body : ((body as { message?: string | string[] }).message ?? e.message);
    const text = Array.isArray(message) ? message.join('; ') : message;
    // Fastify's own refusals (a body past the limit as it streams in, a wrong Content-Length) reach
    // here as plain HttpExceptions made by Nest from them.
    if (e.constructor === HttpException) return frameworkRefusal(e.getStatus(), text);
    return { status: e.getStatus(), code: e.name.replace(/Exception$/, ''), message: text, unexpected: false };
  }
  const body = bodyError(e);
  if (body) return { ...body, unexpected: false };
  // A write that lost a lock race even after its retries: busy, not broken; the client may try again.
  if (isLockConflict(e)) return { status: 503, code: 'DatabaseBusy', message: 'the database was busy with a conflicting change; try again', unexpected: false };
  return { status: 500, code: 'InternalError', message: 'internal error; see the server log', unexpected: true };
}

/** A request Fastify refused before any handler ran, by its status. */
function frameworkRefusal(status: number, text: string): { status: number; code: string; message: string; unexpected: boolean } {
  if (status >= 500) return { status: 500, code: 'InternalError', message: 'internal error; see the server log', unexpected: true };
  if (status === 413) return { status, code: 'BodyTooLarge', message: 'body: more than the limit of bytes the server accepts (CRONFLEET_MAX_BODY_BYTES)', unexpected: false };
  if (status === 415) return { status, code: 'UnsupportedMediaType', message: 'body: must be JSON sent as Content-Type: application/json', unexpected: false };
  if (status === 400 && /body/i.test(text)) return { status, code: 'InvalidBody', message: `body: ${text}`, unexpected: false };
  return { status, code: 'InvalidRequest', message: `request: ${text}`, unexpected: false };
}

/** JSON that does not parse or carries a prototype key (Fastify's JSON parser, before any handler runs). */
function bodyError(e: unknown): { status: number; code: string; message: string } | null {
  if (!(e instanceof SyntaxError) || (e as { statusCode?: number }).statusCode !== 400) return null;
  const proto = /prototype property/.test(e.message);
  return { status: 400, code: 'InvalidBody', message: proto ? 'body: a "__proto__" or "constructor.prototype" key is not accepted' : `body: not valid JSON (${e.message})` };
}
