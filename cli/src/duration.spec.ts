import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { parseDurationSeconds } from './duration';

describe('parseDurationSeconds', () => {
  it('reads plain seconds and each unit', () => {
    assert.equal(parseDurationSeconds('0'), 0);
    assert.equal(parseDurationSeconds('90'), 90);
    assert.equal(parseDurationSeconds('90s'), 90);
    assert.equal(parseDurationSeconds('15m'), 900);
    assert.equal(parseDurationSeconds('2h'), 7200);
    assert.equal(parseDurationSeconds('1d'), 86_400);
    assert.equal(parseDurationSeconds('2w'), 1_209_600);
  });

  it('adds units given largest first, and ignores spaces around the value', () => {
    assert.equal(parseDurationSeconds('1h30m'), 5400);
    assert.equal(parseDurationSeconds('1d2h3m4s'), 93_784);
    assert.equal(parseDurationSeconds(' 15m '), 900);
  });

  it('refuses what is not a whole duration', () => {
    for (const bad of ['', 's', '-5', '+5', '1.5h', '1e3', '5x', '5 m', '15M', '30m1h', '1h1h', 'h1', '0x10', '1h 30m']) {
      assert.equal(parseDurationSeconds(bad), null, `'${bad}'`);
    }
  });

  it('refuses an amount past the largest safe integer of seconds', () => {
    assert.equal(parseDurationSeconds('9007199254740992'), null);
    assert.equal(parseDurationSeconds('9007199254740991'), Number.MAX_SAFE_INTEGER);
    assert.equal(parseDurationSeconds('99999999999999w'), null);
  });
});
