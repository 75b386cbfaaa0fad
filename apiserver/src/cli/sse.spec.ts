import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { SseParser } from './sse';

describe('SseParser', () => {
  it('yields events whole however the stream is cut, CRLF included', () => {
    const text = 'event: output\r\ndata: {"seq":1,"data":"a\\n"}\r\n\r\n: keep-alive\n\nevent: end\ndata: {"status":"success"}\n\n';
    for (let cut = 1; cut < text.length; cut++) {
      const p = new SseParser();
      const events = [...p.push(text.slice(0, cut)), ...p.push(text.slice(cut))];
      assert.deepEqual(
        events,
        [
          { event: 'output', data: '{"seq":1,"data":"a\\n"}' },
          { event: 'end', data: '{"status":"success"}' },
        ],
        `cut at ${cut}`,
      );
    }
  });

  it('joins several data lines with a newline and calls an unnamed event a message', () => {
    assert.deepEqual(new SseParser().push('data: one\ndata:two\nid: 7\n\n'), [{ event: 'message', data: 'one\ntwo' }]);
  });

  it('holds back an event until its blank line arrives', () => {
    const p = new SseParser();
    assert.deepEqual(p.push('event: end\ndata: {}\n'), []);
    assert.deepEqual(p.push('\n'), [{ event: 'end', data: '{}' }]);
  });
});
