import { z } from 'zod';
import { API_ROUTES, COMPONENT_SCHEMAS, fullPath, routeList, type ResponseDoc, type RouteContract, type RouteGroup } from '@cronfleet/shared';

type JsonSchema = Record<string, unknown>;

const COMPONENT_REF = '#/components/schemas/';
const MUTATING = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

/** Component schemas by identity, so that a schema using one refers to it instead of repeating it. */
const COMPONENT_IDS = new Map<unknown, string>(Object.entries(COMPONENT_SCHEMAS).map(([id, schema]) => [schema, id]));

/** JSON Schema 2020-12 (OpenAPI 3.1's dialect) of a zod schema, components below its root referred to by $ref. */
export function jsonSchema(schema: z.ZodType, io: 'input' | 'output'): JsonSchema {
  const out = z.toJSONSchema(schema, {
    io,
    unrepresentable: 'any',
    override: (ctx) => {
      const id = COMPONENT_IDS.get(ctx.zodSchema);
      if (id === undefined || ctx.path.length === 0) return;
      for (const k of Object.keys(ctx.jsonSchema)) delete (ctx.jsonSchema as JsonSchema)[k];
      (ctx.jsonSchema as JsonSchema).$ref = `${COMPONENT_REF}${id}`;
    },
  }) as JsonSchema;
  delete out.$schema;
  return out;
}

function componentSchemas(): Record<string, JsonSchema> {
  return Object.fromEntries(Object.entries(COMPONENT_SCHEMAS).map(([id, schema]) => [id, jsonSchema(schema, 'output')]));
}

const errorResponse = (description: string) => ({ description, content: { 'application/json': { schema: { $ref: `${COMPONENT_REF}Error` } } } });

/** A JSON body by its component's name when it is one, else in full. */
function bodySchema(schema: z.ZodType): JsonSchema {
  const id = COMPONENT_IDS.get(schema);
  return id === undefined ? jsonSchema(schema, 'output') : { $ref: `${COMPONENT_REF}${id}` };
}

function response(r: ResponseDoc) {
  if (r.schema !== undefined) return { description: r.description, content: { 'application/json': { schema: bodySchema(r.schema) } } };
  if (r.contentType) return { description: r.description, content: Object.fromEntries([r.contentType, ...(r.alsoContentTypes ?? [])].map((t) => [t, { schema: { type: 'string' } }])) };
  return { description: r.description };
}

/** The route's answers by status: its success answer, the other ones it names, its errors. */
function responsesOf(route: RouteContract): Record<string, unknown> {
  const success: ResponseDoc = { description: route.resultDescription ?? 'success', schema: route.result, contentType: route.resultContentType, alsoContentTypes: route.alsoContentTypes };
  const responses: Record<string, unknown> = { [route.status]: response(success) };
  for (const [status, r] of Object.entries(route.alsoAnswers ?? {})) responses[status] = response(r);
  for (const [status, r] of Object.entries(route.errors ?? {})) responses[status] = typeof r === 'string' ? errorResponse(r) : response(r);
  return responses;
}

function operation(route: RouteContract, operationId: string) {
  const parameters: JsonSchema[] = [];
  for (const name of [...route.path.matchAll(/:(\w+)/g)].map((m) => m[1])) {
    const schema = route.params?.shape[name] as z.ZodType | undefined;
    parameters.push({ name, in: 'path', required: true, schema: schema ? jsonSchema(schema, 'input') : { type: 'string' } });
  }
  if (route.query) {
    const q = jsonSchema(route.query, 'input') as { properties?: Record<string, JsonSchema>; required?: string[] };
    for (const [name, schema] of Object.entries(q.properties ?? {})) {
      parameters.push({ name, in: 'query', required: q.required?.includes(name) ?? false, schema });
    }
  }
  const responses = responsesOf(route);
  // Every route refuses a query parameter it does not take (UnknownQueryParameter), and a body that is not JSON.
  responses['400'] ??= errorResponse('the request is not valid (ValidationFailed, InvalidSchedule, InvalidBody; a query parameter the route does not take; malformed JSON): the message names the field or parameter and the problem');
  if (MUTATING.has(route.method)) {
    // Any request body is judged before the route: by its type, then its size (common/body-limits.ts).
    responses['413'] ??= errorResponse('the body is larger than CRONFLEET_MAX_BODY_BYTES (BodyTooLarge)');
    responses['415'] ??= errorResponse('a body that is not sent as Content-Type: application/json (UnsupportedMediaType)');
  }
  const access = route.access;
  if (access !== 'public') {
    responses['401'] ??= errorResponse('no token, or not a valid one (unknown, revoked or expired)');
    if (access !== 'viewer') responses['403'] ??= errorResponse(`the token's role is below ${access}`);
    responses['429'] ??= errorResponse('too many failed token checks from this address (TooManyAuthFailures); see Retry-After');
  }
  return {
    operationId,
    tags: [route.tag],
    summary: route.summary,
    ...(route.description ? { description: route.description } : {}),
    security: access === 'public' ? [] : [{ bearerAuth: [] }],
    'x-cronfleet-role': access,
    ...(parameters.length ? { parameters } : {}),
    ...(route.body
      ? {
          requestBody: {
            // A body the server accepts when it is missing (it validates `{}` then) is optional.
            required: !route.body.safeParse({}).success,
            content: { 'application/json': { schema: jsonSchema(route.body, 'input') } },
          },
        }
      : {}),
    responses,
  };
}

