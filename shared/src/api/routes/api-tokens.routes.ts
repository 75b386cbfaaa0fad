import { z } from 'zod';
import { resource } from '../access';
import { defineRoute } from '../contract';
import { ApiTokenViewSchema, CreateApiTokenSchema, CreatedApiTokenSchema, TokenIdParamSchema } from '../api-tokens';
import { AuditPageSchema, AuditQuerySchema } from '../audit';
import { NamespaceQuerySchema } from '../namespaces';
import { ROLES } from '../roles';
import { listOf } from './common';

/** `/tokens`: API tokens with roles. */
export const API_TOKEN_ROUTES = {
  create: defineRoute({
    method: 'POST',
    path: '/tokens',
    access: 'admin',
    scope: 'scoped',
    tag: 'tokens',
    summary: 'Create an API token',
    description: 'Roles: `viewer` (read), `operator` (also run, pause, kill, drain, scheduler stop/start), `admin` (everything). The token (`cft_…`) is in this answer only; the server keeps its SHA-256.',
    body: CreateApiTokenSchema,
    status: 201,
    result: CreatedApiTokenSchema,
    resultDescription: 'created, with its secret',
    errors: { 409: 'a token with this name exists (ApiTokenNameTaken)' },
  }),
  self: defineRoute({
    method: 'GET',
    path: '/tokens/self',
    access: 'viewer',
    scope: 'any',
    tag: 'tokens',
    summary: 'The caller: its token id (null for the configured admin token), name and role',
    status: 200,
    result: z.object({ tokenId: z.number().int().positive().nullable(), name: z.string(), role: z.enum(ROLES), namespace: z.string().nullable().meta({ description: 'null: cluster-wide' }) }),
    resultDescription: 'the caller',
  }),
  list: defineRoute({
    method: 'GET',
    path: '/tokens',
    access: 'admin',
    scope: 'scoped',
    tag: 'tokens',
    summary: 'List API tokens (never their secrets), revoked ones too',
    query: NamespaceQuerySchema,
    status: 200,
    result: listOf(ApiTokenViewSchema),
    resultDescription: 'every token',
  }),
  revoke: defineRoute({
    method: 'DELETE',
    path: '/tokens/:id',
    access: 'admin',
    scope: resource('token'),
    tag: 'tokens',
    summary: 'Revoke an API token',
    description: 'It is refused (401) from the next request on, on every server; the row stays for the audit log.',
    params: z.object({ id: TokenIdParamSchema }),
    status: 204,
    resultDescription: 'revoked (also when it already was)',
    errors: { 404: 'no token with this id (ApiTokenNotFound)' },
  }),
};

/** `/audit`: the audit log of mutating calls. */
export const AUDIT_ROUTES = {
  page: defineRoute({
    method: 'GET',
    path: '/audit',
    access: 'admin',
    scope: 'cluster',
    tag: 'tokens',
    summary: 'The audit log of mutating calls, newest first',
    description: 'Every POST, PATCH, PUT and DELETE that passed the token check: who (token name and id, or `admin`), role, method, path, target id, status answered, client address, time. Request bodies are never kept.',
    query: AuditQuerySchema,
    status: 200,
    result: AuditPageSchema,
    resultDescription: 'one page',
  }),
};
