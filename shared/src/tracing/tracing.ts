import type { Attributes, Span } from '@opentelemetry/api';

/** The attribute every Cronfleet span carries: the task it is about. */
export const TASK_ID_ATTRIBUTE = 'cronfleet.task_id';

/**
 * Spans of tasks, for the API server and the worker alike. Exists only when tracing is on (see
 * {@link startTracing}); callers hold `TaskTracer | null` and skip all tracing work on null, so
 * tracing off costs one null check on the hot path.
 */
export interface TaskTracer {
  /**
   * Starts a span, a child of `parent` (a W3C traceparent; none or malformed: a new trace's root).
   * Attributes must never hold secrets: no env, spec bodies, headers or URLs.
   */
  start(name: string, parent: string | null | undefined, attributes: Attributes, startTimeMs?: number): Span;
  /** The W3C traceparent naming `span` as the parent, to carry to the next hop. */
  traceparent(span: Span): string;
  /** Exports what is buffered now. */
  forceFlush(): Promise<void>;
  /** Exports what is buffered and stops. */
  shutdown(): Promise<void>;
}

/**
 * On when an OTLP endpoint is configured (`OTEL_EXPORTER_OTLP_ENDPOINT` or
 * `OTEL_EXPORTER_OTLP_TRACES_ENDPOINT`) or `CRONFLEET_TRACING=otlp` (the exporter's default
 * endpoint, http://localhost:4318); off with `CRONFLEET_TRACING=off` or `OTEL_SDK_DISABLED=true`.
 */
export function tracingWanted(env: NodeJS.ProcessEnv): boolean {
  const mode = env.CRONFLEET_TRACING?.trim().toLowerCase();
  if (mode === 'off' || env.OTEL_SDK_DISABLED?.trim().toLowerCase() === 'true') return false;
  return mode === 'otlp' || !!env.OTEL_EXPORTER_OTLP_ENDPOINT?.trim() || !!env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT?.trim();
}

/**
 * The tracer of `serviceName` exporting over OTLP/HTTP (JSON) in batches, configured by the standard
 * OTEL_* variables (endpoint, headers, OTEL_BSP_SCHEDULE_DELAY, OTEL_SERVICE_NAME, …); null when
 * tracing is off, and then no OpenTelemetry module is loaded at all.
 */
export function startTracing(serviceName: string, env: NodeJS.ProcessEnv = process.env): TaskTracer | null {
  if (!tracingWanted(env)) return null;
  // Loaded only here, so that a process with tracing off never loads the SDK.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const sdk = require('./otel-sdk') as typeof import('./otel-sdk');
  return sdk.createOtlpTracer(serviceName, env);
}