/** What the document is built from: the route groups, and the name of each operation. */
export interface DocumentSource {
  /** Default API_ROUTES. */
  routes?: Readonly<Record<string, RouteGroup>>;
  /** By contract, e.g. the handler serving it (nest-routes.ts operationIds); default `<group>_<name>`. */
  operationIds?: ReadonlyMap<RouteContract, string>;
}

/**
 * The OpenAPI 3.1 document of the route contracts (API_ROUTES): their request schemas (what the
 * server validates with), texts and answers; 400, 401, 403, 413, 415 and 429 added where the
 * server answers them before a route runs.
 */
export function buildOpenApiDocument(version: string, { routes = API_ROUTES, operationIds }: DocumentSource = {}) {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const { group, name, route } of routeList(routes)) {
    const path = fullPath(route).replace(/:(\w+)/g, '{$1}');
    (paths[path] ??= {})[route.method.toLowerCase()] = operation(route, operationIds?.get(route) ?? `${group}_${name}`);
  }
  return {
    openapi: '3.1.0',
    info: {
      title: 'Cronfleet API',
      version,
      description: 'REST API of the Cronfleet API server. Every route under /api/v1 needs `Authorization: Bearer <token>` (an API token, or the admin token); `x-cronfleet-role` is the least role of each operation (viewer, operator, admin); errors are `{ statusCode, error, code, message }`.',
    },
    tags: [
      { name: 'cronjobs', description: 'Cron jobs and their schedules' },
      { name: 'tasks', description: 'Executions: history, output, one-shot tasks, stop and kill' },
      { name: 'workflows', description: 'DAG workflows of steps (tasks and groups of tasks) and their runs' },
      { name: 'workers', description: 'The worker fleet' },
      { name: 'scheduler', description: 'The dispatcher: leader, lag, pause' },
      { name: 'events', description: 'The live event bus (also on the socket.io namespace /events)' },
      { name: 'tokens', description: 'API tokens with roles, and the audit log' },
      { name: 'namespaces', description: 'Namespaces: what belongs to each team, its quotas, and tokens and workers scoped to it' },
      { name: 'operations', description: 'Probes, metrics and these docs; no token' },
    ],
    paths,
    // Requests the server makes: a job's notify rules with a webhook (OpenAPI 3.1 webhooks).
    webhooks: {
      notification: {
        post: {
          summary: "a cron job's notification",
          description: 'Sent for the events a notify rule names. Headers: X-Cronfleet-Event (the event), X-Cronfleet-Delivery (the same on every retry of one delivery), X-Cronfleet-Signature: sha256=<hex> (HMAC-SHA256 of the raw body keyed by CRONFLEET_WEBHOOK_SECRET). Network errors, 5xx and 429 are retried.',
          requestBody: { required: true, content: { 'application/json': { schema: { $ref: `${COMPONENT_REF}NotificationPayload` } } } },
          responses: { '200': { description: 'any 2xx: delivered' } },
        },
      },
    },
    components: {
      schemas: componentSchemas(),
      securitySchemes: { bearerAuth: { type: 'http', scheme: 'bearer', description: 'an API token (cft_…), or the admin token (CRONFLEET_ADMIN_TOKEN, or the one printed at first start)' } },
    },
  };
}
