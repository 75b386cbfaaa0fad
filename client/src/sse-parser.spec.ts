import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { SseParser } from './sse-parser';

describe('SseParser', () => {
  it('reads events whose text arrives split anywhere, lines ending in LF, CRLF or CR', () => {
    const text = 'event: task.started\r\ndata: {"taskId":1}\r\n\r\nevent: task.finished\rdata: {"taskId":1}\r\rdata: plain\n\n';
    for (let size = 1; size <= text.length; size++) {
      const parser = new SseParser();
      const out = [];
      for (let i = 0; i < text.length; i += size) out.push(...parser.push(text.slice(i, i + size)));
      assert.deepEqual(out, [
        { id: '', event: 'task.started', data: '{"taskId":1}' },
        { id: '', event: 'task.finished', data: '{"taskId":1}' },
        { id: '', event: 'message', data: 'plain' },
      ], `pieces of ${size}`);
    }
  });

  it('joins the data lines of one event with LF and drops only one space after the colon', () => {
    const out = new SseParser().push('data: {"a":\ndata:  1,\ndata\ndata:"b":2}\n\n');
    assert.deepEqual(out, [{ id: '', event: 'message', data: '{"a":\n 1,\n\n"b":2}' }]);
  });

  it('skips comments and events without data', () => {
    assert.deepEqual(new SseParser().push(': subscribed\n\n: ping\n\nevent: nothing\n\n'), []);
  });

  it('keeps the last event id for the events after it, ignoring an id with NUL', () => {
    const parser = new SseParser('3');
    const out = parser.push('data: a\n\nid: 7\ndata: b\n\ndata: c\n\nid: x\0y\ndata: d\n\n');
    assert.deepEqual(out.map((m) => m.id), ['3', '7', '7', '7']);
    assert.equal(parser.lastEventId, '7');
  });

  it('reads retry: as the reconnection time when it is digits', () => {
    const parser = new SseParser();
    parser.push('retry: 1500\n\nretry: soon\n\n');
    assert.equal(parser.retryMs, 1500);
  });

  it('forgets a half-received event on reset, keeping the id', () => {
    const parser = new SseParser();
    parser.push('id: 4\ndata: complete\n\nevent: x\ndata: half');
    parser.reset();
    assert.deepEqual(parser.push('data: next\n\n'), [{ id: '4', event: 'message', data: 'next' }]);
  });
});
