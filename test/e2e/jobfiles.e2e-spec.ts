// Jobs as files end to end: a real server on the embedded backend watching CRONFLEET_JOBS_DIR (and
// reading CRONFLEET_CONFIG's jobs: at start), driven only by writing, editing and removing files and
// observed only over REST (GET /cronjobs, GET /loader). Every assertion waits for a state, none for a time.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { assertNoLeakedProcesses, startServer, waitFor, type CronJob, type TestServer } from './helpers';

interface LoadedFile {
  file: string;
  status: 'ok' | 'error';
  error: string | null;
  jobs: string[];
}

const job = (name: string, schedule: string): string => `  - name: ${name}\n    schedule: '${schedule}'\n    runner: command\n    spec: { command: echo, args: [${name}] }\n`;
const jobsFile = (...jobs: string[]): string => `jobs:\n${jobs.join('')}`;

const loaderFiles = async (server: TestServer): Promise<LoadedFile[]> => (await server.api.call<{ files: LoadedFile[] }>('GET', '/loader', [200])).files;
const jobsByName = async (server: TestServer): Promise<Map<string, CronJob>> => new Map((await server.api.listCronJobs()).items.map((j) => [j.name, j]));

describe('jobs as files in watch mode', { timeout: 120_000 }, () => {
  const dir = mkdtempSync(join(tmpdir(), 'cronfleet-jobs-'));
  const configFile = join(dir, 'cronfleet.yaml');
  const jobsDir = join(dir, 'jobs');
  let server: TestServer | undefined;
  const srv = (): TestServer => {
    assert.ok(server, 'the server did not start (see before)');
    return server;
  };
  const logs = (): string => server?.process.report() ?? '';
  const waitForFile = (file: string, pred: (f: LoadedFile) => boolean, what: string): Promise<LoadedFile> =>
    waitFor(async () => (await loaderFiles(srv())).find((f) => f.file.endsWith(file) && pred(f)), { timeoutMs: 20_000, what, details: logs });
  const waitForJobs = (pred: (jobs: Map<string, CronJob>) => boolean, what: string): Promise<Map<string, CronJob>> =>
    waitFor(async () => {
      const jobs = await jobsByName(srv());
      return pred(jobs) && jobs;
    }, { timeoutMs: 20_000, what, details: logs });

  before(async () => {
    writeFileSync(configFile, `jobs:\n${job('from-config', '@daily')}`);
    server = await startServer({ backend: 'embedded', env: { CRONFLEET_JOBS_DIR: jobsDir, CRONFLEET_CONFIG: configFile } });
  });

  after(async () => {
    await server?.stop();
    rmSync(dir, { recursive: true, force: true });
    assertNoLeakedProcesses();
  });

  it('creates the jobs of cronfleet.yaml at start', async () => {
    await waitForJobs((jobs) => jobs.get('from-config')?.schedule === '@daily', 'job from-config from CRONFLEET_CONFIG');
    await waitForFile('cronfleet.yaml', (f) => f.status === 'ok', 'cronfleet.yaml ok in GET /loader');
  });

  it('creates both jobs of a new YAML file', async () => {
    writeFileSync(join(jobsDir, 'jobs.yaml'), jobsFile(job('alpha', '0 2 * * *'), job('beta', '@every 1h')));
    const jobs = await waitForJobs((j) => j.has('alpha') && j.has('beta'), 'jobs alpha and beta');
    assert.equal(jobs.get('alpha')?.enabled, true);
    const file = await waitForFile('jobs.yaml', (f) => f.status === 'ok', 'jobs.yaml ok');
    assert.deepEqual(file.jobs, ['alpha', 'beta']);
  });

  it('updates the job whose definition changed in the file', async () => {
    const before = await jobsByName(srv());
    writeFileSync(join(jobsDir, 'jobs.yaml'), jobsFile(job('alpha', '0 3 * * *'), job('beta', '@every 1h')));
    await waitForJobs((j) => j.get('alpha')?.schedule === '0 3 * * *', 'alpha rescheduled to 0 3 * * *');
    await waitForFile('jobs.yaml', (f) => f.status === 'ok', 'jobs.yaml ok after the edit');
    const after = await jobsByName(srv());
    assert.equal(after.get('beta')?.updatedAt, before.get('beta')?.updatedAt, 'beta, unchanged in the file, was not written');
    const versions = await srv().api.call<{ items: { version: number; kind: string; actor: string; role: string; changes: { field: string; after: unknown }[] }[] }>('GET', `/cronjobs/${after.get('alpha')!.id}/versions`, [200]);
    assert.deepEqual(
      versions.items.map((v) => [v.version, v.kind, v.actor, v.role, v.changes.map((c) => [c.field, c.after])]),
      [[2, 'updated', 'job file jobs.yaml', 'system', [['schedule', '0 3 * * *']]], [1, 'created', 'job file jobs.yaml', 'system', []]],
      'each change the file made is a version, by the file',
    );
    assert.equal((await srv().api.call<{ items: unknown[] }>('GET', `/cronjobs/${after.get('beta')!.id}/versions`, [200])).items.length, 1, 'beta has only its first version');
  });

  it('reports a bad file naming the file, the job and the field, and changes nothing', async () => {
    const before = await jobsByName(srv());
    writeFileSync(join(jobsDir, 'bad.yaml'), jobsFile(job('gamma', '@daily'), job('delta', '61 * * * *')));
    const bad = await waitForFile('bad.yaml', (f) => f.status === 'error', 'bad.yaml reported as error');
    assert.match(bad.error ?? '', /bad\.yaml: job 'delta' \(#2\): .*schedule.*61/);
    assert.deepEqual(bad.jobs, []);
    const after = await jobsByName(srv());
    assert.equal(after.has('gamma'), false, 'the good job of a bad file was not created');
    assert.deepEqual([...after.keys()].sort(), [...before.keys()].sort());
    for (const [name, j] of before) assert.equal(after.get(name)?.updatedAt, j.updatedAt, `${name} was not written`);
  });

  it('refuses a file defining a job another file defines', async () => {
    writeFileSync(join(jobsDir, 'dup.json'), JSON.stringify({ name: 'alpha', schedule: '@hourly', runner: 'command', spec: { command: 'echo' } }));
    const dup = await waitForFile('dup.json', (f) => f.status === 'error', 'dup.json reported as error');
    assert.match(dup.error ?? '', /dup\.json: job 'alpha' .*name: .*jobs\.yaml/);
    assert.equal((await jobsByName(srv())).get('alpha')?.schedule, '0 3 * * *');
  });

  it('keeps the jobs of a file whose new version is bad, and the last good version managing them', async () => {
    writeFileSync(join(jobsDir, 'jobs.yaml'), jobsFile(job('alpha', '0 4 * * *'), '  - name: beta\n    schedule: 5\n'));
    const file = await waitForFile('jobs.yaml', (f) => f.status === 'error', 'jobs.yaml reported as error');
    assert.match(file.error ?? '', /jobs\.yaml: job 'beta' \(#2\)/);
    assert.deepEqual(file.jobs, ['alpha', 'beta']);
    assert.equal((await jobsByName(srv())).get('alpha')?.schedule, '0 3 * * *');
  });

  it('disables the jobs of a removed file', async () => {
    unlinkSync(join(jobsDir, 'jobs.yaml'));
    const jobs = await waitForJobs((j) => j.get('alpha')?.enabled === false && j.get('beta')?.enabled === false, 'alpha and beta disabled');
    assert.equal(jobs.get('from-config')?.enabled, true);
    await waitFor(async () => !(await loaderFiles(srv())).some((f) => f.file === 'jobs.yaml'), { timeoutMs: 20_000, what: 'jobs.yaml gone from GET /loader', details: logs });
  });

  it('resumes the jobs it disabled when a file defines them again', async () => {
    writeFileSync(join(jobsDir, 'again.yaml'), jobsFile(job('alpha', '0 3 * * *')));
    await waitForJobs((j) => j.get('alpha')?.enabled === true, 'alpha enabled again');
    assert.equal((await jobsByName(srv())).get('beta')?.enabled, false);
  });
});

describe('jobs as files in archive mode', { timeout: 120_000 }, () => {
  const jobsDir = mkdtempSync(join(tmpdir(), 'cronfleet-jobs-archive-'));
  let server: TestServer | undefined;
  const srv = (): TestServer => {
    assert.ok(server, 'the server did not start (see before)');
    return server;
  };
  const logs = (): string => server?.process.report() ?? '';
  const waitForDir = (sub: string, count: number): Promise<string[]> =>
    waitFor(() => {
      const names = existsSync(join(jobsDir, sub)) ? readdirSync(join(jobsDir, sub)).sort() : [];
      return names.length >= count && names;
    }, { timeoutMs: 20_000, what: `${count} files in ${sub}/`, details: logs });

  before(async () => {
    server = await startServer({ backend: 'embedded', env: { CRONFLEET_JOBS_DIR: jobsDir, CRONFLEET_JOBS_DIR_MODE: 'archive' } });
  });

  after(async () => {
    await server?.stop();
    rmSync(jobsDir, { recursive: true, force: true });
    assertNoLeakedProcesses();
  });

  it('applies a file once and moves it to archive/, stamping the name when it is taken', async () => {
    writeFileSync(join(jobsDir, 'once.yaml'), jobsFile(job('archived', '@daily')));
    assert.deepEqual(await waitForDir('archive', 1), ['once.yaml']);
    await waitFor(async () => (await jobsByName(srv())).get('archived')?.enabled === true, { timeoutMs: 20_000, what: 'job archived', details: logs });
    writeFileSync(join(jobsDir, 'once.yaml'), jobsFile(job('archived', '@hourly')));
    const names = await waitForDir('archive', 2);
    assert.match(names.find((n) => n !== 'once.yaml') ?? '', /^once\.\d{8}T\d{9}Z\.yaml$/);
    await waitFor(async () => (await jobsByName(srv())).get('archived')?.schedule === '@hourly', { timeoutMs: 20_000, what: 'job archived updated', details: logs });
    assert.equal(existsSync(join(jobsDir, 'once.yaml')), false);
    assert.equal((await jobsByName(srv())).get('archived')?.enabled, true, 'moving a file away does not disable its jobs');
  });

  it('moves a bad file to failed/ with the error beside it, changing nothing', async () => {
    writeFileSync(join(jobsDir, 'broken.yml'), jobsFile(job('never', '@daily'), job('worse', 'not a schedule')));
    assert.deepEqual(await waitForDir('failed', 2), ['broken.yml', 'broken.yml.error']);
    assert.match(readFileSync(join(jobsDir, 'failed', 'broken.yml.error'), 'utf8'), /broken\.yml: job 'worse' \(#2\): .*schedule/);
    assert.equal((await jobsByName(srv())).has('never'), false);
  });
});
