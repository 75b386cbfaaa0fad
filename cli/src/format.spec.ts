import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { describe as describePairs, duration, relative, render, table } from './format';

describe('CLI output formatting', () => {
  it('aligns table columns two spaces apart, capitalises headers and does not pad the last column', () => {
    assert.equal(
      table(['id', 'name', 'next run'], [['1', 'hello', 'in 4m'], ['12', 'nightly-backup', '-']]),
      'ID  NAME            NEXT RUN\n1   hello           in 4m\n12  nightly-backup  -',
    );
  });

  it('shows durations in their two largest units', () => {
    assert.equal(duration(350), '350ms');
    assert.equal(duration(2_970), '3s');
    assert.equal(duration(250_000), '4m 10s');
    assert.equal(duration(7_200_000), '2h');
    assert.equal(duration(3 * 86_400_000 + 4 * 3_600_000 + 59_000), '3d 4h');
  });

  it('says how far an instant is from now, either way, and - for none', () => {
    const now = Date.parse('2026-03-08T12:00:00Z');
    assert.equal(relative('2026-03-08T12:04:10Z', now), 'in 4m 10s');
    assert.equal(relative('2026-03-08T09:58:00Z', now), '2h 2m ago');
    assert.equal(relative('2026-03-08T12:00:00.400Z', now), 'now');
    assert.equal(relative(null, now), '-');
  });

  it('prints the API data unchanged for json and yaml, and the human text only for table', () => {
    const data = { items: [{ id: 1, name: 'a' }] };
    assert.deepEqual(JSON.parse(render('json', data, () => 'never')), data);
    assert.equal(render('yaml', data, () => 'never'), 'items:\n  - id: 1\n    name: a\n');
    assert.equal(render('table', data, () => 'one line'), 'one line\n');
  });

  it('leaves undefined out of a key-value view and shows null as -', () => {
    assert.equal(describePairs([['Name', 'a'], ['Signal', undefined], ['Timeout', null]]), 'Name:     a\nTimeout:  -');
  });
});
