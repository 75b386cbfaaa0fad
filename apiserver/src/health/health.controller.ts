import { Controller, Get } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { Public } from '../common/admin-token.guard';
import { DispatcherService } from '../dispatcher/dispatcher.service';

@Controller()
export class HealthController {
  constructor(
    @InjectDataSource() private readonly ds: DataSource,
    private readonly dispatcher: DispatcherService,
  ) {}

  /** Liveness and readiness, without a token: 200 when the database answers. */
  @Public()
  @Get('healthz')
  async health() {
    await this.ds.query('SELECT 1');
    return { status: 'ok', leader: this.dispatcher.status().isLeader };
  }
}
