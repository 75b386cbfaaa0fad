import { bindRoutes, createClient, isClientErrorCode, isCronfleetApiError, type CronfleetApiError, type CronfleetClient, type LiveEventMessage, type LiveEventOptions, type RouteCaller } from '@cronfleet/client';
import { API_ROUTES } from '@cronfleet/shared';
import { type ApiRefusal, CliError, EXIT } from './cli-error';

// The CLI's connection to the REST API: the settings (--server/--token), a @cronfleet/client made
// from them, and its failures as CliErrors with their exit codes, mapped here once. The commands call
// routes of the shared contract through `AdminClient.api`; requests, retries and Server-Sent Events
// are the client's.

/** How long a request may take before the server counts as unreachable (stop and kill wait for the worker). */
const REQUEST_TIMEOUT_MS = 30_000;

export interface ConnectionOptions {
  server?: string;
  token?: string;
}

/**
 * The server URL and admin token from `--server`/`--token`, else `CRONFLEET_SERVER`/
 * `CRONFLEET_ADMIN_TOKEN`. Missing or malformed ones are a configuration error (exit 2) naming
 * both the flag and the variable.
 */
export function connectionFrom(opts: ConnectionOptions, env: NodeJS.ProcessEnv = process.env): { baseUrl: string; token: string } {
  const server = opts.server ?? env.CRONFLEET_SERVER;
  const token = opts.token ?? env.CRONFLEET_ADMIN_TOKEN;
  const problems: string[] = [];
  if (!server) problems.push('no server given: pass --server URL or set CRONFLEET_SERVER (e.g. http://localhost:8080)');
  if (!token) problems.push('no admin token given: pass --token TOKEN or set CRONFLEET_ADMIN_TOKEN (the server prints it at start)');
  if (problems.length) throw new CliError(EXIT.usage, problems.join('; '));
  let url: URL;
  try {
    url = new URL(server as string);
  } catch {
    throw new CliError(EXIT.usage, `server '${server}' (--server or CRONFLEET_SERVER) is not a URL such as http://localhost:8080`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new CliError(EXIT.usage, `server '${server}' (--server or CRONFLEET_SERVER) must be an http:// or https:// URL`);
  }
  // Accept the API's own base (…/api/v1) as well as the server's root.
  const baseUrl = `${url.origin}${url.pathname.replace(/\/+$/, '').replace(/\/api\/v1$/, '')}`;
  return { baseUrl, token: token as string };
}

/** The typed client the commands call: every route of the contract, failures thrown as {@link CliError}s. */
export type Api = CronfleetClient;

/** The REST API under /api/v1 with the admin token, as {@link Api}: every failure becomes a {@link CliError} with its exit code. */
export class AdminClient {
  readonly api: Api;

  constructor(
    readonly baseUrl: string,
    token: string,
  ) {
    // Retries of 429 and 503 (and of a request that got no answer where resending is safe: GETs, bodies
    // with an idempotency key) are the client's; a POST without an answer is not sent again.
    this.api = cliErrors(createClient({ baseUrl, token, timeoutMs: REQUEST_TIMEOUT_MS }), baseUrl);
  }
}

/**
 * A stream the server ended before what it was read for ended (it closed the connection cleanly):
 * exit 4 like any lost connection, a distinct class for the callers that word it themselves.
 */
export class StreamClosed extends CliError {}

/** `client` with every failure a CliError: its routes, `call`, `answer`, the task helpers and the streams. */
function cliErrors(client: CronfleetClient, baseUrl: string): Api {
  const mapped = <T>(p: Promise<T>): Promise<T> =>
    p.catch((e: unknown) => {
      throw toCliError(e, baseUrl);
    });
  const call: RouteCaller = (route, ...args) => mapped(client.call(route, ...args));
  return Object.freeze({
    ...bindRoutes(call, API_ROUTES),
    baseUrl: client.baseUrl,
    call,
    answer: (route, ...args) => mapped(client.answer(route, ...args)),
    enqueue: (...args) => mapped(client.enqueue(...args)),
    enqueueBatch: (...args) => mapped(client.enqueueBatch(...args)),
    events: (options) =>
      streamErrors(
        (onOpen) => client.events({ ...options, onOpen }),
        options?.onOpen,
        baseUrl,
        (e) => new CliError(EXIT.refused, `the event stream ended with ${e.code}: ${e.message}`),
        `the server at ${baseUrl} closed the event stream`,
        'the events',
      ),
    followOutput: (taskId, options) =>
      streamErrors(
        (onOpen) => client.followOutput(taskId, { ...options, onOpen }),
        options?.onOpen,
        baseUrl,
        (e) => new CliError(EXIT.refused, `task ${taskId}: the output stream ended with ${e.code}: ${e.message}`.trimEnd()),
        `the server at ${baseUrl} closed the output stream of task ${taskId} before the task ended; follow it again to see the rest`,
        'the output',
      ),
  } satisfies Api);
}

/**
 * A stream's events with its failures as CliErrors: a refusal or no answer while opening it as a
 * request's; once it is open, the server's `error` event (`serverError`), a clean close (a
 * {@link StreamClosed} saying `closed`) and a lost connection (exit 4).
 */
async function* streamErrors<T>(
  open: (onOpen: () => void) => AsyncIterable<T>,
  onOpen: (() => void) | undefined,
  baseUrl: string,
  serverError: (e: CronfleetApiError) => CliError,
  closed: string,
  following: string,
): AsyncGenerator<T> {
  let opened = false;
  try {
    yield* open(() => {
      opened = true;
      onOpen?.();
    });
  } catch (e) {
    if (!isCronfleetApiError(e) || e.status !== null || !opened) throw toCliError(e, baseUrl);
    // Any code but the client's own on an answerless error is the server's `error` event.
    if (!isClientErrorCode(e.code)) throw serverError(e);
    if (e.code === 'ServerUnreachable' && e.cause === undefined) throw new StreamClosed(EXIT.unreachable, closed);
    if (e.code === 'ServerUnreachable' || e.code === 'Timeout') {
      const cause = e.cause as { message?: string; cause?: { message?: string } } | undefined;
      const why = e.code === 'Timeout' ? e.message : (cause?.cause?.message ?? cause?.message ?? e.message);
      throw new CliError(EXIT.unreachable, `lost the connection to ${baseUrl} while following ${following}: ${why}`);
    }
    throw toCliError(e, baseUrl);
  }
}

/**
 * A failure of @cronfleet/client as the CLI reports it: a refusal of the API with its exit code (401 a
 * usage error naming --token, 404 not found, others refused) and `(HTTP <status> <code>)`; no answer,
 * a timeout or an answer that is not the API's: unreachable (exit 4).
 */
export function toCliError(e: unknown, baseUrl: string): CliError {
  if (e instanceof CliError) return e;
  if (!isCronfleetApiError(e)) return new CliError(EXIT.unreachable, `cannot reach the server at ${baseUrl}: ${(e as Error)?.message ?? String(e)}`);
  if (e.status !== null && e.code !== 'InvalidAnswer') {
    // An answer without a Cronfleet error body (a proxy's page).
    const foreign = e.foreignAnswer;
    if (foreign) return new CliError(EXIT.unreachable, `no Cronfleet API at ${baseUrl}: it answered HTTP ${e.status}${foreign.contentType ? ` (${foreign.contentType})` : ''}`);
    const code = e.code === `Http${e.status}` ? undefined : e.code;
    const refusal: ApiRefusal = { status: e.status, code, message: e.message };
    const tag = `(HTTP ${e.status}${code ? ` ${code}` : ''})`;
    if (e.status === 401) return new CliError(EXIT.usage, `the server refused the admin token: ${e.message} ${tag}; check --token or CRONFLEET_ADMIN_TOKEN`, refusal);
    if (e.status === 404) return new CliError(EXIT.notFound, `${e.message} ${tag}`, refusal);
    return new CliError(EXIT.refused, `${e.message} ${tag}`, refusal);
  }
  switch (e.code) {
    case 'InvalidAnswer':
      return new CliError(EXIT.unreachable, `no Cronfleet API at ${baseUrl}: ${e.message}`);
    case 'Timeout':
      return new CliError(EXIT.unreachable, `the server at ${baseUrl} did not answer within ${REQUEST_TIMEOUT_MS / 1000} s`);
    case 'InvalidInput':
      return new CliError(EXIT.usage, e.message);
    default: {
      const cause = e.cause as { message?: string; code?: string; cause?: { code?: string; message?: string } } | undefined;
      const why = cause?.cause?.message ?? cause?.cause?.code ?? cause?.message ?? e.message;
      return new CliError(EXIT.unreachable, `cannot reach the server at ${baseUrl}: ${why}`);
    }
  }
}

/**
 * The live events `options` select, resolved once the stream is open (its headers came), so that
 * what happens from then on is not missed: the CLI opens it before starting what it waits for. Not
 * reconnected: a run's end could pass in the gap, so a lost stream fails the wait (exit 4) instead.
 * A refusal or no answer rejects as a request's would.
 */
export async function openLiveEvents(api: Api, options: Omit<LiveEventOptions, 'reconnect' | 'onOpen'>): Promise<AsyncIterable<LiveEventMessage>> {
  let opened!: () => void;
  const open = new Promise<void>((resolve) => (opened = resolve));
  const iterator = api.events({ ...options, reconnect: false, onOpen: () => opened() })[Symbol.asyncIterator]();
  const first = iterator.next();
  first.catch(() => undefined);
  await Promise.race([open, first]);
  return {
    async *[Symbol.asyncIterator]() {
      try {
        for (let r = await first; !r.done; r = await iterator.next()) yield r.value;
      } finally {
        await iterator.return?.();
      }
    },
  };
}
