import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { type DefinitionErrorKind, isDefinitionError } from './definition-error';
import { parseJobFile, validateJobs } from './job-file';

const job = (name: string, extra = '') => `name: ${name}\nschedule: "@every 1h"\nrunner: command\nspec: { command: "true" }\n${extra}`;
const indent = (s: string) => s.split('\n').filter(Boolean).map((l, i) => `${i === 0 ? '- ' : '  '}${l}`).join('\n');
const refused = (re: RegExp, kind: DefinitionErrorKind = 'invalid') => (e: unknown) => isDefinitionError(e) && e.kind === kind && re.test(e.message);

describe('job files', () => {
  it('reads one job, a list, { jobs: [...] }, several YAML documents, and JSON', () => {
    assert.equal(parseJobFile(job('a'), 'f').length, 1);
    assert.equal(parseJobFile(`${indent(job('a'))}\n${indent(job('b'))}\n`, 'f').length, 2);
    assert.equal(parseJobFile(`jobs:\n${indent(job('a')).replace(/^/gm, '  ')}\n`, 'f').length, 1);
    assert.equal(parseJobFile(`${job('a')}---\n${indent(job('b'))}\n${indent(job('c'))}\n`, 'f').length, 3);
    assert.equal(parseJobFile(JSON.stringify({ jobs: [{ name: 'a' }, { name: 'b' }] }), 'f').length, 2);
  });

  it('calls a file that is not YAML, or holds no job, unreadable (for the CLI, a usage error: exit 2)', () => {
    assert.throws(() => parseJobFile('name: [unclosed\n', 'jobs.yaml'), refused(/^jobs\.yaml: not valid YAML or JSON/, 'unreadable'));
    assert.throws(() => parseJobFile('# nothing\n', 'jobs.yaml'), refused(/holds no job/, 'unreadable'));
  });

  it('fills in the API defaults and stores the schedule and spec as the server would', () => {
    const [def] = validateJobs(parseJobFile(job('a', 'schedule: { type: daily, schedule: "02:00" }\n').replace('schedule: "@every 1h"\n', ''), 'f'), 'f');
    assert.equal(def.name, 'a');
    assert.deepEqual(def.job.spec, { command: 'true', args: [], env: {}, shell: false });
    assert.equal(def.job.timezone, 'UTC');
    assert.equal(def.job.concurrencyPolicy, 'allow');
    assert.deepEqual(def.given.schedule, { type: 'daily', schedule: '02:00' });
  });

  it('ignores the read-only fields a `get -o yaml` carries', () => {
    const [def] = validateJobs(parseJobFile(job('a', 'id: 7\nversion: 3\nnextRunAt: null\ncreatedAt: x\nupdatedAt: y\nsecretEnvKeys: []\n'), 'f'), 'f');
    assert.deepEqual(Object.keys(def.given).sort(), ['name', 'runner', 'schedule', 'spec']);
  });

  it('refuses a bad job (exit 1) naming the file, the job, its position and the field, with the API\'s message', () => {
    const file = (extra: string) => parseJobFile(`${indent(job('good'))}\n${indent(job('bad', extra))}\n`, 'jobs.yaml');
    assert.throws(() => validateJobs(file('concurrencyPolicy: sometimes\n'), 'jobs.yaml'), refused(/^jobs\.yaml: job 'bad' \(#2\): concurrencyPolicy: must be 'allow', 'forbid' or 'replace'$/));
    assert.throws(() => validateJobs(file('colour: red\n'), 'jobs.yaml'), refused(/job 'bad' \(#2\): colour: unknown field/));
    assert.throws(() => validateJobs(file('timezone: Mars/Olympus\n'), 'jobs.yaml'), refused(/timezone 'Mars\/Olympus': not a known IANA time zone/));
    assert.throws(() => validateJobs(parseJobFile(job('x').replace('"@every 1h"', '"61 * * * *"'), 'f'), 'f'), refused(/schedule '61 \* \* \* \*': minute 61 is out of range 0-59/));
    assert.throws(() => validateJobs(parseJobFile(job('x').replace('command: "true"', 'command: ""'), 'f'), 'f'), refused(/spec\.command: /));
    assert.throws(() => validateJobs(parseJobFile('schedule: "@daily"\n', 'f'), 'f'), refused(/job #1: name: /));
    assert.throws(() => validateJobs(parseJobFile('- 42\n', 'f'), 'f'), refused(/job #1: must be an object/));
    assert.throws(() => validateJobs(file('params: [{ name: region }]\n'), 'jobs.yaml'), refused(/job 'bad' \(#2\): params\.0\.name: must be 1-64 upper-case/));
    assert.throws(() => validateJobs(file('enabled: true\nparams: [{ name: TICKET, required: true }]\n'), 'jobs.yaml'), refused(/job 'bad' \(#2\): params\.0\.default: TICKET is required and has no default/));
  });

  it('reads params, and takes a required param without default on a disabled job', () => {
    const [def] = validateJobs(parseJobFile(job('a', 'enabled: false\nparams:\n  - { name: REGION, enum: [eu, us], default: eu }\n  - { name: TICKET, required: true, pattern: "[A-Z]+-[0-9]+" }\n'), 'f'), 'f');
    assert.deepEqual(def.job.params, [
      { name: 'REGION', enum: ['eu', 'us'], default: 'eu', required: false },
      { name: 'TICKET', required: true, pattern: '[A-Z]+-[0-9]+' },
    ]);
  });

  it('refuses two jobs of the same name in one file', () => {
    assert.throws(() => validateJobs(parseJobFile(`${indent(job('a'))}\n${indent(job(' a'))}\n`, 'f'), 'f'), refused(/job 'a' \(#2\): name: 'a' is also the name of job #1/));
  });
});

describe('job files with namespaces', () => {
  it("puts a job in its file's namespace, else in --namespace, else leaves it to the server", () => {
    const values = parseJobFile(`${indent(job('a', 'namespace: team-a\n'))}\n${indent(job('b'))}\n`, 'f');
    assert.deepEqual(validateJobs(values, 'f').map((d) => [d.name, d.namespace]), [['a', 'team-a'], ['b', undefined]]);
    assert.deepEqual(validateJobs(values, 'f', 'team-b').map((d) => [d.name, d.namespace]), [['a', 'team-a'], ['b', 'team-b']]);
  });

  it("keeps the file's own namespace in the checked job (what the server's job files loader reads), not --namespace", () => {
    const [def] = validateJobs(parseJobFile(job('a', 'namespace: team-a\n'), 'f'), 'f');
    assert.equal(def.job.namespace, 'team-a');
    const [other] = validateJobs(parseJobFile(job('a'), 'f'), 'f', 'team-b');
    assert.equal(other.job.namespace, undefined);
    assert.ok(!('namespace' in other.given));
  });

  it('takes one name in two namespaces, and refuses it twice in one', () => {
    const two = `${indent(job('a', 'namespace: team-a\n'))}\n${indent(job('a'))}\n`;
    assert.equal(validateJobs(parseJobFile(two, 'f'), 'f').length, 2);
    assert.throws(() => validateJobs(parseJobFile(two, 'f'), 'f', 'team-a'), refused(/job 'a' \(#2\): name: 'a' is also the name of job #1 in namespace 'team-a'; names are unique in a namespace/));
  });

  it('refuses a bad namespace naming the job and the field', () => {
    assert.throws(() => validateJobs(parseJobFile(job('a', 'namespace: Team_A\n'), 'jobs.yaml'), 'jobs.yaml'), refused(/^jobs\.yaml: job 'a' \(#1\): namespace: must be 1-63 lower-case letters, digits or inner hyphens/));
  });
});
