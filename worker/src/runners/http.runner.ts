import type { HttpSpec, SerializedError } from '@cronfleet/shared';
import type { Runner, RunnerIO, RunnerResult, RunningTask, TaskRunFor } from './runner';

/** Most response body bytes a task's output gets; the rest is not read. */
export const MAX_BODY_BYTES = 1024 * 1024;
/** Request timeout when neither the spec nor the task sets one, in seconds. */
const DEFAULT_TIMEOUT_SECONDS = 300;
const TRUNCATED_MARKER = `[cronfleet: response body truncated at ${MAX_BODY_BYTES} bytes]`;
/** Network failures worth another attempt: the next one may find the server up. */
const TRANSIENT_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH', 'EPIPE']);

/**
 * Sends one request with Node's fetch (no shell, no process). The task's output is the response:
 * `HTTP <status> <text>`, the headers one per line, a blank line, then the body as it arrives
 * (UTF-8, invalid bytes replaced), cut at {@link MAX_BODY_BYTES} with a marker line. Success iff the
 * status is expected (default 200-299), else `UnexpectedStatus`; a network failure is `failed` with
 * the system's code (`ECONNREFUSED`, …). Stop and kill abort the request (`killed`); the spec's
 * `timeoutSeconds` or the task's, whichever is shorter (else 300 s), aborts it as `timeout`.
 *
 * Requests go through Node's global dispatcher, whose own limits apply: 10 s to connect, 300 s for
 * the response headers and between body chunks (`UND_ERR_HEADERS_TIMEOUT`, `UND_ERR_BODY_TIMEOUT`).
 */
export class HttpRunner implements Runner<'http'> {
  readonly name = 'http';

  start(task: TaskRunFor<'http'>, io: RunnerIO): RunningTask {
    const controller = new AbortController();
    let ending: 'timeout' | 'killed' | null = null;
    let settled = false;
    const end = (why: 'timeout' | 'killed'): void => {
      if (settled || ending) return;
      ending = why;
      controller.abort();
    };
    const limits = [task.spec.timeoutSeconds, task.timeoutSeconds].filter((s): s is number => typeof s === 'number');
    const timeoutSeconds = limits.length > 0 ? Math.min(...limits) : DEFAULT_TIMEOUT_SECONDS;
    const timer = setTimeout(() => end('timeout'), timeoutSeconds * 1000);

    const done = exchange(task.spec, io, controller.signal).then(
      (result): RunnerResult => result,
      (e: unknown): RunnerResult => (ending ? { status: ending, exitCode: null, signal: null } : { status: 'failed', exitCode: null, signal: null, error: requestError(e) }),
    ).then((result) => {
      settled = true;
      clearTimeout(timer);
      return result;
    });
    return { done, stop: () => end('killed'), kill: () => end('killed') };
  }
}

/** The request and the response's way into the output; rejects on network failure or abort. */
async function exchange(spec: HttpSpec, io: RunnerIO, signal: AbortSignal): Promise<RunnerResult> {
  const response = await fetch(spec.url, {
    method: spec.method,
    headers: spec.headers,
    body: spec.body,
    redirect: spec.followRedirects ? 'follow' : 'manual',
    signal,
  });
  const head = [`HTTP ${response.status}${response.statusText ? ` ${response.statusText}` : ''}`];
  for (const [name, value] of response.headers) head.push(`${name}: ${value}`);
  io.output(`${head.join('\n')}\n\n`);

  if (response.body) {
    const reader = response.body.getReader();
    const decoder = new TextDecoder('utf-8', { ignoreBOM: true });
    let bytes = 0;
    let last = '\n';
    const emit = (text: string): void => {
      if (!text) return;
      io.output(text);
      last = text.slice(-1);
    };
    for (;;) {
      const { done, value } = await reader.read();
      if (done) {
        emit(decoder.decode());
        break;
      }
      if (bytes + value.byteLength > MAX_BODY_BYTES) {
        emit(decoder.decode(value.subarray(0, MAX_BODY_BYTES - bytes), { stream: true }));
        // Cancelling closes the connection: the rest of the body is never downloaded.
        await reader.cancel().catch(() => undefined);
        io.output(`${last === '\n' ? '' : '\n'}${TRUNCATED_MARKER}\n`);
        break;
      }
      bytes += value.byteLength;
      emit(decoder.decode(value, { stream: true }));
    }
  }

  if (expected(spec, response.status)) return { status: 'success', exitCode: null, signal: null };
  const got = `HTTP ${response.status}${response.statusText ? ` ${response.statusText}` : ''}`;
  const error: SerializedError = { code: 'UnexpectedStatus', message: `${got}, expected ${describeStatuses(spec.expectStatus)}`, retryable: false };
  return { status: 'failed', exitCode: null, signal: null, error };
}

function expected(spec: HttpSpec, status: number): boolean {
  return spec.expectStatus ? spec.expectStatus.includes(status) : status >= 200 && status <= 299;
}

/** `200-299`, `204`, `one of 200-204, 304`. */
function describeStatuses(statuses: readonly number[] | undefined): string {
  if (!statuses) return '200-299';
  const sorted = [...new Set(statuses)].sort((a, b) => a - b);
  const ranges: string[] = [];
  for (let i = 0; i < sorted.length; ) {
    let j = i;
    while (j + 1 < sorted.length && sorted[j + 1] === (sorted[j] as number) + 1) j++;
    ranges.push(j > i ? `${sorted[i]}-${sorted[j]}` : `${sorted[i]}`);
    i = j + 1;
  }
  return ranges.length === 1 && !ranges[0]?.includes('-') ? `${ranges[0]}` : `one of ${ranges.join(', ')}`;
}

/**
 * fetch reports a network failure as `TypeError: fetch failed` with the system error as its cause
 * (sometimes an AggregateError of one per address tried): the first error in that chain with a code
 * gives the task's error code and message.
 */
function requestError(e: unknown): SerializedError {
  const seen = new Set<unknown>();
  const queue: unknown[] = [e];
  let bare: string | undefined;
  while (queue.length > 0) {
    const err = queue.shift();
    if (!err || typeof err !== 'object' || seen.has(err)) continue;
    seen.add(err);
    const { code, message, cause, errors } = err as { code?: unknown; message?: unknown; cause?: unknown; errors?: unknown };
    if (typeof code === 'string' && code) {
      if (typeof message === 'string' && message) return { code, message, retryable: TRANSIENT_CODES.has(code) };
      bare ??= code;
    }
    queue.push(cause, ...(Array.isArray(errors) ? errors : []));
  }
  if (bare) return { code: bare, message: bare, retryable: TRANSIENT_CODES.has(bare) };
  const message = e instanceof Error ? e.message : String(e);
  return { code: 'HttpRequestFailed', message, retryable: false };
}
