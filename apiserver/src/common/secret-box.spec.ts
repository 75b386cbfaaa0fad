import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { SecretBox } from './secret-box';

describe('SecretBox', () => {
  const box = new SecretBox(randomBytes(32));

  it('round-trips an environment, with a different ciphertext each time and no plaintext in it', () => {
    const env = { DB_PASSWORD: 'hunter2-hunter2', TOKEN: 'ü∂ 🔑' };
    const a = box.seal(env);
    const b = box.seal(env);
    assert.notEqual(a, b);
    assert.ok(a.startsWith('v1:'));
    assert.ok(!a.includes('hunter2') && !Buffer.from(a.slice(3), 'base64').toString('latin1').includes('hunter2'));
    assert.deepEqual(box.open(a), env);
  });

  it('refuses a value sealed with another key, a tampered one and a foreign one', () => {
    const sealed = new SecretBox(randomBytes(32)).seal({ A: 'b' });
    assert.throws(() => box.open(sealed), /cannot be decrypted with this server's key/);
    const mine = box.seal({ A: 'b' });
    const raw = Buffer.from(mine.slice(3), 'base64');
    raw[raw.length - 1] ^= 1;
    assert.throws(() => box.open(`v1:${raw.toString('base64')}`), /cannot be decrypted/);
    assert.throws(() => box.open('plain text'), /not a sealed value/);
  });

  it('seals any JSON value the same way, naming it when it cannot be opened', () => {
    const headers = [{ Authorization: 'Bearer s3cret-value' }, null];
    const sealed = box.sealJson(headers);
    assert.ok(!sealed.includes('s3cret'));
    assert.deepEqual(box.openJson(sealed, 'notify'), headers);
    assert.throws(() => new SecretBox(randomBytes(32)).openJson(sealed, 'notify headers'), /^Error: notify headers: cannot be decrypted/);
  });

  it('wants a 32-byte key', () => {
    assert.throws(() => new SecretBox(randomBytes(16)), /32 bytes/);
  });
});
