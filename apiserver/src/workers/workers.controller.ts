import { Controller, Req } from '@nestjs/common';
import type { HttpRequest } from '../auth/http-request';
import { WORKER_ROUTES as R } from '@cronfleet/shared';
import { listNamespace } from '../auth/namespace-scope';
import { Route, RouteParam, RouteQuery } from '../common/route.decorator';
import { WorkerDetail, WorkersService, WorkerView } from './workers.service';

@Controller()
export class WorkersController {
  constructor(private readonly workers: WorkersService) {}

  /** With `namespace` (a scoped token's own without it): the workers serving it, its own and the shared ones. */
  @Route(R.list)
  async list(@RouteQuery() q: { namespace?: string }, @Req() req: HttpRequest): Promise<{ items: WorkerView[] }> {
    return { items: await this.workers.list(listNamespace(req.actor, q.namespace)) };
  }

  @Route(R.get)
  get(@RouteParam('id') id: number, @Req() req: HttpRequest): Promise<WorkerDetail> {
    return this.workers.get(id, listNamespace(req.actor, undefined));
  }

  /** No new tasks for this worker; its running tasks finish. */
  @Route(R.drain)
  drain(@RouteParam('id') id: number): Promise<WorkerDetail> {
    return this.workers.setDrained(id, true);
  }

  @Route(R.undrain)
  undrain(@RouteParam('id') id: number): Promise<WorkerDetail> {
    return this.workers.setDrained(id, false);
  }

  /** Cuts the worker off: its connection goes and its hellos are refused until it is re-enrolled. */
  @Route(R.revoke)
  revoke(@RouteParam('id') id: number): Promise<WorkerDetail> {
    return this.workers.revoke(id);
  }

  /** Its next hello is issued a fresh credential (409 while it is online). */
  @Route(R.reenrol)
  reenrol(@RouteParam('id') id: number): Promise<WorkerDetail> {
    return this.workers.reenrol(id);
  }

  /** Forgets an offline worker (409 while it is online or unreachable). */
  @Route(R.remove)
  async remove(@RouteParam('id') id: number): Promise<void> {
    await this.workers.remove(id);
  }
}
