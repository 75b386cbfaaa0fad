import 'reflect-metadata';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { describe, it } from 'node:test';
import type { z } from 'zod';
import type { CronJobEntity } from '../cronjobs/cronjob.entity';
import { toCronJobView } from '../cronjobs/cronjob.view';
import { toTaskView } from '../tasks/task.view';
import type { TaskEntity } from '../tasks/task.entity';
import type { WorkerDetail, WorkerView } from '../workers/workers.service';
import { buildOpenApiDocument } from './openapi-document';
import { CronJobVersionSchema, CronJobViewSchema, NotificationPayloadSchema, TaskViewSchema, WorkerDetailSchema, WorkerViewSchema } from '@cronfleet/shared';
import type { NotificationPayload } from '../notifications/core/notification-message';
import { SecretBox } from '../common/secret-box';
import { toVersionView } from '../cronjobs/versions/version.view';
import { CronJobHistory } from '../cronjobs/versions/cronjob-history';

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

function doc(): Json {
  return buildOpenApiDocument('0.0.0-spec') as Json;
}

/** Compile-time: the schema's output type and the view type are the same (a field added to one fails the build of this spec). */
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
const workerViewMatches: Same<z.output<typeof WorkerViewSchema>, WorkerView> = true;
const workerDetailMatches: Same<z.output<typeof WorkerDetailSchema>, WorkerDetail> = true;
const notificationMatches: Same<z.output<typeof NotificationPayloadSchema>, NotificationPayload> = true;

describe('the OpenAPI document', () => {
  const d = doc();

  it('is OpenAPI 3.1 with the cron job routes, their request schema from the contract and their responses', () => {
    assert.equal(d.openapi, '3.1.0');
    const create = d.paths['/api/v1/cronjobs'].post;
    assert.equal(create.requestBody.required, true);
    const body = create.requestBody.content['application/json'].schema;
    assert.equal(body.type, 'object');
    assert.deepEqual(body.required, ['name', 'schedule', 'runner', 'spec'], 'fields with defaults are optional in a request');
    assert.deepEqual(body.properties.concurrencyPolicy.enum, ['allow', 'forbid', 'replace']);
    assert.equal(body.properties.runner.pattern, '^[a-z][a-z0-9-]{0,31}$', 'a built-in or a plugin runner');
    assert.match(body.properties.runner.description, /built-in runner \(command, script, docker, http\), or the name of a plugin runner/);
    assert.match(create.description, /plugin runner: its `spec` is checked here only as a JSON object/);
    assert.equal(body.additionalProperties, false);
    const entry = body.properties.triggers.anyOf[0].properties.onSuccess.items;
    assert.deepEqual(entry.anyOf.map((e: Json) => e.type), ['string', 'object'], 'a trigger entry is a job name or { job, params }');
    assert.deepEqual(entry.anyOf[1].properties.params.additionalProperties, { type: 'string' });
    assert.deepEqual(create.responses['201'].content['application/json'].schema, { $ref: '#/components/schemas/CronJob' });
    for (const status of ['400', '401', '409']) assert.deepEqual(create.responses[status].content['application/json'].schema, { $ref: '#/components/schemas/Error' }, status);
    assert.deepEqual(create.security, [{ bearerAuth: [] }]);
    const get = d.paths['/api/v1/cronjobs/{id}'].get;
    assert.deepEqual(get.parameters[0], { name: 'id', in: 'path', required: true, schema: { type: 'integer', exclusiveMinimum: 0, maximum: Number.MAX_SAFE_INTEGER } });
    assert.ok(get.responses['404']);
  });

  it('shows query parameters one by one, optional bodies as optional, and probes without a token', () => {
    const list = d.paths['/api/v1/tasks'].get;
    assert.deepEqual(list.parameters.map((p: Json) => [p.name, p.in, p.required]), [['cronjobId', 'query', false], ['status', 'query', false], ['workerId', 'query', false], ['namespace', 'query', false], ['since', 'query', false], ['until', 'query', false], ['limit', 'query', false], ['cursor', 'query', false]]);
    assert.equal(d.paths['/api/v1/tasks/{id}/stop'].post.requestBody.required, false);
    const ready = d.paths['/readyz'].get;
    assert.deepEqual(ready.security, []);
    assert.equal(ready.responses['401'], undefined);
    assert.ok(ready.responses['503']);
  });

  it('describes the notification webhook, with attemptFailure among its events and whether a retry follows', () => {
    assert.equal(d.webhooks.notification.post.requestBody.content['application/json'].schema.$ref, '#/components/schemas/NotificationPayload');
    const payload = d.components.schemas.NotificationPayload;
    assert.ok(payload.properties.event.enum.includes('attemptFailure'));
    assert.ok(payload.properties.retry && payload.properties.final && payload.properties.task.properties.attempts);
    assert.ok(notificationMatches);
  });

  it('documents what the server answers before a route runs: 400 on every route, 413 and 415 on every mutating one', () => {
    for (const [path, ops] of Object.entries(d.paths as Record<string, Record<string, Json>>)) {
      for (const [method, op] of Object.entries(ops)) {
        assert.ok(op.responses['400'], `${method} ${path}: 400 (an unknown query parameter, malformed JSON)`);
        if (['post', 'put', 'patch', 'delete'].includes(method)) for (const s of ['413', '415']) assert.ok(op.responses[s], `${method} ${path}: ${s}`);
      }
    }
    assert.ok(d.paths['/api/v1/tasks/{id}/stop'].post.responses['400'], 'a bodiless POST still parses a body sent to it');
  });

  it('gives the followed output as an event stream and its own document as JSON', () => {
    assert.deepEqual(Object.keys(d.paths['/api/v1/tasks/{id}/output'].get.responses['200'].content), ['text/plain', 'text/event-stream']);
    const self = d.paths['/api/docs/openapi.json'].get.responses['200'].content['application/json'].schema;
    assert.equal(self.type, 'object');
    assert.equal(self.properties.openapi.const, '3.1.0');
  });

  it('has a schema for every component it refers to', () => {
    const refs = [...JSON.stringify(d).matchAll(/"\$ref":"#\/components\/schemas\/(\w+)"/g)].map((m) => m[1]);
    for (const r of new Set(refs)) assert.ok(d.components.schemas[r], `missing component ${r}`);
    assert.ok(!JSON.stringify(d).includes('$defs'));
  });
});

