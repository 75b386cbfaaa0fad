import type { GaugeValues } from './metrics';

/**
 * What `GET /metrics` reads its gauges from at each scrape. Observability defines it and the
 * features below it record into Metrics; the values come from folders above it (the dispatcher, the
 * worker registry, the namespaces), so one of them provides it: dispatcher/scheduler-gauges.ts.
 */
export abstract class GaugeReader {
  abstract read(): Promise<GaugeValues>;
}
