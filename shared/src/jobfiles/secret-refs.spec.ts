import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { isDefinitionError } from './definition-error';
import { keptFields, resolveSecretRefs } from './secret-refs';

describe('secret references in job files', () => {
  it('replaces ${env:NAME} in secretEnv and webhook headers by the variable, and nothing else', () => {
    const jobs = [{ name: 'a', env: { X: '${env:HOOK}' }, secretEnv: { TOKEN: '${env:TOKEN_VAR}', PLAIN: 'p' }, notify: [{ on: ['failure'], webhook: { url: 'https://x.example', headers: { Authorization: '${env:HOOK}' } } }] }];
    resolveSecretRefs(jobs, { TOKEN_VAR: 't-1', HOOK: 'Bearer h' }, 'f');
    assert.deepEqual(jobs[0].secretEnv, { TOKEN: 't-1', PLAIN: 'p' });
    assert.equal(jobs[0].notify[0].webhook.headers.Authorization, 'Bearer h');
    assert.equal(jobs[0].env.X, '${env:HOOK}', 'plain env is not a secret and is left as written');
  });

  it('refuses an unset variable, naming the job, the field and the variable', () => {
    assert.throws(
      () => resolveSecretRefs([{ name: 'nightly', secretEnv: { TOKEN: '${env:NOPE_X}' } }], {}, 'jobs.yaml'),
      (e: unknown) => isDefinitionError(e) && e.kind === 'invalid' && e.message === "jobs.yaml: job 'nightly' (#1): secretEnv.TOKEN: '${env:NOPE_X}' names the environment variable NOPE_X, which is not set",
    );
  });

  it('lists the fields that keep the server value', () => {
    assert.deepEqual(keptFields({ secretEnv: { A: '${keep}', B: 'b' }, notify: [{ webhook: { headers: { H: '${keep}' } } }] }), ['secretEnv.A', 'notify[0].webhook.headers.H']);
    assert.deepEqual(keptFields({ secretEnv: null, notify: [] }), []);
  });
});
