import { z } from 'zod';
import { NamespaceNameSchema } from '../../protocol/namespaces';
import { resource } from '../access';
import { defineRoute } from '../contract';
import { CreateNamespaceSchema, NamespaceViewSchema, UpdateNamespaceSchema } from '../namespaces';
import { listOf } from './common';

const NOT_CLUSTER_ADMIN = 'not a cluster-wide admin token (OutsideNamespace)';
const NO_NAMESPACE = 'no such namespace (NamespaceNotFound)';
const params = z.object({ name: NamespaceNameSchema });

/**
 * `/namespaces`. Reading needs a viewer (a scoped token sees its own namespace only); creating,
 * changing and deleting need an admin with a cluster-wide token.
 */
export const NAMESPACE_ROUTES = {
  list: defineRoute({
    method: 'GET',
    path: '/namespaces',
    access: 'viewer',
    scope: 'scoped',
    tag: 'namespaces',
    summary: 'List namespaces with their quotas and usage',
    description: 'A token scoped to a namespace sees only that one.',
    status: 200,
    result: listOf(NamespaceViewSchema),
    resultDescription: 'every namespace the token may see',
  }),
  get: defineRoute({
    method: 'GET',
    path: '/namespaces/:name',
    access: 'viewer',
    scope: resource('namespace', 'name'),
    tag: 'namespaces',
    summary: 'One namespace: quotas (maxJobs, maxConcurrentTasks) and usage (jobs, workflows, running tasks)',
    params,
    status: 200,
    result: NamespaceViewSchema,
    resultDescription: 'the namespace',
    errors: { 404: 'no such namespace, or outside the token (NamespaceNotFound)' },
  }),
  create: defineRoute({
    method: 'POST',
    path: '/namespaces',
    // Quotas bound every team at once: a cluster-wide admin's (scope cluster).
    access: 'admin',
    scope: 'cluster',
    tag: 'namespaces',
    summary: 'Create a namespace',
    description: 'Needs an admin token that is cluster-wide. Cron jobs, workflows, one-shot tasks, tokens and workers then name it in `namespace`.',
    body: CreateNamespaceSchema,
    status: 201,
    result: NamespaceViewSchema,
    resultDescription: 'created',
    errors: { 403: NOT_CLUSTER_ADMIN, 409: 'a namespace with this name exists (NamespaceExists)' },
  }),
  update: defineRoute({
    method: 'PATCH',
    path: '/namespaces/:name',
    // Quotas, as POST /namespaces.
    access: 'admin',
    scope: 'cluster',
    tag: 'namespaces',
    summary: 'Change a namespace’s description or quotas (null: no limit)',
    description: 'A lower `maxJobs` deletes nothing: it refuses new jobs until the namespace is under it. A lower `maxConcurrentTasks` stops nothing running: new tasks wait.',
    params,
    body: UpdateNamespaceSchema,
    status: 200,
    result: NamespaceViewSchema,
    resultDescription: 'changed',
    errors: { 403: NOT_CLUSTER_ADMIN, 404: NO_NAMESPACE },
  }),
  remove: defineRoute({
    method: 'DELETE',
    path: '/namespaces/:name',
    // As POST /namespaces: a team's place in the cluster is a cluster-wide admin's.
    access: 'admin',
    scope: 'cluster',
    tag: 'namespaces',
    summary: 'Delete an empty namespace',
    description: 'Refused while it holds cron jobs, workflows, live tokens, workers serving it or unfinished tasks; its finished one-shot tasks go with it. `default` is never deleted.',
    params,
    status: 204,
    resultDescription: 'deleted',
    errors: { 403: NOT_CLUSTER_ADMIN, 404: NO_NAMESPACE, 409: 'it is not empty, or it is `default` (NamespaceNotEmpty)' },
  }),
};
