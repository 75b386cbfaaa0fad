import { Controller, Req } from '@nestjs/common';
import { NAMESPACE_ROUTES as R, type CreateNamespace, type NamespaceView, type UpdateNamespace } from '@cronfleet/shared';
import type { HttpRequest } from '../auth/http-request';
import { Route, RouteBody, RouteParam } from '../common/route.decorator';
import { NamespacesService } from './namespaces.service';
import { listNamespace } from '../auth/namespace-scope';

/**
 * `/api/v1/namespaces`. Reading needs a viewer (a scoped token sees its own namespace only: the
 * guard answers 404 for another); creating, changing and deleting need an admin with a
 * cluster-wide token (the contracts' access and scope, enforced by the guard).
 */
@Controller()
export class NamespacesController {
  constructor(private readonly namespaces: NamespacesService) {}

  @Route(R.list)
  async list(@Req() req: HttpRequest): Promise<{ items: NamespaceView[] }> {
    return { items: await this.namespaces.list(listNamespace(req.actor, undefined)) };
  }

  @Route(R.get)
  get(@RouteParam('name') name: string): Promise<NamespaceView> {
    return this.namespaces.get(name);
  }

  @Route(R.create)
  create(@RouteBody() dto: CreateNamespace): Promise<NamespaceView> {
    return this.namespaces.create(dto);
  }

  @Route(R.update)
  update(@RouteParam('name') name: string, @RouteBody() dto: UpdateNamespace): Promise<NamespaceView> {
    return this.namespaces.update(name, dto);
  }

  /** 409 while it still holds jobs, workflows, live tokens, workers or unfinished tasks; `default` never goes. */
  @Route(R.remove)
  async remove(@RouteParam('name') name: string): Promise<void> {
    await this.namespaces.remove(name);
  }
}
