import { Body, Controller, Delete, Get, HttpCode, Param, Post, Put, Query, Req } from '@nestjs/common';
import type { HttpRequest } from '../auth/http-request';
import { nameNamespace } from '../auth/namespace-access';
import { createNamespace, listNamespace } from '../namespaces/scope';
import { z } from 'zod';
import { NamespaceFilterSchema, type WorkflowDefinition, WorkflowBodySchema, type ListRunsQuery, ListRunsQuerySchema, type ListWorkflowsQuery, ListWorkflowsQuerySchema, type RunWorkflow, RunWorkflowSchema, WorkflowRefSchema } from '@cronfleet/shared';
import { ZodValidationPipe } from '../common/zod-validation.pipe';
import { checkDefinition } from './check-definition';
import { WorkflowsService } from './workflows.service';

/** The body of `POST /workflows`: the schema (for the OpenAPI document), then every check of checkDefinition. */
class DefinitionPipe extends ZodValidationPipe<z.ZodType<unknown>> {
  constructor() {
    super(WorkflowBodySchema);
  }
  override transform(value: unknown): WorkflowDefinition {
    return checkDefinition(value);
  }
}

/**
 * The body of `PUT /workflows/:idOrName`, documented by the same schema but checked by the service
 * once the workflow is found: an unknown workflow is a 404 whatever the body says.
 */
class CheckedLaterPipe extends ZodValidationPipe<z.ZodType<unknown>> {
  constructor() {
    super(WorkflowBodySchema);
  }
  override transform(value: unknown): unknown {
    return value;
  }
}

const Ref = new ZodValidationPipe(WorkflowRefSchema, 'idOrName');
/** `?namespace=` of the by-name routes: checked here, read through nameNamespace. */
const NsQuery = new ZodValidationPipe(z.object({ namespace: NamespaceFilterSchema }).strict(), 'query');
type NsQueryValue = { namespace?: string };

@Controller('workflows')
export class WorkflowsController {
  constructor(private readonly workflows: WorkflowsService) {}

  @Post()
  create(@Body(new DefinitionPipe()) def: WorkflowDefinition, @Req() req: HttpRequest) {
    return this.workflows.create(def, createNamespace(req.actor, def.namespace));
  }

  @Get()
  list(@Query(new ZodValidationPipe(ListWorkflowsQuerySchema, 'query')) q: ListWorkflowsQuery, @Req() req: HttpRequest) {
    return this.workflows.list({ ...q, namespace: listNamespace(req.actor, q.namespace) });
  }

  // By name, a workflow is looked up in `?namespace=` (else the token's namespace, else `default`).
  @Get(':idOrName')
  get(@Param('idOrName', Ref) ref: string, @Query(NsQuery) _q: NsQueryValue, @Req() req: HttpRequest) {
    return this.workflows.get(ref, nameNamespace(req));
  }

  @Put(':idOrName')
  replace(@Param('idOrName', Ref) ref: string, @Query(NsQuery) _q: NsQueryValue, @Body(new CheckedLaterPipe()) body: unknown, @Req() req: HttpRequest) {
    return this.workflows.replace(ref, nameNamespace(req), body);
  }

  @Delete(':idOrName')
  @HttpCode(204)
  async remove(@Param('idOrName', Ref) ref: string, @Query(NsQuery) _q: NsQueryValue, @Req() req: HttpRequest): Promise<void> {
    await this.workflows.remove(ref, nameNamespace(req));
  }

  /** Run now, with values for the workflow's params: 202 with the run, its first steps started. */
  @Post(':idOrName/runs')
  @HttpCode(202)
  run(@Param('idOrName', Ref) ref: string, @Query(NsQuery) _q: NsQueryValue, @Body(new ZodValidationPipe(RunWorkflowSchema)) body: RunWorkflow, @Req() req: HttpRequest) {
    return this.workflows.run(ref, nameNamespace(req), body);
  }

  @Get(':idOrName/runs')
  runs(@Param('idOrName', Ref) ref: string, @Query(new ZodValidationPipe(ListRunsQuerySchema.extend({ namespace: NamespaceFilterSchema }), 'query')) q: Omit<ListRunsQuery, 'workflowId'>, @Req() req: HttpRequest) {
    return this.workflows.runsOf(ref, nameNamespace(req), q);
  }
}
