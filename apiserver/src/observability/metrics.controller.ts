import { Controller, Header, Logger } from '@nestjs/common';
import { coerceError, METRICS_ROUTES } from '@cronfleet/shared';
import { Registry } from 'prom-client';
import { Route } from '../common/route.decorator';
import { DispatcherService } from '../dispatcher/dispatcher.service';
import { WorkersRegistry } from '../workers/workers.registry';
import { Metrics, type NamespaceGauges } from './metrics';
import { NamespacesService } from '../namespaces/namespaces.service';

/** Prometheus scrape endpoint, without a token like /healthz. */
@Controller()
export class MetricsController {
  constructor(
    private readonly metrics: Metrics,
    private readonly dispatcher: DispatcherService,
    private readonly workers: WorkersRegistry,
    private readonly namespaces: NamespacesService,
  ) {}

  private readonly logger = new Logger('metrics');

  @Route(METRICS_ROUTES.scrape)
  @Header('Content-Type', Registry.PROMETHEUS_CONTENT_TYPE)
  async scrape(): Promise<string> {
    const { isLeader, heapSize, pending } = this.dispatcher.status();
    // The database not answering must not take the scrape down with it: the namespace gauges are left out.
    const namespaces: NamespaceGauges[] | undefined = await this.namespaces.list().catch((e: unknown) => {
      this.logger.warn(`namespace gauges left out of this scrape: ${coerceError(e).message}`);
      return undefined;
    });
    let workersOnline = 0;
    let running = 0;
    for (const w of this.workers.snapshots()) {
      if (w.online) workersOnline++;
      running += w.running;
    }
    return this.metrics.render({ isLeader, heapSize, pending, running, workersOnline, namespaces });
  }
}
