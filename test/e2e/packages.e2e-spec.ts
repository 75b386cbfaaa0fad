// The installable packages end to end, offline: scripts/pack.js packs them, npm installs the programs
// (the packages with a bin) into an empty prefix as `npm install -g` does on a host, and the libraries
// into an empty project, from the tarballs and npm's cache alone; then what got installed runs: the
// installed worker against a real server, with its native spawner built by its install script and,
// with the compiler hidden, without it; the installed CLI, alone and with the installed worker beside
// it; the client from a project. The packages are scripts/pack.js's PACKAGES, the one list a new
// package joins.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import {
  RUN_ID,
  TestProcess,
  assertNoLeakedProcesses,
  childEnv,
  randomId,
  repoRoot,
  startServer,
  waitFor,
  waitForTaskEnd,
  waitForWorkerOnline,
  type CronJob,
  type TestServer,
} from './helpers';

const { PACKAGES } = require(join(repoRoot, 'scripts/pack.js')) as { PACKAGES: string[] };
const { lockfileSubset } = require(join(repoRoot, 'scripts/lockfile-subset.js')) as {
  lockfileSubset(lock: unknown, placements: { workspace: string; location: string; entry?: object }[], root?: object): Record<string, unknown>;
};

interface Manifest {
  name: string;
  version: string;
  bin?: Record<string, string>;
}
const manifest = (workspace: string): Manifest => JSON.parse(readFileSync(join(repoRoot, workspace, 'package.json'), 'utf8')) as Manifest;

/** Packages only the server needs: none may be installed with a worker, the CLI or the client. */
const SERVER_ONLY = ['@nestjs', 'typeorm', 'mysql2', 'better-sqlite3', 'fastify', '@fastify', 'ioredis', 'socket.io', 'redlock', 'prom-client', 'nodemailer'];
/** A schedule that does not come due while the test runs: its job runs by run-now only. */
const FAR_SCHEDULE = '0 0 1 1 *';

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

function run(file: string, args: readonly string[], opts: { cwd: string; env?: Record<string, string>; timeoutMs?: number }): Promise<Run> {
  return new Promise((resolve) => {
    execFile(file, args, { cwd: opts.cwd, env: childEnv(opts.env ?? {}), timeout: opts.timeoutMs ?? 120_000, maxBuffer: 16 << 20 }, (e, stdout, stderr) => {
      resolve({ code: e ? (typeof e.code === 'number' ? e.code : null) : 0, stdout: String(stdout), stderr: String(stderr) });
    });
  });
}

function ok(r: Run, what: string): Run {
  assert.equal(r.code, 0, `${what} exited with ${r.code}\n--- stdout ---\n${r.stdout}\n--- stderr ---\n${r.stderr}`);
  return r;
}

/** Every package folder under `dir`'s node_modules folders, nested ones too, as 'name' or '@scope/name'. */
function installedNames(dir: string): string[] {
  const out: string[] = [];
  const walk = (nodeModules: string): void => {
    if (!existsSync(nodeModules)) return;
    for (const entry of readdirSync(nodeModules, { withFileTypes: true })) {
      if (!entry.isDirectory() || entry.name.startsWith('.')) continue;
      const names = entry.name.startsWith('@') ? readdirSync(join(nodeModules, entry.name)).map((n) => `${entry.name}/${n}`) : [entry.name];
      for (const name of names) {
        out.push(name);
        walk(join(nodeModules, name, 'node_modules'));
      }
    }
  };
  walk(join(dir, 'node_modules'));
  return out;
}

function serverOnlyIn(names: string[]): string[] {
  return names.filter((n) => SERVER_ONLY.includes(n) || SERVER_ONLY.includes(n.split('/')[0]));
}

const seconds = (since: number): string => `${((Date.now() - since) / 1000).toFixed(1)} s`;

