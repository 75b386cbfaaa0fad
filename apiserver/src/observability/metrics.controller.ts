import { Controller, Get, Header } from '@nestjs/common';
import { Registry } from 'prom-client';
import { Public } from '../common/public.decorator';
import { GaugeReader } from './gauge-reader';
import { Metrics } from './metrics';

/** Prometheus scrape endpoint, without a token like /healthz. */
@Controller()
export class MetricsController {
  constructor(
    private readonly metrics: Metrics,
    private readonly gauges: GaugeReader,
  ) {}

  @Public()
  @Get('metrics')
  @Header('Content-Type', Registry.PROMETHEUS_CONTENT_TYPE)
  async scrape(): Promise<string> {
    return this.metrics.render(await this.gauges.read());
  }
}
