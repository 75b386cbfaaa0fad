import { Body, Controller, Delete, Get, HttpCode, Param, Post, Query, Req, Res } from '@nestjs/common';
import type { HttpRequest } from '../auth/http-request';
import { TokenSessions } from '../auth/token-sessions';
import { createNamespace, listNamespace } from '../namespaces/scope';
import { ZodValidationPipe } from '../common/zod-validation.pipe';
import { CreateTask, type CreateTaskBatch, CreateTaskBatchDocSchema, CreateTaskBatchSchema, CreateTaskSchema, ListTasksQuery, ListTasksQuerySchema, OutputQuery, OutputQuerySchema, TaskIdParamSchema } from '@cronfleet/shared';
import { TaskOutputService, type StreamReply } from './task-output.service';

/** What the output endpoint uses of Fastify's reply: the text at once, or the stream. */
type OutputReply = StreamReply & { type(contentType: string): { send(body: string): unknown } };
import { TasksService } from './tasks.service';

const TaskId = new ZodValidationPipe(TaskIdParamSchema, 'id');

@Controller('tasks')
export class TasksController {
  constructor(
    private readonly tasks: TasksService,
    private readonly outputs: TaskOutputService,
    private readonly sessions: TokenSessions,
  ) {}

  /** A one-shot task now or later: 202 `{ taskId }` (201 semantics are not promised: it runs asynchronously). */
  @Post()
  async create(@Body(new ZodValidationPipe(CreateTaskSchema)) dto: CreateTask, @Req() req: HttpRequest, @Res({ passthrough: true }) res: { status(n: number): void }) {
    const { taskId, created } = await this.tasks.create(dto, createNamespace(req.actor, dto.namespace));
    res.status(created ? 202 : 200);
    return { taskId };
  }

  /**
   * Up to 1,000 one-shot tasks: 200 `{ items }`, one per task in order, `{ taskId, created }` or
   * `{ error: { code, message, field } }`; with `atomic: true` all are made or none (the refusal answered as such).
   */
  @Post('batch')
  @HttpCode(200)
  createBatch(@Body(new ZodValidationPipe(CreateTaskBatchSchema, 'body', CreateTaskBatchDocSchema)) dto: CreateTaskBatch, @Req() req: HttpRequest) {
    return this.tasks.createBatch(dto, req.actor);
  }

  @Delete(':id')
  @HttpCode(204)
  async cancel(@Param('id', TaskId) id: number): Promise<void> {
    await this.tasks.cancel(id);
  }

  @Post(':id/retry')
  @HttpCode(202)
  retry(@Param('id', TaskId) id: number) {
    return this.tasks.retry(id);
  }

  @Get()
  list(@Query(new ZodValidationPipe(ListTasksQuerySchema, 'query')) q: ListTasksQuery, @Req() req: HttpRequest) {
    return this.tasks.list({ ...q, namespace: listNamespace(req.actor, q.namespace) });
  }

  @Get(':id')
  get(@Param('id', TaskId) id: number) {
    return this.tasks.get(id);
  }

  /**
   * The task's stdout and stderr as text; with `?follow=true`, Server-Sent Events: what is stored,
   * then live chunks until the task ends (`output` events `{ seq, data }`, then `end` `{ status }`).
   */
  @Get(':id/output')
  async output(@Param('id', TaskId) id: number, @Query(new ZodValidationPipe(OutputQuerySchema, 'query')) q: OutputQuery, @Req() req: HttpRequest, @Res() res: OutputReply) {
    if (!q.follow) {
      const text = await this.tasks.readOutput(id);
      await res.type('text/plain; charset=utf-8').send(text);
      return;
    }
    await this.tasks.get(id); // 404 before the stream starts
    // The stream is written by hand from here on: Fastify sends nothing more for this request.
    res.hijack();
    const close = this.outputs.follow(id, res.raw);
    res.raw.on('close', this.sessions.hold(req.actor, close));
  }
}
