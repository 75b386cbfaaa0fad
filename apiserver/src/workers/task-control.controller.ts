import { Body, Controller, HttpCode, Param, Post } from '@nestjs/common';
import { ZodValidationPipe } from '../common/zod-validation.pipe';
import { StopTask, StopTaskSchema, TaskIdParamSchema } from '@cronfleet/shared';
import { TaskControl } from './task-control';

const TaskId = new ZodValidationPipe(TaskIdParamSchema, 'id');

/** Stop and kill of a task: the server asks its worker, so these live with the workers. */
@Controller('tasks')
export class TaskControlController {
  constructor(private readonly control: TaskControl) {}

  /** SIGKILL to the task's process group; answers once its worker confirmed (409: already ended, 504: no confirmation). */
  @Post(':id/kill')
  @HttpCode(200)
  kill(@Param('id', TaskId) id: number) {
    return this.control.kill(id);
  }

  /** SIGTERM, then SIGKILL after `graceSeconds` (default CRONFLEET_STOP_GRACE_SECONDS); answers like kill. */
  @Post(':id/stop')
  @HttpCode(200)
  stop(@Param('id', TaskId) id: number, @Body(new ZodValidationPipe(StopTaskSchema)) body: StopTask | undefined) {
    return this.control.stop(id, body?.graceSeconds);
  }
}
