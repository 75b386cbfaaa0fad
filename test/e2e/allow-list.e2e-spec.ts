// The worker's allow-list (--allowed-commands echo,true,/usr/bin/printf) end to end, against the
// bypasses an attack found (issue 17): a real server, real worker processes and a real symlink farm
// in a temp dir. Each attack runs once on a worker without an allow-list, where it must create its
// marker file (so the attack is real), then on the strict worker, where it must be refused with
// CommandNotAllowed naming the rule and create nothing.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { assertNoLeakedProcesses, randomId, startServer, startWorker, waitFor, waitForTaskEnd, type TestProcess, type TestServer, waitForWorkerOnline } from './helpers';

const ALLOWED = 'echo,true,/usr/bin/printf';

describe('the command allow-list', { timeout: 180_000 }, () => {
  const farm = mkdtempSync(join(tmpdir(), 'cronfleet-e2e-farm-'));
  const markers = join(farm, 'markers');
  let server: TestServer;
  let strict: TestProcess;
  let open: TestProcess;
  const logs = (): string => [server?.process.report(), strict?.report(), open?.report()].filter(Boolean).join('\n');

  before(async () => {
    mkdirSync(markers);
    // A symlink farm: programs named as allowed ones that are the shell.
    symlinkSync('/bin/sh', join(farm, 'true'));
    symlinkSync('/bin/sh', join(farm, 'echo'));
    // A preload library whose constructor leaves the marker of the LD_PRELOAD attack.
    writeFileSync(join(farm, 'evil.c'), `#include <fcntl.h>\n#include <unistd.h>\n__attribute__((constructor)) static void evil(void) { close(open("${markers}/ld-preload", O_CREAT | O_WRONLY, 0644)); }\n`);
    execFileSync('cc', ['-shared', '-fPIC', '-o', join(farm, 'evil.so'), join(farm, 'evil.c')], { stdio: 'pipe' });

    server = await startServer({ backend: 'embedded' });
    strict = startWorker(server, `e2e-allow-strict-${randomId()}`, { labels: { pool: 'strict' }, extraArgs: ['--allowed-commands', ALLOWED] });
    open = startWorker(server, `e2e-allow-open-${randomId()}`, { labels: { pool: 'open' } });
    await waitForWorkerOnline(server.api, { count: 2, timeoutMs: 20_000, what: 'both workers online', details: logs });
  });
  after(async () => {
    await strict?.stop();
    await open?.stop();
    await server?.stop();
    rmSync(farm, { recursive: true, force: true });
    assertNoLeakedProcesses();
  });

  /** Runs a one-off job on the worker pool `pool`; returns the task id. */
  const run = async (pool: 'strict' | 'open', job: Record<string, unknown>): Promise<number> => {
    const created = await server.api.createCronJob({ name: `allow-${pool}-${randomId()}`, schedule: '@yearly', enabled: false, workerSelector: { labels: { pool } }, ...job });
    return (await server.api.runCronJob(created.id)).taskId;
  };

  // Each attack writes its marker only if it runs; `: >` is the shell's own, needing no PATH.
  const attacks: Array<{ name: string; marker: string; job: Record<string, unknown>; rule: RegExp }> = [
    {
      name: 'job env LD_PRELOAD on an allowed program',
      marker: 'ld-preload',
      job: { runner: 'command', spec: { command: 'echo', args: ['hello'] }, env: { LD_PRELOAD: join(farm, 'evil.so') } },
      rule: /CommandNotAllowed: the task's env sets LD_PRELOAD, which a worker with an allow-list refuses/,
    },
    {
      name: 'job env PATH pointing bare true at a farm where true is sh',
      marker: 'path',
      job: { runner: 'command', spec: { command: 'true', args: ['-c', `: > ${markers}/path`] }, env: { PATH: farm } },
      rule: /CommandNotAllowed: the task's env sets PATH, /,
    },
    {
      name: 'an absolute path whose basename is allowed (/farm/echo)',
      marker: 'abs-echo',
      job: { runner: 'command', spec: { command: join(farm, 'echo'), args: ['-c', `: > ${markers}/abs-echo`] } },
      rule: /CommandNotAllowed: command '[^']*\/echo' resolves to \/\S+, which is not allowed on this worker \('echo' is \/\S+\/echo;/,
    },
    {
      name: './echo with the farm as cwd',
      marker: 'rel-echo',
      job: { runner: 'command', spec: { command: './echo', cwd: farm, args: ['-c', `: > ${markers}/rel-echo`] } },
      rule: /CommandNotAllowed: command '\.\/echo' resolves to \/\S+, which is not allowed/,
    },
    {
      name: 'a symlink named true to /bin/sh as a script interpreter',
      marker: 'interpreter',
      job: { runner: 'script', spec: { interpreter: join(farm, 'true'), content: `: > ${markers}/interpreter\n` } },
      rule: /CommandNotAllowed: interpreter '[^']*\/true' resolves to \/\S+, which is not allowed/,
    },
  ];

  for (const attack of attacks) {
    it(`refuses ${attack.name}, which a worker without an allow-list runs`, async () => {
      const marker = join(markers, attack.marker);
      const ran = await waitForTaskEnd(server.api, await run('open', attack.job), { timeoutMs: 20_000, details: logs });
      assert.ok(existsSync(marker), `the attack did not work on the open worker (task ${ran.status}), so it proves nothing:\n${logs()}`);
      rmSync(marker);

      const id = await run('strict', attack.job);
      const refused = await waitFor(
        async () => {
          const t = await server.api.getTask(id);
          return t.status === 'pending' && t.pendingReason?.startsWith('refused by') && t;
        },
        { timeoutMs: 20_000, what: `task ${id} refused by the strict worker`, details: logs },
      );
      assert.match(refused.pendingReason!, attack.rule);
      await server.api.killTask(id);
      assert.equal(existsSync(marker), false, `${attack.marker}: the refused task ran`);
    });
  }

  it('runs allowed programs, by bare name and by the path of an absolute entry', async () => {
    for (const spec of [{ command: 'echo', args: ['allowed'] }, { command: 'printf', args: ['%s\\n', 'allowed'] }, { command: '/usr/bin/printf', args: ['%s\\n', 'allowed'] }]) {
      const id = await run('strict', { runner: 'command', spec, env: { GREETING: 'hi' } });
      const task = await waitForTaskEnd(server.api, id, { timeoutMs: 20_000, details: logs });
      assert.equal(task.status, 'success', `${spec.command}: ${JSON.stringify(task)}`);
      assert.equal(await server.api.taskOutput(id), 'allowed\n');
    }
  });
});
