import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { CronJobView } from '@cronfleet/shared';
import { archiveName, checkConfigJobs, checkJobFile, droppedJobs, duplicateAcrossFiles, planFile } from './job-files.plan';

const TWO_JOBS = `
jobs:
  - name: backup
    schedule: '0 2 * * *'
    runner: command
    spec: { command: backup.sh }
  - name: report
    schedule: '@every 1h'
    runner: command
    spec: { command: report.sh }
`;

const defsOf = (text: string) => {
  const check = checkJobFile(text, 'jobs.yaml');
  assert.ok(check.ok, check.ok ? '' : check.error);
  return check.defs;
};

/** The job as the API would show it after creating it from `text`'s job `name`. */
const stored = (text: string, name: string, over: Partial<CronJobView> = {}): CronJobView => {
  const def = defsOf(text).find((d) => d.name === name)!;
  const { secretEnv, ...job } = def.job;
  return { ...job, id: 1, secretEnvKeys: Object.keys(secretEnv ?? {}), nextRunAt: null, createdAt: '', updatedAt: '', ...over } as CronJobView;
};

describe('job files: checking a file', () => {
  it('reads one job, a list, and { jobs: [...] } as the CLI apply does', () => {
    assert.deepEqual(defsOf(TWO_JOBS).map((d) => d.name), ['backup', 'report']);
    assert.deepEqual(defsOf('name: one\nschedule: "@daily"\nrunner: command\nspec: { command: x }\n').map((d) => d.name), ['one']);
    assert.deepEqual(defsOf('[{"name":"a","schedule":"@daily","runner":"command","spec":{"command":"x"}}]').map((d) => d.name), ['a']);
  });

  it('refuses the whole file when one job is bad, naming the file, the job and the field', () => {
    const check = checkJobFile(TWO_JOBS.replace("'@every 1h'", "'61 * * * *'"), 'jobs.yaml');
    assert.equal(check.ok, false);
    assert.match(!check.ok ? check.error : '', /^jobs\.yaml: job 'report' \(#2\): .*61/);
  });

  it('refuses a file that is not YAML or holds no job', () => {
    assert.match((checkJobFile('a: [', 'x.yaml') as { error: string }).error, /^x\.yaml: not valid YAML/);
    assert.match((checkJobFile('', 'x.yaml') as { error: string }).error, /holds no job/);
  });

  it('reads the jobs: of cronfleet.yaml beside other keys, and none when it has no jobs:', () => {
    const check = checkConfigJobs(`server: { port: 1 }\n${TWO_JOBS}`, 'cronfleet.yaml');
    assert.deepEqual(check.ok && check.defs.map((d) => d.name), ['backup', 'report']);
    assert.deepEqual(checkConfigJobs('server: {}\n', 'cronfleet.yaml'), { ok: true, defs: [] });
    assert.match((checkConfigJobs('jobs: 3\n', 'cronfleet.yaml') as { error: string }).error, /jobs: must be a list/);
  });
});

describe('job files: plan', () => {
  it('creates missing jobs, updates changed ones and leaves equal ones unwritten', () => {
    const edited = TWO_JOBS.replace("'0 2 * * *'", "'0 3 * * *'");
    const existing = new Map([
      ['backup', stored(TWO_JOBS, 'backup', { id: 1 })],
      ['other', stored(TWO_JOBS, 'report', { id: 2, name: 'other' })],
    ]);
    const steps = planFile(defsOf(edited), existing);
    assert.deepEqual(steps.map((s) => [s.def.name, s.action]), [['backup', 'update'], ['report', 'create']]);
    assert.deepEqual(steps[0].action === 'update' && steps[0].changed, ['schedule']);
    const again = planFile(defsOf(TWO_JOBS), new Map([['backup', stored(TWO_JOBS, 'backup')], ['report', stored(TWO_JOBS, 'report')]]));
    assert.deepEqual(again.map((s) => s.action), ['unchanged', 'unchanged']);
  });

  it('refuses a job name another file already defines, and not one the same file defines', () => {
    const owners = new Map([['backup', 'other.yaml']]);
    assert.match(duplicateAcrossFiles('jobs.yaml', defsOf(TWO_JOBS), owners) ?? '', /^jobs\.yaml: job 'backup' \(#1\): name: .*other\.yaml/);
    assert.equal(duplicateAcrossFiles('other.yaml', defsOf(TWO_JOBS), owners), null);
  });

  it('disables the jobs a file no longer defines, and all of them when it is removed', () => {
    assert.deepEqual(droppedJobs(['a', 'b', 'c'], ['b']), ['a', 'c']);
    assert.deepEqual(droppedJobs(['a', 'b'], []), ['a', 'b']);
    assert.deepEqual(droppedJobs([], ['a']), []);
  });
});

describe('job files: archive names', () => {
  const now = Date.UTC(2026, 10, 22, 17, 45, 0, 123);
  it('keeps the name when free and stamps it with the time when taken, never overwriting', () => {
    assert.equal(archiveName('jobs.yaml', new Set(), now), 'jobs.yaml');
    assert.equal(archiveName('jobs.yaml', new Set(['jobs.yaml']), now), 'jobs.20261122T174500123Z.yaml');
    assert.equal(archiveName('jobs.yaml', new Set(['jobs.yaml', 'jobs.20261122T174500123Z.yaml']), now), 'jobs.20261122T174500123Z-2.yaml');
  });

  it("refuses ${env:NAME} secrets in a job file, which only 'cronfleet apply' reads", () => {
    const check = checkJobFile("name: a\nschedule: '@daily'\nrunner: command\nspec: { command: x }\nsecretEnv: { TOKEN: '${env:CRONFLEET_SECRET_KEY}' }\n", 'a.yaml');
    assert.ok(!check.ok);
    assert.match(check.error, /^a\.yaml: job 'a' \(#1\): secretEnv\.TOKEN: '\$\{env:…\}' is read by 'cronfleet apply' only/);
  });

  it("keeps a secret with ${keep} when the server holds it, and refuses the file when it does not", () => {
    const text = "name: a\nschedule: '@daily'\nrunner: command\nspec: { command: x }\nsecretEnv: { TOKEN: '${keep}' }\n";
    const defs = defsOf(text);
    assert.equal(planFile(defs, new Map([['a', stored(text, 'a')]]))[0].action, 'unchanged');
    assert.throws(() => planFile(defs, new Map()), /secretEnv\.TOKEN: '\$\{keep\}' keeps the value the server holds, but there is no job 'a'/);
  });
});
