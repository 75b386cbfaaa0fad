import { Controller, Header } from '@nestjs/common';
import { METRICS_ROUTES } from '@cronfleet/shared';
import { Registry } from 'prom-client';
import { Route } from '../common/route.decorator';
import { GaugeReader } from './gauge-reader';
import { Metrics } from './metrics';

/** Prometheus scrape endpoint, without a token like /healthz. */
@Controller()
export class MetricsController {
  constructor(
    private readonly metrics: Metrics,
    private readonly gauges: GaugeReader,
  ) {}

  @Route(METRICS_ROUTES.scrape)
  @Header('Content-Type', Registry.PROMETHEUS_CONTENT_TYPE)
  async scrape(): Promise<string> {
    return this.metrics.render(await this.gauges.read());
  }
}
