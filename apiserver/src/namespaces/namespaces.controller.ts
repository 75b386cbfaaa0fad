import { Body, Controller, Delete, Get, HttpCode, Param, Patch, Post, Req } from '@nestjs/common';
import { NamespaceNameSchema, type CreateNamespace, CreateNamespaceSchema, type NamespaceView, type UpdateNamespace, UpdateNamespaceSchema } from '@cronfleet/shared';
import type { HttpRequest } from '../auth/http-request';
import { ZodValidationPipe } from '../common/zod-validation.pipe';
import { NamespacesService } from './namespaces.service';
import { listNamespace } from './scope';

const Name = new ZodValidationPipe(NamespaceNameSchema, 'name');

/**
 * `/api/v1/namespaces`. Reading needs a viewer (a scoped token sees its own namespace only: the
 * guard answers 404 for another); creating, changing and deleting need an admin with a
 * cluster-wide token (auth/namespace-access.ts).
 */
@Controller('namespaces')
export class NamespacesController {
  constructor(private readonly namespaces: NamespacesService) {}

  @Get()
  async list(@Req() req: HttpRequest): Promise<{ items: NamespaceView[] }> {
    return { items: await this.namespaces.list(listNamespace(req.actor, undefined)) };
  }

  @Get(':name')
  get(@Param('name', Name) name: string): Promise<NamespaceView> {
    return this.namespaces.get(name);
  }

  @Post()
  create(@Body(new ZodValidationPipe(CreateNamespaceSchema)) dto: CreateNamespace): Promise<NamespaceView> {
    return this.namespaces.create(dto);
  }

  @Patch(':name')
  update(@Param('name', Name) name: string, @Body(new ZodValidationPipe(UpdateNamespaceSchema)) dto: UpdateNamespace): Promise<NamespaceView> {
    return this.namespaces.update(name, dto);
  }

  /** 409 while it still holds jobs, workflows, live tokens, workers or unfinished tasks; `default` never goes. */
  @Delete(':name')
  @HttpCode(204)
  async remove(@Param('name', Name) name: string): Promise<void> {
    await this.namespaces.remove(name);
  }
}
