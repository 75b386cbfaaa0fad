import { Injectable, Logger } from '@nestjs/common';
import { coerceError } from '@cronfleet/shared';
import { NamespacesService } from '../namespaces/namespaces.service';
import { GaugeReader } from '../observability/gauge-reader';
import type { GaugeValues, NamespaceGauges } from '../observability/metrics';
import { WorkersRegistry } from '../workers/workers.registry';
import { DispatcherService } from './dispatcher.service';

/** The gauges of a scrape: this instance's dispatcher and worker registry, and every namespace's quotas and usage. */
@Injectable()
export class SchedulerGauges extends GaugeReader {
  private readonly logger = new Logger('metrics');

  constructor(
    private readonly dispatcher: DispatcherService,
    private readonly workers: WorkersRegistry,
    private readonly namespaces: NamespacesService,
  ) {
    super();
  }

  async read(): Promise<GaugeValues> {
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
    return { isLeader, heapSize, pending, running, workersOnline, namespaces };
  }
}
