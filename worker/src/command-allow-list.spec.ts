import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { CommandSpec, ScriptSpec } from '@cronfleet/shared';
import { CommandAllowList, REFUSED_ENV, isRefusedEnvName, refusedEnvNames, type AllowListVerdict } from './command-allow-list';
import type { ProgramLookup } from './program-resolution';
import { taskRun } from './test-support/runner-harness';

const OPTION = '--allowed-commands / CRONFLEET_WORKER_ALLOWED_COMMANDS';

/** A file system as plain values: each executable file and its real path. */
function files(realpaths: Record<string, string>): ProgramLookup {
  return { isExecutableFile: (p) => p in realpaths, realpath: (p) => realpaths[p] ?? null };
}

// A merged-/usr host: /bin/sh is dash, /bin/echo the coreutils echo; /farm is a task's symlink farm,
// /bb a busybox install where every applet is a link to one binary.
const host = files({
  '/usr/bin/echo': '/usr/bin/echo',
  '/bin/echo': '/usr/bin/echo',
  '/usr/bin/true': '/usr/bin/true',
  '/usr/bin/printf': '/usr/bin/printf',
  '/usr/bin/sh': '/usr/bin/dash',
  '/bin/sh': '/usr/bin/dash',
  '/usr/bin/dash': '/usr/bin/dash',
  '/usr/bin/rm': '/usr/bin/rm',
  '/farm/echo': '/usr/bin/dash',
  '/farm/true': '/usr/bin/dash',
  '/farm/printf': '/farm/printf',
  '/bb/true': '/bb/busybox',
  '/bb/sh': '/bb/busybox',
});
const WORKER = { path: '/usr/bin:/bin', cwd: '/srv/worker', fs: host };

const command = (spec: Partial<CommandSpec> & { command: string }, extra = {}) => taskRun('command', { args: [], env: {}, shell: false, ...spec }, extra);
const script = (interpreter: string, spec: Partial<ScriptSpec> = {}) => taskRun('script', { interpreter, content: 'echo hi', args: [], env: {}, ...spec });
const messageOf = (v: AllowListVerdict): string | null => (v.allowed ? null : v.error.message);

