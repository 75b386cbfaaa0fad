import { Controller, Get, HttpCode, Inject, Post } from '@nestjs/common';
import { INSTANCE_ID } from '../config/tokens';
import { DispatcherService } from './dispatcher.service';
import { SchedulerStateRepository } from './scheduler-state.repository';

/** Who dispatches, how far behind it is, and the cluster-wide pause switch. */
@Controller('scheduler')
export class SchedulerController {
  constructor(
    private readonly dispatcher: DispatcherService,
    private readonly state: SchedulerStateRepository,
    @Inject(INSTANCE_ID) private readonly instanceId: string,
  ) {}

  /**
   * `leader` is the instance id of the current leader (from the database); heap figures come from
   * this instance and are null unless it is the leader.
   */
  @Get()
  async status() {
    const s = await this.state.read();
    return { leader: s.leader, instanceId: this.instanceId, paused: s.paused, ...this.dispatcher.status() };
  }

  @Post('stop')
  @HttpCode(200)
  async stop() {
    await this.dispatcher.setPaused(true);
    return this.status();
  }

  @Post('start')
  @HttpCode(200)
  async start() {
    await this.dispatcher.setPaused(false);
    return this.status();
  }
}
