import { Controller, Get, Header, HttpCode, Param, Post, Query } from '@nestjs/common';
import { ZodValidationPipe } from '../common/zod-validation.pipe';
import { ListTasksQuery, ListTasksQuerySchema, TaskIdParamSchema } from './dto/task.dto';
import { TasksService } from './tasks.service';

const TaskId = new ZodValidationPipe(TaskIdParamSchema, 'id');

@Controller('tasks')
export class TasksController {
  constructor(private readonly tasks: TasksService) {}

  @Get()
  list(@Query(new ZodValidationPipe(ListTasksQuerySchema, 'query')) q: ListTasksQuery) {
    return this.tasks.list(q);
  }

  @Get(':id')
  get(@Param('id', TaskId) id: number) {
    return this.tasks.get(id);
  }

  @Get(':id/output')
  @Header('Content-Type', 'text/plain; charset=utf-8')
  output(@Param('id', TaskId) id: number) {
    return this.tasks.readOutput(id);
  }

  @Post(':id/kill')
  @HttpCode(202)
  async kill(@Param('id', TaskId) id: number) {
    await this.tasks.kill(id);
    return { taskId: id, accepted: true };
  }
}
