import { Controller, Req } from '@nestjs/common';
import { API_TOKEN_ROUTES as R, type ApiTokenView, type CreateApiToken, type CreatedApiToken, type Actor, BOOTSTRAP_ADMIN } from '@cronfleet/shared';
import { Route, RouteBody, RouteParam, RouteQuery } from '../common/route.decorator';
import { ApiTokensService } from './api-tokens.service';
import type { HttpRequest } from './http-request';
import { listNamespace } from './namespace-scope';

@Controller()
export class ApiTokensController {
  constructor(private readonly tokens: ApiTokensService) {}

  @Route(R.create)
  create(@RouteBody() body: CreateApiToken, @Req() req: HttpRequest): Promise<CreatedApiToken> {
    const by = req.actor ?? BOOTSTRAP_ADMIN;
    // Absent: the creator's own scope (null: cluster-wide); a cluster-wide creator may name any namespace, a scoped one only its own.
    const namespace = listNamespace(by, body.namespace) ?? null;
    return this.tokens.create({ ...body, namespace }, by);
  }

  /** Who the caller is: the dashboard shows only the actions its role may take. */
  @Route(R.self)
  self(@Req() req: HttpRequest): Actor {
    const { tokenId, name, role, namespace } = req.actor ?? BOOTSTRAP_ADMIN;
    return { tokenId, name, role, namespace };
  }

  @Route(R.list)
  async list(@RouteQuery() q: { namespace?: string }, @Req() req: HttpRequest): Promise<{ items: ApiTokenView[] }> {
    return { items: await this.tokens.list(listNamespace(req.actor, q.namespace)) };
  }

  @Route(R.revoke)
  async revoke(@RouteParam('id') id: number): Promise<void> {
    await this.tokens.revoke(id);
  }
}
