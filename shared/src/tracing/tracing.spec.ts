import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { parseEvent } from '../protocol';
import { formatTraceparent, parseTraceparent } from './traceparent';
import { tracingWanted } from './tracing';

const GOOD = '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01';
const run = (extra: Record<string, unknown>) => ({
  tasks: [{ taskId: 7, cronjobId: null, cronjobName: null, attempt: 1, scheduledAtMs: 1, timeoutSeconds: null, runner: 'command', spec: { command: 'true' }, ...extra }],
});

describe('tracing switch and traceparent', () => {
  it('is off unless an OTLP endpoint or CRONFLEET_TRACING=otlp is configured, and off when disabled', () => {
    assert.equal(tracingWanted({}), false);
    assert.equal(tracingWanted({ OTEL_EXPORTER_OTLP_ENDPOINT: ' ' }), false);
    assert.equal(tracingWanted({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318' }), true);
    assert.equal(tracingWanted({ OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 'http://collector:4318/v1/traces' }), true);
    assert.equal(tracingWanted({ CRONFLEET_TRACING: 'otlp' }), true);
    assert.equal(tracingWanted({ CRONFLEET_TRACING: 'off', OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318' }), false);
    assert.equal(tracingWanted({ OTEL_SDK_DISABLED: 'true', OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318' }), false);
  });

  it('parses and formats W3C traceparents, refusing malformed and all-zero ids', () => {
    const p = parseTraceparent(GOOD);
    assert.deepEqual(p, { traceId: '4bf92f3577b34da6a3ce929d0e0e4736', spanId: '00f067aa0ba902b7', traceFlags: 1 });
    assert.equal(formatTraceparent(p!), GOOD);
    for (const bad of [undefined, '', GOOD.toUpperCase(), GOOD + '0', `00-${'0'.repeat(32)}-00f067aa0ba902b7-01`, `00-4bf92f3577b34da6a3ce929d0e0e4736-${'0'.repeat(16)}-01`, GOOD.replace(/^00/, '01')]) {
      assert.equal(parseTraceparent(bad), null, `${bad}`);
    }
  });

  it('accepts a task:runs item with or without a traceparent and refuses a malformed one naming the field', () => {
    const without = parseEvent('task:runs', run({}));
    assert.ok(without.ok);
    assert.equal('traceparent' in without.value.tasks[0], false);
    const withIt = parseEvent('task:runs', run({ traceparent: GOOD }));
    assert.ok(withIt.ok);
    assert.equal(withIt.value.tasks[0].traceparent, GOOD);
    const bad = parseEvent('task:runs', run({ traceparent: 'x'.repeat(10_000) }));
    assert.equal(bad.ok, false);
    assert.match(bad.ok ? '' : bad.error.message, /traceparent/);
  });
});
