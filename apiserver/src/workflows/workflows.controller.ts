import { Body, Controller, Delete, Get, HttpCode, Param, Post, Put, Query } from '@nestjs/common';
import type { z } from 'zod';
import { ZodValidationPipe } from '../common/zod-validation.pipe';
import { checkDefinition } from './dto/check-definition';
import { type WorkflowDefinition, WorkflowBodySchema } from './dto/definition.dto';
import { type ListRunsQuery, ListRunsQuerySchema, type ListWorkflowsQuery, ListWorkflowsQuerySchema, WorkflowRefSchema } from './dto/workflow.dto';
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

@Controller('workflows')
export class WorkflowsController {
  constructor(private readonly workflows: WorkflowsService) {}

  @Post()
  create(@Body(new DefinitionPipe()) def: WorkflowDefinition) {
    return this.workflows.create(def);
  }

  @Get()
  list(@Query(new ZodValidationPipe(ListWorkflowsQuerySchema, 'query')) q: ListWorkflowsQuery) {
    return this.workflows.list(q);
  }

  @Get(':idOrName')
  get(@Param('idOrName', Ref) ref: string) {
    return this.workflows.get(ref);
  }

  @Put(':idOrName')
  replace(@Param('idOrName', Ref) ref: string, @Body(new CheckedLaterPipe()) body: unknown) {
    return this.workflows.replace(ref, body);
  }

  @Delete(':idOrName')
  @HttpCode(204)
  async remove(@Param('idOrName', Ref) ref: string): Promise<void> {
    await this.workflows.remove(ref);
  }

  /** Run now: 202 with the run, its first steps started. */
  @Post(':idOrName/runs')
  @HttpCode(202)
  run(@Param('idOrName', Ref) ref: string) {
    return this.workflows.run(ref);
  }

  @Get(':idOrName/runs')
  runs(@Param('idOrName', Ref) ref: string, @Query(new ZodValidationPipe(ListRunsQuerySchema, 'query')) q: Omit<ListRunsQuery, 'workflowId'>) {
    return this.workflows.runsOf(ref, q);
  }
}
