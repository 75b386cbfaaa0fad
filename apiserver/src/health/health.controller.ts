import { Controller, Res } from '@nestjs/common';
import { HEALTH_ROUTES } from '@cronfleet/shared';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { Route } from '../common/route.decorator';
import { DispatcherService } from '../dispatcher/dispatcher.service';
import type { Readiness } from './readiness';
import { ReadinessService } from './readiness.service';

/** How long an answer of the database counts for /healthz. */
const DATABASE_CHECK_MS = 1000;

@Controller()
export class HealthController {
  constructor(
    @InjectDataSource() private readonly ds: DataSource,
    private readonly dispatcher: DispatcherService,
    private readonly readiness: ReadinessService,
  ) {}

  /** When the database last answered the probe's query (epoch ms). */
  private databaseOkAtMs = 0;
  /** The probe's query in flight: concurrent probes wait for the same one. */
  private databaseCheck: Promise<void> | null = null;

  /**
   * Liveness, without a token: 200 when the server and its database answer. The database is asked
   * at most once per DATABASE_CHECK_MS (concurrent probes share the query): a query per probe was
   * most of a probe's cost, and a load balancer probing often made the database answer each.
   */
  @Route(HEALTH_ROUTES.health)
  async health() {
    if (Date.now() - this.databaseOkAtMs >= DATABASE_CHECK_MS) {
      this.databaseCheck ??= this.ds.query('SELECT 1').then(
        () => {
          this.databaseOkAtMs = Date.now();
          this.databaseCheck = null;
        },
        (e: unknown) => {
          this.databaseCheck = null;
          throw e;
        },
      );
      await this.databaseCheck;
    }
    return { status: 'ok', leader: this.dispatcher.status().isLeader };
  }

  /** Readiness, without a token: 200 when every check passes, else 503 naming the ones that failed. */
  @Route(HEALTH_ROUTES.ready)
  async ready(@Res({ passthrough: true }) res: { status(code: number): void }): Promise<Readiness> {
    const r = await this.readiness.check();
    res.status(r.status === 'ready' ? 200 : 503);
    return r;
  }
}
