import { ArgumentsHost, Catch, ExceptionFilter, HttpException, Logger } from '@nestjs/common';
import { STATUS_CODES } from 'node:http';
import { isLockConflict } from '../database/columns';
import { DomainError, HTTP_STATUS_BY_CODE } from './errors';

/** The part of Express's response this filter uses. */
interface HttpResponse {
  headersSent: boolean;
  end(): void;
  status(code: number): { json(body: unknown): void };
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
    if (res.headersSent) {
      res.end();
      return;
    }
    res.status(status).json(errorBody(status, code, message));
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
    // Express's JSON parser failures arrive as a 400 carrying the SyntaxError's text.
    const bodyError = e.getStatus() === 400 && /JSON/.test(text) && !/^[\w.]+: /.test(text);
    return { status: e.getStatus(), code: bodyError ? 'InvalidBody' : e.name.replace(/Exception$/, ''), message: bodyError ? `body: not valid JSON (${text})` : text, unexpected: false };
  }
  // body-parser errors carry an HTTP status and a type.
  const bp = e as { type?: string; status?: number; message?: string; limit?: number };
  if (bp && typeof bp.status === 'number' && typeof bp.type === 'string') {
    if (bp.type === 'entity.too.large') {
      return { status: 413, code: 'BodyTooLarge', message: `body: more than the limit of ${bp.limit} bytes (CRONFLEET_MAX_BODY_BYTES)`, unexpected: false };
    }
    const message = bp.type === 'entity.parse.failed' ? 'body: not valid JSON' : `body: ${bp.message}`;
    return { status: bp.status, code: 'InvalidBody', message, unexpected: false };
  }
  // A write that lost a lock race even after its retries: busy, not broken; the client may try again.
  if (isLockConflict(e)) return { status: 503, code: 'DatabaseBusy', message: 'the database was busy with a conflicting change; try again', unexpected: false };
  return { status: 500, code: 'InternalError', message: 'internal error; see the server log', unexpected: true };
}
