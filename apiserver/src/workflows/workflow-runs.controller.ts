import { Controller, Req } from '@nestjs/common';
import type { HttpRequest } from '../auth/http-request';
import { listNamespace } from '../auth/namespace-scope';
import { Route, RouteBody, RouteParam, RouteQuery } from '../common/route.decorator';
import { WORKFLOW_RUN_ROUTES as R, type ListRunsQuery, type StopRun } from '@cronfleet/shared';
import { WorkflowRunsService } from './workflow-runs.service';

@Controller()
export class WorkflowRunsController {
  constructor(private readonly runs: WorkflowRunsService) {}

  @Route(R.list)
  list(@RouteQuery() q: ListRunsQuery, @Req() req: HttpRequest) {
    return this.runs.list({ ...q, namespace: listNamespace(req.actor, q.namespace) });
  }

  /** The run with every step's definition edges, state, tasks, attempts and times. */
  @Route(R.get)
  get(@RouteParam('id') id: number) {
    return this.runs.get(id);
  }

  @Route(R.kill)
  kill(@RouteParam('id') id: number) {
    return this.runs.kill(id, { action: 'kill' });
  }

  @Route(R.stop)
  stop(@RouteParam('id') id: number, @RouteBody() body: StopRun | undefined) {
    return this.runs.kill(id, { action: 'stop', graceSeconds: body?.graceSeconds });
  }

  @Route(R.retry)
  retry(@RouteParam('id') id: number) {
    return this.runs.retry(id);
  }
}
