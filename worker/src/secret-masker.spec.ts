import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { SecretMasker } from './secret-masker';

/** Feeds `chunks` through a fresh masker and returns everything it let out, end included. */
function stream(secrets: string[], chunks: string[]): string {
  const masker = new SecretMasker(secrets);
  return chunks.map((c) => masker.write(c)).join('') + masker.end();
}

/** The masking rule spelt out: at each position the longest secret (of 4+ characters) starting there, else the character. */
function naiveMask(secrets: string[], text: string): string {
  const longestFirst = secrets.filter((v) => v.length >= 4).sort((a, b) => b.length - a.length);
  let out = '';
  for (let i = 0; i < text.length; ) {
    const hit = longestFirst.find((v) => text.startsWith(v, i));
    out += hit ? '***' : text.charAt(i);
    i += hit ? hit.length : 1;
  }
  return out;
}

/** A small deterministic generator (mulberry32), so a failure can be replayed. */
function random(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

describe('SecretMasker', () => {
  it('replaces every occurrence of every secret value with ***', () => {
    assert.equal(stream(['hunter22', 's3cr3t'], ['pw=hunter22, again hunter22; other s3cr3t.\n']), 'pw=***, again ***; other ***.\n');
  });

  it('masks a secret split across two writes, at every split point', () => {
    const text = 'token: hunter22 done';
    for (let cut = 0; cut <= text.length; cut++) {
      assert.equal(stream(['hunter22'], [text.slice(0, cut), text.slice(cut)]), 'token: *** done', `split at ${cut}`);
    }
  });

  it('masks a secret arriving one character per write', () => {
    assert.equal(stream(['hunter22'], [...'a hunter22 b hunter2 c']), 'a *** b hunter2 c');
  });

  it('holds back only an end that could still become a secret, and lets it out when it does not', () => {
    const masker = new SecretMasker(['hunter22']);
    assert.equal(masker.write('progress 50%'), 'progress 50%');
    assert.equal(masker.write('\nsay hu'), '\nsay ');
    assert.equal(masker.write('go'), 'hugo');
    assert.equal(masker.write(' hunt'), ' ');
    assert.equal(masker.end(), 'hunt');
    assert.equal(masker.end(), '');
  });

  it('masks the longest secret where two start at the same place, waiting to know which it is', () => {
    const secrets = ['abcd', 'abcdefgh'];
    assert.equal(stream(secrets, ['x abcdef', 'gh y']), 'x *** y');
    assert.equal(stream(secrets, ['x abcdef', 'z y']), 'x ***efz y');
    assert.equal(stream(secrets, ['x abcd']), 'x ***');
  });

  it('leaves values shorter than 4 characters alone, and passes text through unchanged without secrets', () => {
    assert.equal(stream(['abc', 'x', ''], ['abc x abc']), 'abc x abc');
    const none = new SecretMasker([]);
    assert.equal(none.empty, true);
    assert.equal(none.write('hu'), 'hu');
    assert.equal(none.end(), '');
  });

  it('treats regular-expression characters in a secret literally', () => {
    const masker = new SecretMasker(['a.b*c+(d)$']);
    assert.equal(masker.mask('a.b*c+(d)$ and axbbc(d)'), '*** and axbbc(d)');
  });

  it('matches the rule spelt out whatever the secrets and however the text is cut', () => {
    const rand = random(20240611);
    const alphabet = 'ab\n€';
    const pick = (n: number): string => Array.from({ length: n }, () => alphabet[Math.floor(rand() * alphabet.length)]).join('');
    for (let round = 0; round < 500; round++) {
      const secrets = Array.from({ length: 1 + Math.floor(rand() * 3) }, () => pick(4 + Math.floor(rand() * 4)));
      const parts: string[] = [];
      for (let i = 0; i < 8; i++) parts.push(rand() < 0.4 ? (secrets[Math.floor(rand() * secrets.length)] as string) : pick(Math.floor(rand() * 6)));
      const text = parts.join('');
      const cuts = [...new Set(Array.from({ length: Math.floor(rand() * 6) }, () => Math.floor(rand() * (text.length + 1))))].sort((a, b) => a - b);
      const chunks = [0, ...cuts, text.length].slice(1).map((end, i, ends) => text.slice(i === 0 ? 0 : ends[i - 1], end));
      const expected = naiveMask(secrets, text);
      assert.equal(stream(secrets, chunks), expected, `secrets ${JSON.stringify(secrets)}, chunks ${JSON.stringify(chunks)}`);
    }
  });
});
