import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { TaskOutput } from '@cronfleet/shared';
import { Outbox, type OutboxChannel } from './outbox';

/** A channel whose output acks the test releases by hand. */
function channel(): OutboxChannel & { acks: Array<() => void>; ready: boolean } {
  const acks: Array<() => void> = [];
  return {
    ready: true,
    acks,
    emitOutput: () => new Promise((resolve) => acks.push(() => resolve({ stored: true }))),
    emitUpdate: () => Promise.resolve({ recorded: true }),
  };
}

const chunk = (seq: number, bytes: number): TaskOutput => ({ taskId: 1, seq, data: 'x'.repeat(bytes) });

describe('Outbox output backpressure', () => {
  it('has room until 4 MiB are unacknowledged, then waits until the server is down to 1 MiB', async () => {
    const ch = channel();
    const outbox = new Outbox(ch, () => undefined);
    for (let i = 0; i < 4; i++) outbox.sendOutput(chunk(i, 1024 * 1024)); // exactly 4 MiB in flight
    assert.equal(outbox.outputRoom(), null);
    outbox.sendOutput(chunk(4, 1024 * 1024)); // 5 MiB
    const wait = outbox.outputRoom();
    assert.ok(wait instanceof Promise);
    let resumed = false;
    void wait.then(() => (resumed = true));
    for (let i = 0; i < 3; i++) ch.acks[i]();
    await new Promise((r) => setImmediate(r));
    assert.equal(resumed, false, '2 MiB still in flight');
    ch.acks[3]();
    await new Promise((r) => setImmediate(r));
    assert.equal(resumed, true, 'resumed at 1 MiB');
    assert.equal(outbox.outputRoom(), null);
  });

  it('counts a chunk whose ack failed (timeout, disconnect) as no longer in flight', async () => {
    let fail!: (e: Error) => void;
    const ch: OutboxChannel = {
      ready: true,
      emitOutput: () => new Promise((_, reject) => (fail = reject)),
      emitUpdate: () => Promise.resolve({ recorded: true }),
    };
    const outbox = new Outbox(ch, () => undefined);
    outbox.sendOutput(chunk(0, 5 * 1024 * 1024));
    const wait = outbox.outputRoom();
    assert.ok(wait);
    fail(new Error('operation has timed out'));
    await wait;
    assert.equal(outbox.outputRoom(), null);
  });

  it('never holds a task back while disconnected (output is then held, bounded)', () => {
    const ch = channel();
    const outbox = new Outbox(ch, () => undefined);
    outbox.sendOutput(chunk(0, 5 * 1024 * 1024));
    ch.ready = false;
    assert.equal(outbox.outputRoom(), null);
  });
});

describe('Outbox results the server refuses', () => {
  it('drops a result the server will never record (not this worker\'s task) instead of re-sending it for ever', async () => {
    let sends = 0;
    const ch: OutboxChannel = {
      ready: true,
      emitOutput: () => Promise.resolve({ stored: true }),
      emitUpdate: () => {
        sends++;
        return Promise.resolve({ recorded: false, refusal: { code: 'TaskNotYours', message: 'task 9 was not sent to worker 2', retryable: false } });
      },
    };
    const lines: string[] = [];
    const outbox = new Outbox(ch, (l) => lines.push(l), { retryDelayMs: 1 });
    outbox.sendUpdate({ taskId: 9, status: 'success', atMs: 1, exitCode: 0 });
    await outbox.whenDelivered();
    await new Promise((r) => setTimeout(r, 20));
    assert.equal(sends, 1);
    assert.equal(outbox.hasUpdateFor(9), false);
    assert.match(lines.join('\n'), /will not record its success update \(TaskNotYours/);
    outbox.dispose();
  });

  it('keeps re-sending a result the server could not store now', async () => {
    let sends = 0;
    const ch: OutboxChannel = {
      ready: true,
      emitOutput: () => Promise.resolve({ stored: true }),
      emitUpdate: () => Promise.resolve(++sends < 3 ? { recorded: false, refusal: { code: 'NotRecorded', message: 'database down', retryable: true } } : { recorded: true }),
    };
    const outbox = new Outbox(ch, () => undefined, { retryDelayMs: 1 });
    outbox.sendUpdate({ taskId: 9, status: 'success', atMs: 1, exitCode: 0 });
    await outbox.whenDelivered();
    assert.equal(sends, 3);
    outbox.dispose();
  });
});
