/**
 * W3C trace context `traceparent` (https://www.w3.org/TR/trace-context/#traceparent-header), version
 * 00: `00-<32 hex trace id>-<16 hex parent span id>-<2 hex flags>`, 55 characters. The all-zero ids
 * are invalid. Pure string functions, no OpenTelemetry import: the protocol schema uses the pattern.
 */
export const TRACEPARENT_PATTERN = /^00-(?!0{32})[0-9a-f]{32}-(?!0{16})[0-9a-f]{16}-[0-9a-f]{2}$/;

export interface TraceParent {
  traceId: string;
  spanId: string;
  /** 1: sampled. */
  traceFlags: number;
}

export function parseTraceparent(value: string | null | undefined): TraceParent | null {
  if (typeof value !== 'string' || !TRACEPARENT_PATTERN.test(value)) return null;
  return { traceId: value.slice(3, 35), spanId: value.slice(36, 52), traceFlags: parseInt(value.slice(53, 55), 16) };
}

export function formatTraceparent(p: TraceParent): string {
  return `00-${p.traceId}-${p.spanId}-${(p.traceFlags & 0xff).toString(16).padStart(2, '0')}`;
}
