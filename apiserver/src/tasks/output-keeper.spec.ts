import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { OutputKeeper, TAIL_SEQ, type OutputChunk } from './output-keeper';

/** Feeds chunks and returns everything stored, in stored-sequence order, as one string. */
function run(cap: number, chunks: string[]): { text: string; stored: OutputChunk[]; cut: number } {
  const k = new OutputKeeper(cap);
  const stored: OutputChunk[] = [];
  chunks.forEach((data, seq) => stored.push(...k.add({ seq, data })));
  stored.push(...k.finish());
  const sorted = [...stored].sort((a, b) => a.seq - b.seq);
  assert.equal(new Set(sorted.map((c) => c.seq)).size, sorted.length, 'no two stored chunks share a sequence number');
  return { text: sorted.map((c) => c.data).join(''), stored: sorted, cut: k.cut };
}

describe('OutputKeeper', () => {
  it('stores output under the cap as it comes, with nothing left for the end', () => {
    const k = new OutputKeeper(100);
    assert.deepEqual(k.add({ seq: 0, data: 'hello ' }), [{ seq: 0, data: 'hello ' }]);
    assert.deepEqual(k.add({ seq: 1, data: 'world' }), [{ seq: 1, data: 'world' }]);
    assert.deepEqual(k.finish(), []);
  });

  it('keeps the first and the last half of a long output with a marker of what was cut', () => {
    const lines = Array.from({ length: 1000 }, (_, i) => `line ${String(i).padStart(4, '0')}\n`); // 10 bytes each
    const { text, cut } = run(200, lines);
    assert.equal(cut, 10_000 - 200);
    assert.ok(text.startsWith('line 0000\nline 0001\n'), text.slice(0, 40));
    assert.ok(text.endsWith('line 0998\nline 0999\n'));
    assert.match(text, /\[cronfleet: 9800 bytes of output cut here; the first 100 and the last 100 bytes are kept\]/);
    assert.equal(Buffer.byteLength(text.replace(/\n\[cronfleet: [^\]]*\]\n/, '')), 200);
  });

  it('splits a chunk that crosses the head boundary, keeping both parts under distinct sequence numbers', () => {
    const { stored, text } = run(10, ['abcdefgh']);
    assert.deepEqual(stored, [
      { seq: 0, data: 'abcde' },
      { seq: TAIL_SEQ, data: 'fgh' },
    ]);
    assert.equal(text, 'abcdefgh');
  });

  it('never splits a UTF-8 character, and counts bytes, not characters', () => {
    const { text } = run(8, ['ééééé', 'ü'.repeat(10)]); // 10 + 20 bytes
    assert.ok(!text.includes('\uFFFD'), JSON.stringify(text));
    const kept = text.replace(/\n\[cronfleet: [^\]]*\]\n/, '');
    assert.ok(Buffer.byteLength(kept) <= 8);
    assert.ok(kept.startsWith('éé') && kept.endsWith('üü'));
  });

  it('holds at most the tail half in memory however much comes', () => {
    const k = new OutputKeeper(1024);
    const mb = 'x'.repeat(1024 * 1024);
    for (let seq = 0; seq < 100; seq++) k.add({ seq, data: mb });
    assert.equal(k.cut, 100 * 1024 * 1024 - 1024);
    const tail = k.finish();
    assert.equal(tail.length, 1);
    assert.equal(Buffer.byteLength(tail[0].data.replace(/^\n\[cronfleet: [^\]]*\]\n/, '')), 512);
  });
});
