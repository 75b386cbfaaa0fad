/**
 * The codes the client itself gives a failure that has no server answer to name it. Every other
 * code is the server's own (`ValidationFailed`, `TaskNotFound`, `IdempotencyKeyTaken`, ...), or
 * `Http<status>` for an answer that is not a Cronfleet error body (a proxy's 502 page).
 */
export const CLIENT_ERROR_CODES = [
  /** No answer: the connection was refused, reset or dropped (DNS, TLS and socket errors too). */
  'ServerUnreachable',
  /** No complete answer within the client's `timeoutMs`. */
  'Timeout',
  /** The caller's `signal` aborted the call. */
  'Aborted',
  /** A success answer the client could not read (not the JSON the route answers). */
  'InvalidAnswer',
  /** The call could not be made as given (a path parameter missing, a bad base URL). */
  'InvalidInput',
] as const;
export type ClientErrorCode = (typeof CLIENT_ERROR_CODES)[number];

/** Whether `code` is one the client gives itself (not the server's). */
export function isClientErrorCode(code: string): code is ClientErrorCode {
  return (CLIENT_ERROR_CODES as readonly string[]).includes(code);
}

/** What a {@link CronfleetApiError} is made of. */
export interface CronfleetApiErrorInit {
  /** HTTP status of the answer, or null when there was none. */
  status: number | null;
  code: string;
  message: string;
  /** The request field the server named (`spec.command`, `tasks.1.delaySeconds`), or null. */
  field?: string | null;
  /** Whether the same request may succeed later (see {@link CronfleetApiError.retryable}). */
  retryable: boolean;
  /** How long the server asked to wait before trying again (`Retry-After`), in ms; null if it did not say. */
  retryAfterMs?: number | null;
  /** The answer's body as JSON, when it was JSON (see {@link CronfleetApiError.body}). */
  body?: unknown;
  /** The media type of an answer that was not a Cronfleet error body (see {@link CronfleetApiError.foreignAnswer}). */
  foreignAnswer?: { contentType: string | null } | null;
  /** The error below (a network error, the abort reason). */
  cause?: unknown;
}

/**
 * Every failure of a call, as data: check `code`, never the class (`instanceof` fails across two
 * copies of this package; use {@link isCronfleetApiError}).
 *
 * - `status`: the HTTP status, null when no answer came (`ServerUnreachable`, `Timeout`, `Aborted`).
 * - `code`: the server's error code (`ValidationFailed`, `TaskNotFound`, ...), a {@link ClientErrorCode},
 *   or `Http<status>` for an answer without a Cronfleet error body.
 * - `field`: the request field the server's message names first (`spec.command` from
 *   `spec.command: required`; a leading `body.`/`query.`/`params.` is dropped), null when it names none.
 * - `retryable`: the same request may succeed later: 429, 503, no answer, a timeout. For a POST
 *   that got no answer this does not say it is safe to send again (it may have been applied): send it
 *   again only with an idempotency key.
 */
export class CronfleetApiError extends Error {
  override readonly name = 'CronfleetApiError';
  readonly status: number | null;
  readonly code: string;
  readonly field: string | null;
  readonly retryable: boolean;
  /** The server's `Retry-After` in ms, or null. */
  readonly retryAfterMs: number | null;
  /**
   * The error answer's body as JSON, null when there was none or it was not JSON: the error body, or
   * the data a route documents for that status (`/readyz` answers 503 with the readiness and the
   * checks that failed). Not part of {@link toJSON}.
   */
  readonly body: unknown;
  /**
   * Set when an answer came whose body is not a Cronfleet error body (a proxy's or load balancer's
   * page, an empty body): likely no Cronfleet API at that URL. `contentType` is the answer's media
   * type (`text/html`), null when it gave none. Null for the server's own errors and when no answer came.
   */
  readonly foreignAnswer: { readonly contentType: string | null } | null;

  constructor(init: CronfleetApiErrorInit) {
    super(init.message, init.cause === undefined ? undefined : { cause: init.cause });
    this.status = init.status;
    this.code = init.code;
    this.field = init.field ?? null;
    this.retryable = init.retryable;
    this.retryAfterMs = init.retryAfterMs ?? null;
    this.body = init.body ?? null;
    this.foreignAnswer = init.foreignAnswer ?? null;
  }