describe('the response schemas', () => {
  it('describe what toCronJobView and toTaskView return, field for field', () => {
    const at = new Date('2026-01-01T00:00:00Z');
    const job = {
      id: 1, name: 'n', namespace: 'default', schedule: '@every 5s', timezone: 'UTC', runner: 'command', spec: { command: 'true' }, timeoutSeconds: null, enabled: true,
      jitterSeconds: 0, concurrencyPolicy: 'allow', misfirePolicy: 'runOnce', catchUpLimit: 10, startingDeadlineSeconds: null,
      retry: { maxRetries: 1, backoff: 'fixed', delaySeconds: 1, maxDelaySeconds: 10, jitter: false }, priority: 0, env: null, secretEnv: 'v1:x',
      secretEnvKeys: ['A'], maxOutputBytes: null, workerSelector: { labels: { zone: 'eu' } }, routing: 'leastLoaded', nextRunAt: at, createdAt: at, updatedAt: at,
      notify: [{ on: ['failure'], webhook: { url: 'https://example.com/h', headers: { Authorization: 'Bearer x' } } }, { on: ['recovered'], email: { to: ['a@example.com'] } }],
      triggers: { onSuccess: ['load', { job: 'deploy', params: { REGION: 'us' } }], onFailure: ['alert'] }, params: [{ name: 'REGION', description: 'where', enum: ['eu', 'us'], default: 'eu', required: false }, { name: 'TICKET', pattern: '[A-Z]+-[0-9]+', required: true }], historyLimit: 10, historyDays: null, version: 3,
    } as CronJobEntity;
    CronJobViewSchema.strict().parse(toCronJobView(job));
    const [draft] = new CronJobHistory(new SecretBox(randomBytes(32))).changed(job, { ...job, schedule: '@daily' } as CronJobEntity, { actor: 'a', role: 'admin', tokenId: null });
    const version = toVersionView({ ...draft, cronjobId: 1, version: 4 });
    CronJobVersionSchema.strict().parse(version);
    CronJobVersionSchema.shape.definition.strict().parse(version.definition);
    const task = {
      id: 2, cronjobId: 1, cronjobName: 'n', namespace: 'default', status: 'failed', attempt: 1, trigger: 'schedule', scheduledAt: at, startedAt: at, finishedAt: at,
      exitCode: 1, signal: null, workerId: 3, error: { code: 'ExitCode', message: 'exit 1', retryable: true }, runner: 'command', spec: {},
      timeoutSeconds: null, priority: 0, runAt: null, leaseEpoch: 1, idempotencyKey: null, retry: null, retryOf: null, previousWorkerId: null,
      env: null, secretEnv: null, maxOutputBytes: null, workerSelector: null, routing: 'leastLoaded', shardIndex: 0, shardCount: 1,
      pinnedWorkerId: null, pendingReason: null, control: { action: 'kill', requestedAt: at.toISOString(), state: 'confirmed', reason: 'r' }, createdAt: at,
      workflowRunId: 4, workflowStep: 'fan', workflowItem: 2,
    } as TaskEntity;
    TaskViewSchema.strict().parse(toTaskView(task));
    assert.ok(workerViewMatches && workerDetailMatches);
  });
});
