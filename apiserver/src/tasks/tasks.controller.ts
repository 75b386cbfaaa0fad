import { Controller, Req, Res } from '@nestjs/common';
import type { HttpRequest } from '../auth/http-request';
import { TokenSessions } from '../auth/token-sessions';
import { createNamespace, listNamespace } from '../auth/namespace-scope';
import { Route, RouteBody, RouteParam, RouteQuery } from '../common/route.decorator';
import { TASK_ROUTES as R, type CreateTask, type CreateTaskBatch, CreateTaskBatchSchema, type ListTasksQuery, type OutputQuery } from '@cronfleet/shared';
import { TaskOutputService } from './task-output.service';
import { type StreamReply } from '../common/event-stream';

/** What the output endpoint uses of Fastify's reply: the text at once, or the stream. */
type OutputReply = StreamReply & { type(contentType: string): { send(body: string): unknown } };
import { TasksService } from './tasks.service';

@Controller()
export class TasksController {
  constructor(
    private readonly tasks: TasksService,
    private readonly outputs: TaskOutputService,
    private readonly sessions: TokenSessions,
  ) {}

  /** A one-shot task now or later: 202 `{ taskId }` (201 semantics are not promised: it runs asynchronously). */
  @Route(R.create)
  async create(@RouteBody() dto: CreateTask, @Req() req: HttpRequest, @Res({ passthrough: true }) res: { status(n: number): void }) {
    const { taskId, created } = await this.tasks.create(dto, createNamespace(req.actor, dto.namespace));
    res.status(created ? 202 : 200);
    return { taskId };
  }

  /**
   * Up to 1,000 one-shot tasks: 200 `{ items }`, one per task in order, `{ taskId, created }` or
   * `{ error: { code, message, field } }`; with `atomic: true` all are made or none (the refusal answered as such).
   * The body is checked as an envelope here, each item on its own by the service.
   */
  @Route(R.createBatch)
  createBatch(@RouteBody(CreateTaskBatchSchema) dto: CreateTaskBatch, @Req() req: HttpRequest) {
    return this.tasks.createBatch(dto, req.actor);
  }

  @Route(R.cancel)
  async cancel(@RouteParam('id') id: number): Promise<void> {
    await this.tasks.cancel(id);
  }

  @Route(R.retry)
  retry(@RouteParam('id') id: number) {
    return this.tasks.retry(id);
  }

  @Route(R.list)
  list(@RouteQuery() q: ListTasksQuery, @Req() req: HttpRequest) {
    return this.tasks.list({ ...q, namespace: listNamespace(req.actor, q.namespace) });
  }

  @Route(R.get)
  get(@RouteParam('id') id: number) {
    return this.tasks.get(id);
  }

  /**
   * The task's stdout and stderr as text; with `?follow=true`, Server-Sent Events: what is stored,
   * then live chunks until the task ends (`output` events `{ seq, data }`, then `end` `{ status }`).
   */
  @Route(R.output)
  async output(@RouteParam('id') id: number, @RouteQuery() q: OutputQuery, @Req() req: HttpRequest, @Res() res: OutputReply) {
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
