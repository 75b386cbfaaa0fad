import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { z } from 'zod';
import { fromDecimal } from './decimal';

describe('fromDecimal', () => {
  const limit = fromDecimal(z.number({ error: 'must be a number' }).int().min(1).max(500)).default(50);
  it('reads plain decimal digits and numbers', () => {
    assert.equal(limit.parse('31'), 31);
    assert.equal(limit.parse(7), 7);
    assert.equal(limit.parse(undefined), 50);
  });
  it('refuses what z.coerce.number() would have read as something else', () => {
    for (const v of ['0x1f', '1e2', ' 5', '5 ', '+5', '', '5.0', '-1', 'NaN', 'Infinity']) assert.equal(limit.safeParse(v).success, false, v);
  });
  it('refuses another spelling of a number, saying which', () => {
    for (const v of ['01', '007', ' 1']) {
      const r = limit.safeParse(v);
      assert.equal(r.success, false, v);
      assert.match(r.error!.issues[0].message, new RegExp(`plain decimal digits .* not '${v}'`));
    }
    assert.equal(fromDecimal(z.number().min(0)).parse('0'), 0);
  });
});
