import { ROOT_CONTEXT, SpanKind, trace, type Attributes, type Span } from '@opentelemetry/api';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { BasicTracerProvider, BatchSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { formatTraceparent, parseTraceparent } from './traceparent';
import type { TaskTracer } from './tracing';

/**
 * The OpenTelemetry SDK behind {@link TaskTracer}; required lazily by `startTracing` only. The
 * provider is kept to itself (not registered globally): Cronfleet's spans are its own, and a host
 * application's global tracer is left alone.
 */
export function createOtlpTracer(serviceName: string, env: NodeJS.ProcessEnv): TaskTracer {
  const provider = new BasicTracerProvider({
    resource: resourceFromAttributes({ 'service.name': env.OTEL_SERVICE_NAME?.trim() || serviceName }),
    spanProcessors: [new BatchSpanProcessor(new OTLPTraceExporter())],
  });
  const tracer = provider.getTracer('cronfleet');
  return {
    start(name: string, parent: string | null | undefined, attributes: Attributes, startTimeMs?: number): Span {
      const p = parseTraceparent(parent);
      const ctx = p ? trace.setSpanContext(ROOT_CONTEXT, { ...p, isRemote: true }) : ROOT_CONTEXT;
      return tracer.startSpan(name, { kind: SpanKind.INTERNAL, attributes, startTime: startTimeMs, root: !p }, ctx);
    },
    traceparent(span: Span): string {
      const c = span.spanContext();
      return formatTraceparent({ traceId: c.traceId, spanId: c.spanId, traceFlags: c.traceFlags });
    },
    forceFlush: () => provider.forceFlush(),
    shutdown: () => provider.shutdown(),
  };
}
