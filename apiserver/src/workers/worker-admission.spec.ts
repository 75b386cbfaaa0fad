import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { admitWorker, credentialMatches, hashCredential, newCredential, shellWord, type KnownWorker, type LiveConnection } from './worker-admission';

const CREDENTIAL = 'c'.repeat(43);
const enrolled: KnownWorker = { enrolment: 'enrolled', credentialHash: hashCredential(CREDENTIAL) };
const open: KnownWorker = { enrolment: 'open', credentialHash: null };
const revoked: KnownWorker = { enrolment: 'revoked', credentialHash: null };
const hello = { name: 'build-01', sessionId: 's1', keepsCredential: true };
const live = { sessionId: 's1' };

describe('admitting a worker hello', () => {
  it('enrols a worker that keeps credentials under a name never seen', () => {
    assert.deepEqual(admitWorker(null, hello, null), { verdict: 'enrol' });
  });

  it('enrols on an open name: a row from before credentials, or one an admin re-enrolled', () => {
    assert.deepEqual(admitWorker(open, hello, null), { verdict: 'enrol' });
    assert.deepEqual(admitWorker(open, { ...hello, credential: 'an-old-credential-from-before' }, null), { verdict: 'enrol' });
  });

  it('lets a worker older than credentials in on an open or new name without enrolling it', () => {
    const old = { name: 'build-01', sessionId: 's1' };
    assert.deepEqual(admitWorker(null, old, null), { verdict: 'accept' });
    assert.deepEqual(admitWorker(open, old, null), { verdict: 'accept' });
  });

  it('accepts an enrolled worker that carries its credential', () => {
    assert.deepEqual(admitWorker(enrolled, { ...hello, credential: CREDENTIAL }, null), { verdict: 'accept' });
  });

  it('refuses an enrolled name without its credential, saying how to restore it or re-enrol', () => {
    const missing = admitWorker(enrolled, hello, null);
    assert.equal(missing.verdict, 'refuse');
    assert.equal(missing.verdict === 'refuse' && missing.code, 'WorkerCredentialRefused');
    assert.match(missing.verdict === 'refuse' ? missing.message : '', /carried no credential: start it with the state directory it enrolled with .*cronfleet workers reenrol build-01$/);
    const wrong = admitWorker(enrolled, { ...hello, credential: 'd'.repeat(43) }, null);
    assert.match(wrong.verdict === 'refuse' ? `${wrong.code}: ${wrong.message}` : '', /^WorkerCredentialRefused: .*a credential that does not match/);
    const older = admitWorker(enrolled, { name: 'build-01' }, null);
    assert.match(older.verdict === 'refuse' ? older.message : '', /older than credentials: upgrade it/);
  });

  it('refuses a revoked name whatever the hello carries', () => {
    for (const h of [hello, { ...hello, credential: CREDENTIAL }, { name: 'build-01' }]) {
      const r = admitWorker(revoked, h, null);
      assert.deepEqual(r, { verdict: 'refuse', code: 'WorkerRevoked', message: "worker 'build-01' was revoked by an admin; to let it join again: cronfleet workers reenrol build-01" });
    }
  });

  it('refuses a name held by a live connection to another session, with or without a session id, even with the right credential', () => {
    const taken = (k: KnownWorker, h: Parameters<typeof admitWorker>[1], l: LiveConnection = live) => {
      const r = admitWorker(k, h, l);
      return r.verdict === 'refuse' ? r.code : r.verdict;
    };
    assert.equal(taken(enrolled, { ...hello, credential: CREDENTIAL, sessionId: 's2' }), 'WorkerNameTaken');
    assert.equal(taken(enrolled, { name: 'build-01', credential: CREDENTIAL }), 'WorkerNameTaken');
    assert.equal(taken(enrolled, { ...hello, credential: CREDENTIAL }, { sessionId: null }), 'WorkerNameTaken');
    assert.equal(taken(open, { name: 'build-01' }), 'WorkerNameTaken');
    assert.equal(taken(open, { ...hello, sessionId: 's2' }), 'WorkerNameTaken');
    const r = admitWorker(enrolled, { ...hello, sessionId: 's2' }, live);
    assert.equal(r.verdict === 'refuse' && r.message, "a worker named 'build-01' is already connected; give each worker its own --name");
  });

  it('refuses the live session id without the credential: a session id is no secret', () => {
    const r = admitWorker(enrolled, hello, live);
    assert.equal(r.verdict === 'refuse' && r.code, 'WorkerNameTaken');
    const wrong = admitWorker(enrolled, { ...hello, credential: 'd'.repeat(43) }, live);
    assert.equal(wrong.verdict === 'refuse' && wrong.code, 'WorkerNameTaken');
  });

  it('lets the very process that holds the name reconnect: same session and right credential', () => {
    assert.deepEqual(admitWorker(enrolled, { ...hello, credential: CREDENTIAL }, live), { verdict: 'accept' });
    assert.deepEqual(admitWorker(open, hello, live), { verdict: 'enrol' });
    assert.deepEqual(admitWorker(open, { name: 'build-01', sessionId: 's1' }, live), { verdict: 'accept' });
  });
});

describe('worker credentials', () => {
  it('are 32 random bytes in base64url, stored as hex SHA-256', () => {
    const c = newCredential();
    assert.match(c, /^[A-Za-z0-9_-]{43}$/);
    assert.notEqual(newCredential(), c);
    assert.equal(newCredential((n) => Buffer.alloc(n, 0)), 'A'.repeat(43));
    assert.match(hashCredential(c), /^[0-9a-f]{64}$/);
  });

  it('match only the credential hashed, and never a missing credential or hash', () => {
    const c = newCredential();
    assert.equal(credentialMatches(c, hashCredential(c)), true);
    assert.equal(credentialMatches(`${c}x`, hashCredential(c)), false);
    assert.equal(credentialMatches(undefined, hashCredential(c)), false);
    assert.equal(credentialMatches(c, null), false);
    assert.equal(credentialMatches(c, 'not-a-hash'), false);
  });
});

describe('a worker name in a command line', () => {
  it('stays bare when the shell reads it as one word, else is single-quoted', () => {
    assert.equal(shellWord('build-01'), 'build-01');
    assert.equal(shellWord('local-host.example'), 'local-host.example');
    assert.equal(shellWord('two words'), "'two words'");
    assert.equal(shellWord("it's"), `'it'\\''s'`);
  });
});
