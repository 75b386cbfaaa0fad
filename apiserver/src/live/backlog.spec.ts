import assert from 'node:assert/strict';
import { EventEmitter } from 'node:events';
import { describe, it } from 'node:test';
import { backlogVerdict, queuedPackets } from './backlog';
import type { LiveEvent } from '@cronfleet/shared';
import type { LiveFeed } from './live-feed';
import { streamLiveEvents } from './live-sse';

/** A response whose client reads nothing: everything written stays buffered. */
class StalledResponse extends EventEmitter {
  readonly chunks: string[] = [];
  writableLength = 0;
  writableEnded = false;
  setHeader(): void {}
  flushHeaders(): void {}
  write(chunk: string): boolean {
    this.chunks.push(chunk);
    this.writableLength += Buffer.byteLength(chunk);
    return false;
  }
  end(): void {
    this.writableEnded = true;
    this.emit('close');
  }
}

/** The bus as the stream uses it: subscribe only (a real LiveFeed needs Nest, a lease and a cluster bus). */
class Bus {
  readonly fns = new Set<(e: LiveEvent) => void>();
  subscribe(fn: (e: LiveEvent) => void): () => void {
    this.fns.add(fn);
    return () => this.fns.delete(fn);
  }
  emit(e: LiveEvent): void {
    for (const fn of [...this.fns]) fn(e);
  }
}

const output = (seq: number): LiveEvent => ({ type: 'task.output', data: { taskId: 1, cronjobId: 2, namespace: 'default', seq, data: 'x'.repeat(100) } });

describe('subscriber backlog', () => {
  it('keeps a subscriber within the bound and drops one past it', () => {
    assert.equal(backlogVerdict(1000, 1000, 'bytes'), null);
    assert.match(backlogVerdict(1001, 1000, 'bytes') ?? '', /^SlowClient: more than 1000 bytes/);
  });

  it('counts the packets an engine.io connection holds unsent', () => {
    assert.equal(queuedPackets({ writeBuffer: [1, 2, 3] }), 3);
    assert.equal(queuedPackets({}), 0);
    assert.equal(queuedPackets(undefined), 0);
  });

  it('sends an SSE client that stops reading an error event, then closes its stream and unsubscribes', () => {
    const bus = new Bus();
    const res = new StalledResponse();
    streamLiveEvents(bus as unknown as LiveFeed, {}, res, 1000);
    for (let seq = 0; seq < 100 && !res.writableEnded; seq++) bus.emit(output(seq));
    assert.ok(res.writableEnded, 'the stream was not closed');
    assert.equal(bus.fns.size, 0, 'the stream is still subscribed');
    assert.match(res.chunks[res.chunks.length - 1], /^event: error\ndata: \{"code":"SlowClient"/);
    assert.ok(res.chunks.filter((c) => c.startsWith('event: task.output')).length < 15);
  });

  it('writes only the events its filter matches, as event and data lines', () => {
    const bus = new Bus();
    const res = new StalledResponse();
    streamLiveEvents(bus as unknown as LiveFeed, { cronjobId: 5 }, res);
    bus.emit(output(1));
    bus.emit({ type: 'cronjob.deleted', data: { cronjobId: 5, namespace: 'default' } });
    assert.deepEqual(res.chunks.slice(1), ['event: cronjob.deleted\ndata: {"cronjobId":5,"namespace":"default"}\n\n']);
    res.end();
    assert.equal(bus.fns.size, 0);
  });
});
