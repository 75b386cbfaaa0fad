import { Controller, Delete, Get, HttpCode, Param, Post, Query, Req } from '@nestjs/common';
import type { HttpRequest } from '../auth/http-request';
import { NamespaceFilterSchema, fromDecimal } from '@cronfleet/shared';
import { listNamespace } from '../namespaces/scope';
import { z } from 'zod';
import { ZodValidationPipe } from '../common/zod-validation.pipe';
import { WorkerDetail, WorkersService, WorkerView } from './workers.service';

const WorkersQuery = new ZodValidationPipe(z.object({ namespace: NamespaceFilterSchema }).strict(), 'query');
const WorkerId = new ZodValidationPipe(fromDecimal(z.number({ error: 'must be a number' }).int('must be an integer').positive('must be positive')), 'id');

@Controller('workers')
export class WorkersController {
  constructor(private readonly workers: WorkersService) {}

  /** With `namespace` (a scoped token's own without it): the workers serving it, its own and the shared ones. */
  @Get()
  async list(@Query(WorkersQuery) q: { namespace?: string }, @Req() req: HttpRequest): Promise<{ items: WorkerView[] }> {
    return { items: await this.workers.list(listNamespace(req.actor, q.namespace)) };
  }

  @Get(':id')
  get(@Param('id', WorkerId) id: number, @Req() req: HttpRequest): Promise<WorkerDetail> {
    return this.workers.get(id, listNamespace(req.actor, undefined));
  }

  /** No new tasks for this worker; its running tasks finish. */
  @Post(':id/drain')
  @HttpCode(200)
  drain(@Param('id', WorkerId) id: number): Promise<WorkerDetail> {
    return this.workers.setDrained(id, true);
  }

  @Post(':id/undrain')
  @HttpCode(200)
  undrain(@Param('id', WorkerId) id: number): Promise<WorkerDetail> {
    return this.workers.setDrained(id, false);
  }

  /** Cuts the worker off: its connection goes and its hellos are refused until it is re-enrolled. */
  @Post(':id/revoke')
  @HttpCode(200)
  revoke(@Param('id', WorkerId) id: number): Promise<WorkerDetail> {
    return this.workers.revoke(id);
  }

  /** Its next hello is issued a fresh credential (409 while it is online). */
  @Post(':id/reenrol')
  @HttpCode(200)
  reenrol(@Param('id', WorkerId) id: number): Promise<WorkerDetail> {
    return this.workers.reenrol(id);
  }

  /** Forgets an offline worker (409 while it is online or unreachable). */
  @Delete(':id')
  @HttpCode(204)
  async remove(@Param('id', WorkerId) id: number): Promise<void> {
    await this.workers.remove(id);
  }
}