  /** The error as plain data (`{ status, code, message, field, retryable, retryAfterMs }`), e.g. for a log line or a JSON answer. */
  toJSON(): { status: number | null; code: string; message: string; field: string | null; retryable: boolean; retryAfterMs: number | null } {
    return { status: this.status, code: this.code, message: this.message, field: this.field, retryable: this.retryable, retryAfterMs: this.retryAfterMs };
  }
}

/** Whether `e` is a {@link CronfleetApiError}, by its name and shape (works across copies of this package). */
export function isCronfleetApiError(e: unknown): e is CronfleetApiError {
  return e instanceof Error && e.name === 'CronfleetApiError' && typeof (e as CronfleetApiError).code === 'string';
}

/** Statuses that mean the server did not do the request and may later: too many requests, overloaded. */
export const RETRYABLE_STATUSES: readonly number[] = [429, 503];

/** The names of the whole request, not a field of it: `body: not valid JSON` names no field. */
const ROOTS = new Set(['body', 'query', 'params', 'request', 'value', 'payload']);
const FIELD_PATH = /^([A-Za-z_$][\w$-]*(?:\.[\w$-]+)*): /;

/**
 * The field a server message names first: `tasks.1.spec.command: required; ...` → `tasks.1.spec.command`,
 * `body.schedule: ...` → `schedule`; null for a message that starts otherwise or names the whole request.
 */
export function fieldOf(message: string): string | null {
  const m = FIELD_PATH.exec(message);
  if (!m) return null;
  const parts = m[1].split('.');
  if (ROOTS.has(parts[0])) parts.shift();
  return parts.length ? parts.join('.') : null;
}

/** The server's error body: `{ statusCode, error, code, message }` (message may be a list). */
interface ErrorBody {
  statusCode: number;
  code?: string;
  message: string | string[];
}

/**
 * The error for a non-2xx answer: from the server's error body when it is one, else `Http<status>`
 * with what the answer was (a proxy's page, an empty body).
 */
export function errorFromAnswer(status: number, contentType: string | null, text: string, retryAfterMs: number | null = null): CronfleetApiError {
  const retryable = RETRYABLE_STATUSES.includes(status);
  let json: unknown = null;
  try {
    json = JSON.parse(text);
  } catch {
    // not JSON: described below
  }
  const body = json && typeof json === 'object' && (json as Partial<ErrorBody>).message !== undefined ? (json as ErrorBody) : undefined;
  if (!body) {
    const media = contentType ? contentType.split(';')[0].trim() : null;
    return new CronfleetApiError({
      status,
      code: `Http${status}`,
      message: `the server answered HTTP ${status}${media ? ` (${media})` : ''} without a Cronfleet error body`,
      retryable,
      retryAfterMs,
      body: json,
      foreignAnswer: { contentType: media },
    });
  }
  const message = Array.isArray(body.message) ? body.message.join('; ') : String(body.message);
  return new CronfleetApiError({ status, code: body.code ?? `Http${status}`, message, field: fieldOf(message), retryable, retryAfterMs, body });
}

/** The error for a request that got no answer: a network failure, the client's timeout or the caller's abort. */
export function errorWithoutAnswer(e: unknown, why: 'network' | 'timeout' | 'aborted', url: string, timeoutMs: number): CronfleetApiError {
  if (isCronfleetApiError(e)) return e;
  if (why === 'aborted') return new CronfleetApiError({ status: null, code: 'Aborted', message: `the call to ${url} was aborted`, retryable: false, cause: e });
  if (why === 'timeout') return new CronfleetApiError({ status: null, code: 'Timeout', message: `${url} did not answer within ${timeoutMs} ms`, retryable: true, cause: e });
  const err = e as { message?: string; cause?: { code?: string; message?: string } } | undefined;
  const detail = err?.cause?.code ?? err?.cause?.message ?? err?.message ?? String(e);
  return new CronfleetApiError({ status: null, code: 'ServerUnreachable', message: `cannot reach ${url}: ${detail}`, retryable: true, cause: e });
}
