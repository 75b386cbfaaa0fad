import { Body, Controller, Get, HttpCode, Param, Post, Query, Req } from '@nestjs/common';
import type { HttpRequest } from '../auth/http-request';
import { listNamespace } from '../namespaces/scope';
import { ZodValidationPipe } from '../common/zod-validation.pipe';
import { type ListRunsQuery, ListAllRunsQuerySchema, RunIdParamSchema, type StopRun, StopRunSchema } from '@cronfleet/shared';
import { WorkflowRunsService } from './workflow-runs.service';

const RunId = new ZodValidationPipe(RunIdParamSchema, 'id');

@Controller('workflow-runs')
export class WorkflowRunsController {
  constructor(private readonly runs: WorkflowRunsService) {}

  @Get()
  list(@Query(new ZodValidationPipe(ListAllRunsQuerySchema, 'query')) q: ListRunsQuery, @Req() req: HttpRequest) {
    return this.runs.list({ ...q, namespace: listNamespace(req.actor, q.namespace) });
  }

  /** The run with every step's definition edges, state, tasks, attempts and times. */
  @Get(':id')
  get(@Param('id', RunId) id: number) {
    return this.runs.get(id);
  }

  @Post(':id/kill')
  @HttpCode(200)
  kill(@Param('id', RunId) id: number) {
    return this.runs.kill(id, { action: 'kill' });
  }

  @Post(':id/stop')
  @HttpCode(200)
  stop(@Param('id', RunId) id: number, @Body(new ZodValidationPipe(StopRunSchema)) body: StopRun | undefined) {
    return this.runs.kill(id, { action: 'stop', graceSeconds: body?.graceSeconds });
  }

  @Post(':id/retry')
  @HttpCode(202)
  retry(@Param('id', RunId) id: number) {
    return this.runs.retry(id);
  }
}
