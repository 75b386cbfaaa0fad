import { Controller, Get, Header } from '@nestjs/common';
import { Registry } from 'prom-client';
import { Public } from '../common/public.decorator';
import { DispatcherService } from '../dispatcher/dispatcher.service';
import { WorkersRegistry } from '../workers/workers.registry';
import { Metrics } from './metrics';

/** Prometheus scrape endpoint, without a token like /healthz. */
@Controller()
export class MetricsController {
  constructor(
    private readonly metrics: Metrics,
    private readonly dispatcher: DispatcherService,
    private readonly workers: WorkersRegistry,
  ) {}

  @Public()
  @Get('metrics')
  @Header('Content-Type', Registry.PROMETHEUS_CONTENT_TYPE)
  scrape(): Promise<string> {
    const { isLeader, heapSize, pending } = this.dispatcher.status();
    let workersOnline = 0;
    let running = 0;
    for (const w of this.workers.snapshots()) {
      if (w.online) workersOnline++;
      running += w.running;
    }
    return this.metrics.render({ isLeader, heapSize, pending, running, workersOnline });
  }
}
