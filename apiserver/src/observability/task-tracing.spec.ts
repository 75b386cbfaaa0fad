// Tracing off, the default: no OpenTelemetry SDK module is loaded and task:runs items carry no
// traceparent. This file must never turn tracing on: node --test runs it in a process of its own,
// whose require.cache is what the first test inspects.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { TaskRun, TaskRunAck } from '@cronfleet/shared';
import { loadConfig } from '../config/config';
import { TaskSender } from '../dispatcher/task-sender';
import type { SecretBox } from '../common/secret-box';
import type { TaskEntity } from '../tasks/task.entity';
import type { TaskLifecycle } from '../tasks/lifecycle/task-lifecycle';
import type { WorkersRegistry } from '../workers/workers.registry';
import { TaskTracing } from './task-tracing';

const SDK_MODULES = /[\\/]node_modules[\\/]@opentelemetry[\\/](sdk-trace-base|exporter-trace-otlp-http|otlp-exporter-base|otlp-transformer|resources|core)[\\/]/;

/** A task row as the dispatcher holds it after the claim; traceParent set as if a tracing leader had made it. */
function claimedTask(): TaskEntity {
  return {
    id: 41, cronjobId: 3, cronjobName: 'nightly', attempt: 1, scheduledAt: new Date(1_700_000_000_000), timeoutSeconds: null,
    env: { A: '1' }, secretEnv: null, pinnedWorkerId: null, shardIndex: 0, shardCount: 1, runner: 'command', spec: { command: 'true' },
    traceParent: '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01',
  } as unknown as TaskEntity;
}

describe('tracing off (no OTLP endpoint configured)', () => {
  it('loads no OpenTelemetry SDK module and has no tracer', () => {
    const config = loadConfig({});
    assert.equal(config.tracing, false);
    const tracing = new TaskTracing(config);
    assert.equal(tracing.tracer, null);
    const loaded = Object.keys(require.cache).filter((f) => SDK_MODULES.test(f));
    assert.deepEqual(loaded, []);
  });

  it('sends task:runs items without a traceparent, even for a task a tracing leader made', async () => {
    // The registry is replaced by a recorder (the real one needs connected sockets): the item as it
    // would go on the wire is what this test checks.
    const sent: TaskRun[] = [];
    const registry = {
      sendRun: async (_workerId: number, msg: TaskRun): Promise<TaskRunAck> => {
        sent.push(msg);
        return { accepted: true };
      },
      release: () => undefined,
    } as unknown as WorkersRegistry;
    const sender = new TaskSender(registry, {} as SecretBox, new TaskTracing(loadConfig({})), {} as TaskLifecycle);
    sender.send(claimedTask(), 5, false, undefined);
    await new Promise((r) => setImmediate(r));
    assert.equal(sent.length, 1);
    assert.equal(sent[0].taskId, 41);
    assert.equal('traceparent' in sent[0], false);
    assert.equal(Object.keys(require.cache).some((f) => SDK_MODULES.test(f)), false);
  });

  it('refuses an unknown CRONFLEET_TRACING value naming the variable', () => {
    assert.throws(() => loadConfig({ CRONFLEET_TRACING: 'jaeger' }), /CRONFLEET_TRACING: expected otlp or off/);
    assert.equal(loadConfig({ CRONFLEET_TRACING: 'otlp' }).tracing, true);
  });
});
