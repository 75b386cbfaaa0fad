import { Controller, Inject } from '@nestjs/common';
import { SCHEDULER_ROUTES as R } from '@cronfleet/shared';
import { Route } from '../common/route.decorator';
import { INSTANCE_ID } from '../config/tokens';
import { DispatcherService } from './dispatcher.service';
import { SchedulerStateRepository } from './scheduler-state.repository';

/** Who dispatches, how far behind it is, and the cluster-wide pause switch. */
@Controller()
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
  @Route(R.status)
  async status() {
    const s = await this.state.read();
    return { leader: s.leader, instanceId: this.instanceId, paused: s.paused, ...this.dispatcher.status() };
  }

  @Route(R.stop)
  async stop() {
    await this.dispatcher.setPaused(true);
    return this.status();
  }

  @Route(R.start)
  async start() {
    await this.dispatcher.setPaused(false);
    return this.status();
  }
}
