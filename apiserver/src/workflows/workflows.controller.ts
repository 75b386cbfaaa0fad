import { Controller, Req } from '@nestjs/common';
import type { HttpRequest } from '../auth/http-request';
import { nameNamespace } from '../auth/namespace-access';
import { createNamespace, listNamespace } from '../auth/namespace-scope';
import { WORKFLOW_ROUTES as R, type WorkflowDefinition, type ListRunsQuery, type ListWorkflowsQuery, type RunWorkflow } from '@cronfleet/shared';
import { Route, RouteBody, RouteParam, RouteQuery } from '../common/route.decorator';
import { checkDefinition } from './check-definition';
import { WorkflowsService } from './workflows.service';

/**
 * The body of `PUT /workflows/:idOrName`, checked by the service once the workflow is found: an
 * unknown workflow is a 404 whatever the body says.
 */
const checkedLater = (raw: unknown): unknown => raw;

/** `?namespace=` of the by-name routes: checked by the contract, read through nameNamespace. */
type NsQueryValue = { namespace?: string };

@Controller()
export class WorkflowsController {
  constructor(private readonly workflows: WorkflowsService) {}

  /** The body through every check of checkDefinition (the graph's too), not the contract's schema alone. */
  @Route(R.create)
  create(@RouteBody(checkDefinition) def: WorkflowDefinition, @Req() req: HttpRequest) {
    return this.workflows.create(def, createNamespace(req.actor, def.namespace));
  }

  @Route(R.list)
  list(@RouteQuery() q: ListWorkflowsQuery, @Req() req: HttpRequest) {
    return this.workflows.list({ ...q, namespace: listNamespace(req.actor, q.namespace) });
  }

  // By name, a workflow is looked up in `?namespace=` (else the token's namespace, else `default`).
  @Route(R.get)
  get(@RouteParam('idOrName') ref: string, @RouteQuery() _q: NsQueryValue, @Req() req: HttpRequest) {
    return this.workflows.get(ref, nameNamespace(req));
  }

  @Route(R.replace)
  replace(@RouteParam('idOrName') ref: string, @RouteQuery() _q: NsQueryValue, @RouteBody(checkedLater) body: unknown, @Req() req: HttpRequest) {
    return this.workflows.replace(ref, nameNamespace(req), body);
  }

  @Route(R.remove)
  async remove(@RouteParam('idOrName') ref: string, @RouteQuery() _q: NsQueryValue, @Req() req: HttpRequest): Promise<void> {
    await this.workflows.remove(ref, nameNamespace(req));
  }

  /** Run now, with values for the workflow's params: 202 with the run, its first steps started. */
  @Route(R.run)
  run(@RouteParam('idOrName') ref: string, @RouteQuery() _q: NsQueryValue, @RouteBody() body: RunWorkflow, @Req() req: HttpRequest) {
    return this.workflows.run(ref, nameNamespace(req), body);
  }

  @Route(R.runs)
  runs(@RouteParam('idOrName') ref: string, @RouteQuery() q: Omit<ListRunsQuery, 'workflowId'>, @Req() req: HttpRequest) {
    return this.workflows.runsOf(ref, nameNamespace(req), q);
  }
}
