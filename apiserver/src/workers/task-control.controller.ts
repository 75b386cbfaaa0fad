import { Controller } from '@nestjs/common';
import { Route, RouteBody, RouteParam } from '../common/route.decorator';
import { TASK_ROUTES, type StopTask } from '@cronfleet/shared';
import { TaskControl } from './task-control';

/** Stop and kill of a task: the server asks its worker, so these live with the workers. */
@Controller()
export class TaskControlController {
  constructor(private readonly control: TaskControl) {}

  /** SIGKILL to the task's process group; answers once its worker confirmed (409: already ended, 504: no confirmation). */
  @Route(TASK_ROUTES.kill)
  kill(@RouteParam('id') id: number) {
    return this.control.kill(id);
  }

  /** SIGTERM, then SIGKILL after `graceSeconds` (default CRONFLEET_STOP_GRACE_SECONDS); answers like kill. */
  @Route(TASK_ROUTES.stop)
  stop(@RouteParam('id') id: number, @RouteBody() body: StopTask | undefined) {
    return this.control.stop(id, body?.graceSeconds);
  }
}
