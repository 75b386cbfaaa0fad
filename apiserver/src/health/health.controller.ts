import { Controller, Get, Res } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { Public } from '../common/public.decorator';
import { DispatcherService } from '../dispatcher/dispatcher.service';
import type { Readiness } from './readiness';
import { ReadinessService } from './readiness.service';

@Controller()
export class HealthController {
  constructor(
    @InjectDataSource() private readonly ds: DataSource,
    private readonly dispatcher: DispatcherService,
    private readonly readiness: ReadinessService,
  ) {}

  /** Liveness, without a token: 200 when the server and its database answer. */
  @Public()
  @Get('healthz')
  async health() {
    await this.ds.query('SELECT 1');
    return { status: 'ok', leader: this.dispatcher.status().isLeader };
  }

  /** Readiness, without a token: 200 when every check passes, else 503 naming the ones that failed. */
  @Public()
  @Get('readyz')
  async ready(@Res({ passthrough: true }) res: { status(code: number): void }): Promise<Readiness> {
    const r = await this.readiness.check();
    res.status(r.status === 'ready' ? 200 : 503);
    return r;
  }
}