describe('the installable packages, packed and installed offline', { timeout: 240_000 }, () => {
  const started = Date.now();
  const tmp = mkdtempSync(join(tmpdir(), 'cronfleet-packages-'));
  const packDir = join(tmp, 'packed');
  const prefix = join(tmp, 'prefix');
  const project = join(tmp, 'project');
  const offline = { npm_config_offline: 'true' };
  const programs = PACKAGES.filter((w) => manifest(w).bin);
  const libraries = PACKAGES.filter((w) => !manifest(w).bin);
  const tarballs = new Map<string, string>(); // workspace -> tarball
  const workerManifest = manifest('worker');
  const workerBin = join(prefix, 'bin', 'cronfleet-worker');
  const workerPackage = join(prefix, 'lib', 'node_modules', ...workerManifest.name.split('/'));
  const addon = join(workerPackage, 'native', 'build', 'Release', 'cronfleet_spawn.node');
  let server: TestServer | undefined;
  let worker: TestProcess | undefined;
  let job: CronJob | undefined;

  const srv = (): TestServer => {
    assert.ok(server, 'the server did not start (see before)');
    return server;
  };
  const logs = (): string => [server?.process.report(), worker?.report()].filter(Boolean).join('\n');

  /** Starts the installed worker (its bin, as a host runs it) and waits until it is online and says how it spawns. */
  const startInstalledWorker = async (spawn: 'native' | 'node'): Promise<TestProcess> => {
    const s = srv();
    const name = `installed-${randomId()}`;
    const args = [workerBin, '--server', s.url, '--token', s.workerToken, '--name', name, '--state-dir', join(s.dataDir, `state-${name}`), '--shutdown-grace', '5'];
    worker = new TestProcess(`worker:${name}`, args, { cwd: s.dataDir, env: childEnv({}) });
    await waitForWorkerOnline(s.api, { name, timeoutMs: 20_000, details: logs });
    const p = worker;
    await waitFor(() => p.output().includes(`spawn ${spawn}`), { timeoutMs: 5000, what: `the worker's start-up line to say 'spawn ${spawn}'`, details: logs });
    return p;
  };

  /** Runs the job now and checks that the installed worker ran it to success. */
  const runJobOnInstalledWorker = async (): Promise<void> => {
    assert.ok(job, 'the job was not created (see before)');
    const { taskId } = await srv().api.runCronJob(job.id);
    const task = await waitForTaskEnd(srv().api, taskId, { timeoutMs: 20_000, details: logs });
    assert.equal(task.status, 'success', `task ${taskId}: ${JSON.stringify(task)}\n${logs()}`);
    assert.match(await srv().api.taskOutput(taskId), new RegExp(`from the installed worker ${RUN_ID}`));
  };

  before(
    async () => {
      server = await startServer({ backend: 'embedded' });
      job = await server.api.createCronJob({
        name: `packaged-${randomId()}`,
        schedule: FAR_SCHEDULE,
        runner: 'command',
        spec: { command: 'echo', args: [`from the installed worker ${RUN_ID}`] },
      });
    },
    { timeout: 60_000 },
  );

  after(
    async () => {
      await worker?.stop();
      await server?.stop();
      rmSync(tmp, { recursive: true, force: true });
      console.log(`# packed, installed and checked in ${seconds(started)}`);
      assertNoLeakedProcesses();
    },
    { timeout: 60_000 },
  );

  it('packs each package into a tarball named for it, offline', async (t) => {
    const at = Date.now();
    const r = ok(await run(process.execPath, [join(repoRoot, 'scripts/pack.js'), packDir], { cwd: repoRoot, env: offline }), 'scripts/pack.js');
    const printed = r.stdout.split('\n').map((l) => /^(\S+\.tgz)\s/.exec(l)?.[1]).filter((f): f is string => Boolean(f));
    for (const w of PACKAGES) {
      const { name, version } = manifest(w);
      const file = join(packDir, `${name.replace(/^@/, '').replace('/', '-')}-${version}.tgz`);
      assert.ok(printed.includes(file), `pack.js did not print ${file}:\n${r.stdout}`);
      assert.ok(existsSync(file), `${file} is missing`);
      tarballs.set(w, file);
    }
    t.diagnostic(`packed ${PACKAGES.join(', ')} in ${seconds(at)}`);
  });

  it("installs the programs into an empty prefix with npm install -g, offline, without the server's dependencies", async (t) => {
    assert.ok(tarballs.size, 'nothing was packed (see the test before)');
    assert.ok(PACKAGES.includes('cli'), 'the CLI is not packed: add cli to PACKAGES in scripts/pack.js');
    const at = Date.now();
    const files = programs.map((w) => tarballs.get(w)!);
    // npm 11 warns of an install script no allowScripts entry covers, and runs it; naming the tarballs quiets that.
    const allow = files.map((f) => `--allow-scripts=${f}`);
    ok(
      await run('npm', ['install', '--global', '--prefix', prefix, '--offline', '--no-audit', '--no-fund', ...allow, ...files], { cwd: tmp, timeoutMs: 180_000 }),
      'npm install -g',
    );
    t.diagnostic(`npm install -g ${programs.join(' ')}: ${seconds(at)}`);
    for (const w of programs) for (const bin of Object.keys(manifest(w).bin ?? {})) assert.ok(existsSync(join(prefix, 'bin', bin)), `${bin} is not in ${prefix}/bin`);
    const installed = installedNames(join(prefix, 'lib'));
    assert.ok(installed.includes('dockerode') && installed.includes('@cronfleet/shared'), `the worker's dependencies are missing: ${installed.join(' ')}`);
    assert.deepEqual(serverOnlyIn(installed), [], "the server's dependencies were installed");
  });

  it('cronfleet-worker --version prints the package version', async () => {
    const r = ok(await run(workerBin, ['--version'], { cwd: tmp }), 'cronfleet-worker --version');
    assert.equal(r.stdout.trim(), workerManifest.version);
  });

  it('builds the native spawner on install: the installed worker runs a command task with it', async () => {
    // Where the repository's build could compile the addon, the install script must too.
    assert.ok(existsSync(join(repoRoot, 'worker/native/build/Release/cronfleet_spawn.node')), 'the repository has no native spawner built: no compiler here?');
    assert.ok(existsSync(addon), `the install did not build ${addon}`);
    await startInstalledWorker('native');
    await runJobOnInstalledWorker();
    await worker?.stop();
  });

  it('without a C compiler the install script still succeeds, and the worker starts tasks with node:child_process', async () => {
    rmSync(join(workerPackage, 'native', 'build'), { recursive: true, force: true });
    // npm rebuild runs the installed package's install script again, as an install does.
    const r = ok(
      await run('npm', ['rebuild', '--global', '--prefix', prefix, '--offline', '--foreground-scripts', `--allow-scripts=${tarballs.get('worker')}`, workerManifest.name], {
        cwd: tmp,
        env: { CC: '/bin/false', CXX: '/bin/false' },
      }),
      'npm rebuild without a compiler',
    );
    assert.match(r.stdout + r.stderr, /^native spawner: NOT built \(.+\); the worker will start tasks with node:child_process/m);
    assert.ok(!existsSync(addon), 'an addon was built with CC=/bin/false');
    await startInstalledWorker('node');
    assert.match(worker!.output(), /tasks start with node:child_process: the native spawner cannot be used \(not built: .*native\/build\.js\)/);
    await runJobOnInstalledWorker();
    await worker?.stop();
  });

  it('the installed CLI lists the cron jobs of a real server', async () => {
    assert.ok(job, 'the job was not created (see before)');
    const [bin] = Object.keys(manifest('cli').bin ?? {});
    assert.ok(bin, 'cli/package.json names no bin');
    assert.equal(ok(await run(join(prefix, 'bin', bin), ['--version'], { cwd: tmp }), `${bin} --version`).stdout.trim(), manifest('cli').version);
    const r = ok(await run(join(prefix, 'bin', bin), ['cronjobs', 'ls', '--server', srv().url, '--token', srv().adminToken], { cwd: tmp }), `${bin} cronjobs ls`);
    assert.match(r.stdout, new RegExp(job.name));
  });

  it("the installed CLI runs the worker installed beside it, and says where to get the server it lacks", async () => {
    const [bin] = Object.keys(manifest('cli').bin ?? {});
    // `cronfleet worker` is the installed worker package's own command, found beside the CLI.
    const w = ok(await run(join(prefix, 'bin', bin), ['worker', '--version'], { cwd: tmp }), `${bin} worker --version`);
    assert.equal(w.stdout.trim(), workerManifest.version);
    const s = await run(join(prefix, 'bin', bin), ['server', '--port', '0'], { cwd: tmp });
    assert.equal(s.code, 2, `${bin} server: exit ${s.code}\n${s.stdout}${s.stderr}`);
    assert.match(s.stderr, /^cronfleet: cronfleet server needs the package @cronfleet\/apiserver, which is not installed beside this CLI: run the server from a Cronfleet checkout/m);
  });

  it('the libraries install into an empty project offline, and the client lists the cron jobs of a real server', async (t) => {
    assert.ok(job, 'the job was not created (see before)');
    const at = Date.now();
    // A project installs from its lockfile, and so does this one: npm resolves a dependency afresh
    // with the registry's full metadata, which npm ci never caches (npm/cli#7465), so a lockfile-less
    // install cannot work offline. Its lockfile holds the repository's versions.
    const lock = JSON.parse(readFileSync(join(repoRoot, 'package-lock.json'), 'utf8')) as unknown;
    const dependencies = Object.fromEntries(libraries.map((w) => [manifest(w).name, `file:${relative(project, tarballs.get(w)!)}`]));
    const root = { name: 'cronfleet-packages-check', version: '1.0.0', dependencies };
    const packages = lockfileSubset(
      lock,
      libraries.map((w) => {
        const file = tarballs.get(w)!;
        const integrity = `sha512-${createHash('sha512').update(readFileSync(file)).digest('base64')}`;
        return { workspace: w, location: `node_modules/${manifest(w).name}`, entry: { resolved: `file:${relative(project, file)}`, integrity } };
      }),
      root,
    );
    mkdirSync(project, { recursive: true });
    writeFileSync(join(project, 'package.json'), JSON.stringify({ ...root, private: true }, null, 2));
    writeFileSync(join(project, 'package-lock.json'), JSON.stringify({ ...root, lockfileVersion: 3, requires: true, packages }, null, 2));
    ok(await run('npm', ['ci', '--offline', '--no-audit', '--no-fund'], { cwd: project }), 'npm ci in the project');
    t.diagnostic(`npm ci of ${libraries.join(', ')} into a project: ${seconds(at)}`);
    assert.deepEqual(serverOnlyIn(installedNames(project)), [], "the server's dependencies were installed");

    const shared = ok(await run(process.execPath, ['-p', "require('@cronfleet/shared').PROTOCOL_VERSION"], { cwd: project }), 'require @cronfleet/shared');
    assert.match(shared.stdout.trim(), /^\d+$/);
    if (!existsSync(join(repoRoot, 'client', 'package.json'))) return t.skip('the client package is not in this checkout');
    assert.ok(libraries.includes('client'), 'client/package.json exists: add client to PACKAGES in scripts/pack.js');
    // What a browser bundles: the client and shared's browser-safe entry load nothing that needs Node.
    const browserSafe = [
      "const { API_ROUTES } = require('@cronfleet/shared/api');",
      "require('@cronfleet/client');",
      'const nodeOnly = Object.keys(require.cache).filter((f) => /[\\\\/](yaml|@opentelemetry)[\\\\/]|[\\\\/]tracing[\\\\/]tracing\\.js$|vm-pattern-test/.test(f));',
      "console.log(nodeOnly.length ? `loaded: ${nodeOnly.join(' ')}` : `${Object.keys(API_ROUTES).length} route groups, nothing Node-only`);",
    ].join('\n');
    writeFileSync(join(project, 'browser-safe.js'), browserSafe);
    const loaded = ok(await run(process.execPath, ['browser-safe.js'], { cwd: project }), 'require @cronfleet/shared/api and @cronfleet/client');
    assert.match(loaded.stdout.trim(), /^\d+ route groups, nothing Node-only$/);
    // The client binds the routes it is given (the contract does not collect them all yet): one here.
    const script = [
      "const { defineRoute, CronJobViewSchema } = require('@cronfleet/shared');",
      "const { createClient } = require('@cronfleet/client');",
      "const list = defineRoute({ method: 'GET', path: '/cronjobs', access: 'viewer', scope: 'scoped', tag: 'cronjobs', summary: 'Cron jobs', status: 200 });",
      'const cronfleet = createClient({ baseUrl: process.env.URL, token: process.env.TOKEN, routes: { cronjobs: { list } } });',
      'cronfleet.cronjobs.list({}).then((page) => console.log(page.items.map((j) => CronJobViewSchema.parse(j).name).join("\\n")), (e) => { console.error(e); process.exit(1); });',
    ].join('\n');
    writeFileSync(join(project, 'list-jobs.js'), script);
    const r = ok(await run(process.execPath, ['list-jobs.js'], { cwd: project, env: { URL: srv().url, TOKEN: srv().adminToken } }), 'the client script');
    assert.match(r.stdout, new RegExp(`^${job.name}$`, 'm'));
  });
});
