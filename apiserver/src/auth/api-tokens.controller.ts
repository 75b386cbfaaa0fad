import { Body, Controller, Delete, Get, HttpCode, Param, Post, Query, Req } from '@nestjs/common';
import { z } from 'zod';
import { fromDecimal, type ApiTokenView, type CreateApiToken, CreateApiTokenSchema, type CreatedApiToken, type Actor, BOOTSTRAP_ADMIN, NamespaceFilterSchema } from '@cronfleet/shared';
import { ZodValidationPipe } from '../common/zod-validation.pipe';
import { ApiTokensService } from './api-tokens.service';
import type { HttpRequest } from './http-request';
import { listNamespace } from './namespace-scope';

const TokensQuerySchema = z.object({ namespace: NamespaceFilterSchema }).strict();

const TokenId = new ZodValidationPipe(fromDecimal(z.number({ error: 'must be a number' }).int('must be an integer').positive('must be positive')), 'id');

@Controller('tokens')
export class ApiTokensController {
  constructor(private readonly tokens: ApiTokensService) {}

  @Post()
  create(@Body(new ZodValidationPipe(CreateApiTokenSchema)) body: CreateApiToken, @Req() req: HttpRequest): Promise<CreatedApiToken> {
    const by = req.actor ?? BOOTSTRAP_ADMIN;
    // Absent: the creator's own scope (null: cluster-wide); a cluster-wide creator may name any namespace, a scoped one only its own.
    const namespace = listNamespace(by, body.namespace) ?? null;
    return this.tokens.create({ ...body, namespace }, by);
  }

  /** Who the caller is: the dashboard shows only the actions its role may take. */
  @Get('self')
  self(@Req() req: HttpRequest): Actor {
    const { tokenId, name, role, namespace } = req.actor ?? BOOTSTRAP_ADMIN;
    return { tokenId, name, role, namespace };
  }

  @Get()
  async list(@Query(new ZodValidationPipe(TokensQuerySchema, 'query')) q: { namespace?: string }, @Req() req: HttpRequest): Promise<{ items: ApiTokenView[] }> {
    return { items: await this.tokens.list(listNamespace(req.actor, q.namespace)) };
  }

  @Delete(':id')
  @HttpCode(204)
  async revoke(@Param('id', TokenId) id: number): Promise<void> {
    await this.tokens.revoke(id);
  }
}