describe('CommandAllowList', () => {
  const list = new CommandAllowList(['echo', 'true', '/usr/bin/printf'], WORKER);
  const entries = `${OPTION}: echo, true, /usr/bin/printf`;

  it('resolves its entries with the worker PATH at start, to real paths', () => {
    assert.deepEqual(
      list.resolved().map((a) => [a.entry, a.program?.path]),
      [['echo', '/usr/bin/echo'], ['true', '/usr/bin/true'], ['/usr/bin/printf', '/usr/bin/printf']],
    );
  });

  it('allows an allowed program by bare name, by its path, or through a symlink to it, and hands the runner its real path', () => {
    assert.deepEqual(list.judge(command({ command: 'echo' })), { allowed: true, program: { requested: 'echo', name: 'echo', path: '/usr/bin/echo' } });
    assert.deepEqual(list.judge(command({ command: '/bin/echo' })), { allowed: true, program: { requested: '/bin/echo', name: 'echo', path: '/usr/bin/echo' } });
    assert.equal(list.judge(command({ command: 'printf' })).allowed, true, 'the worker PATH finds /usr/bin/printf, the allowed file');
    assert.equal(list.judge(command({ command: '../../usr/bin/true', cwd: '/srv/job' })).allowed, true);
  });

  it("refuses a program that is not on the list as CommandNotAllowed, naming it and the list", () => {
    assert.deepEqual(list.judge(command({ command: 'rm', args: ['-rf', '/'] })), {
      allowed: false,
      error: { code: 'CommandNotAllowed', message: `command 'rm' is not allowed on this worker (${entries})`, retryable: true },
    });
  });

  it('refuses a path whose basename is allowed but that resolves to another file, saying where it resolves', () => {
    assert.equal(
      messageOf(list.judge(command({ command: '/farm/echo', args: ['-c', 'id'] }))),
      `command '/farm/echo' resolves to /usr/bin/dash, which is not allowed on this worker ('echo' is /usr/bin/echo; ${entries})`,
    );
    assert.match(messageOf(list.judge(command({ command: '/farm/printf' })))!, /^command '\/farm\/printf' resolves to \/farm\/printf, which is not allowed/);
  });

  it("resolves a relative path against the task's cwd", () => {
    assert.match(messageOf(list.judge(command({ command: './echo', cwd: '/farm' })))!, /^command '.\/echo' resolves to \/usr\/bin\/dash, which is not allowed/);
  });

  it('judges a script task by its interpreter, symlinks followed', () => {
    assert.equal(list.judge(script('true')).allowed, true);
    assert.match(messageOf(list.judge(script('/farm/true')))!, /^interpreter '\/farm\/true' resolves to \/usr\/bin\/dash, which is not allowed/);
    assert.equal(messageOf(list.judge(script('bash'))), `interpreter 'bash' is not allowed on this worker (${entries})`);
  });

  it('judges a shell: true task by /bin/sh, allowed by sh or /bin/sh', () => {
    assert.equal(messageOf(list.judge(command({ command: 'echo hi', shell: true }))), `shell commands run /bin/sh, which is not allowed on this worker (${entries})`);
    assert.equal(new CommandAllowList(['sh'], WORKER).judge(command({ command: 'anything', shell: true })).allowed, true);
    assert.equal(new CommandAllowList(['/bin/sh'], WORKER).judge(command({ command: 'sh' })).allowed, true, "the bare sh is the worker PATH's, the same file");
  });

  it('refuses a multi-call binary reached under another name than the allowed one', () => {
    const busybox = new CommandAllowList(['true'], { ...WORKER, path: '/bb' });
    assert.equal(busybox.judge(command({ command: 'true' })).allowed, true);
    assert.equal(messageOf(busybox.judge(command({ command: '/bb/sh' }))), `command '/bb/sh' is not allowed on this worker (${OPTION}: true)`);
  });

  it('refuses a program that is not found, and an entry that is not found allows nothing', () => {
    const missing = new CommandAllowList(['pg_dump', 'echo'], WORKER);
    assert.deepEqual(missing.resolved()[0], { entry: 'pg_dump', program: null });
    assert.equal(messageOf(missing.judge(command({ command: 'pg_dump' }))), "command 'pg_dump' is not found on this worker (searched the worker's PATH /usr/bin:/bin)");
  });

  it('finds an entry installed after the start when a task asks for it', () => {
    const later: Record<string, string> = { '/usr/bin/echo': '/usr/bin/echo' };
    const growing = new CommandAllowList(['pg_dump'], { ...WORKER, fs: files(later) });
    assert.equal(growing.resolved()[0]?.program, null);
    later['/usr/bin/pg_dump'] = '/usr/lib/postgresql/16/bin/pg_dump';
    assert.deepEqual(growing.judge(command({ command: 'pg_dump' })), { allowed: true, program: { requested: 'pg_dump', name: 'pg_dump', path: '/usr/lib/postgresql/16/bin/pg_dump' } });
  });

  it("refuses a task whose job env, spec env or secret env sets a loader or lookup variable, naming them", () => {
    assert.equal(
      messageOf(list.judge(command({ command: 'echo' }, { env: { LD_PRELOAD: '/tmp/evil.so', GREETING: 'hi' } }))),
      `the task's env sets LD_PRELOAD, which a worker with an allow-list refuses: it would change what the allowed program loads or runs (${OPTION})`,
    );
    assert.match(messageOf(list.judge(command({ command: 'true', env: { PATH: '/farm' } })))!, /^the task's env sets PATH, /);
    assert.match(messageOf(list.judge(command({ command: 'true' }, { secretEnv: { NODE_OPTIONS: '--require /x' } })))!, /^the task's env sets NODE_OPTIONS, /);
    assert.match(messageOf(list.judge(script('true', { env: { BASH_ENV: '/x', 'BASH_FUNC_echo%%': '() { id; }' } })))!, /^the task's env sets BASH_ENV, BASH_FUNC_echo%%, /);
    assert.equal(list.judge(command({ command: 'echo', env: { LANG: 'C.UTF-8', PATHS: 'a' } })).allowed, true);
  });

  it('does not limit runners that start no local program', () => {
    assert.deepEqual(list.judge(taskRun('http', { method: 'GET', url: 'http://127.0.0.1/', headers: {}, followRedirects: true }, { env: { PATH: '/x' } })), { allowed: true, program: null });
  });
});

describe('REFUSED_ENV', () => {
  it('covers the dynamic loader, program lookup, shell start-up and interpreter paths', () => {
    for (const name of ['LD_PRELOAD', 'LD_LIBRARY_PATH', 'LD_AUDIT', 'DYLD_INSERT_LIBRARIES', 'PATH', 'IFS', 'ENV', 'BASH_ENV', 'GCONV_PATH', 'GLIBC_TUNABLES', 'NODE_OPTIONS', 'PYTHONPATH', 'PERL5LIB', 'PERL5OPT', 'RUBYOPT', 'JAVA_TOOL_OPTIONS']) {
      assert.equal(isRefusedEnvName(name), true, name);
    }
    for (const name of ['LANG', 'HOME', 'TZ', 'MY_PATH', 'PATHS', 'CRONFLEET_PARAM_DB']) assert.equal(isRefusedEnvName(name), false, name);
    assert.ok(REFUSED_ENV.prefixes.includes('LD_'));
  });

  it('names each refused variable once, sorted, across several envs', () => {
    assert.deepEqual(refusedEnvNames({ PATH: '/x', A: '1' }, undefined, { LD_PRELOAD: 'y', PATH: '/z' }), ['LD_PRELOAD', 'PATH']);
  });
});
