import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { AppLogger } from './app-logger';
import type { LogSettings } from './log-settings';
import { prettyLine, toLogEntry } from './log-format';

/** An AppLogger writing into arrays instead of the process' streams. */
function capture(settings: LogSettings) {
  const stdout: string[] = [];
  const stderr: string[] = [];
  const logger = new AppLogger(settings, { stdout: { write: (l: string) => stdout.push(l) }, stderr: { write: (l: string) => stderr.push(l) } });
  return { logger, stdout, stderr, json: () => stdout.map((l) => JSON.parse(l) as Record<string, unknown>) };
}

describe('toLogEntry', () => {
  it('takes the last string as the context and keeps the message text unchanged', () => {
    const e = toLogEntry('worker 3 refused task 12: CommandNotAllowed: "rm" is not allowed', ['dispatcher']);
    assert.equal(e.msg, 'worker 3 refused task 12: CommandNotAllowed: "rm" is not allowed');
    assert.deepEqual(e.fields, { context: 'dispatcher', taskId: 12, workerId: 3 });
  });

  it('finds the ids a message names: the first task, a cron job, a worker by name and id', () => {
    assert.deepEqual(toLogEntry('task 5 failed: retry 1 of 3 as task 6 in 10 s', ['tasks']).fields, { context: 'tasks', taskId: 5 });
    assert.deepEqual(toLogEntry('task 7 of cron job 2: skipped', []).fields, { taskId: 7, cronjobId: 2 });
    assert.deepEqual(toLogEntry("worker 'b1' (id 9) silent for 16 s: offline", ['workers']).fields, { context: 'workers', workerId: 9 });
    assert.deepEqual(toLogEntry("worker 'local-vm' (id 1, vm) online, capacity 4", ['workers']).fields, { context: 'workers', workerId: 1 });
    assert.deepEqual(toLogEntry('leading (epoch 3): 2 job(s)', ['dispatcher']).fields, { context: 'dispatcher' });
  });

  it("reads Nest's error(message, stack, context) and structured messages", () => {
    const stack = 'Error: boom\n    at f (a.js:1:1)';
    assert.deepEqual(toLogEntry('boom', [stack, 'http']), { msg: 'boom', fields: { context: 'http', stack } });
    assert.deepEqual(toLogEntry({ msg: 'sent', taskId: 4, ms: 2 }, ['dispatcher']), { msg: 'sent', fields: { context: 'dispatcher', taskId: 4, ms: 2 } });
    const err = toLogEntry(new TypeError('bad'), []);
    assert.equal(err.msg, 'bad');
    assert.equal((err.fields.err as { type: string }).type, 'TypeError');
  });
});

describe('prettyLine', () => {
  it('puts time, level, context and message first, other fields as key=value, a stack below', () => {
    const line = JSON.stringify({ level: 'warn', time: '2026-03-01T12:00:01.234Z', pid: 1, hostname: 'h', context: 'workers', workerId: 9, note: 'two words', msg: 'gone', stack: 'Error: x\n    at y' });
    assert.equal(prettyLine(line), '12:00:01.234 WARN  [workers] gone workerId=9 note="two words"\nError: x\n    at y\n');
    assert.equal(prettyLine('not json'), 'not json');
  });
});

describe('AppLogger', () => {
  it('writes one JSON object per line with level, time, context and msg; errors to stderr', () => {
    const c = capture({ level: 'info', format: 'json' });
    c.logger.log('task 3 lost: worker 2 no longer runs it', 'tasks');
    c.logger.error('internal', 'Error: x\n    at y', 'http');
    const [line] = c.json();
    assert.equal(line.level, 'info');
    assert.equal(line.context, 'tasks');
    assert.equal(line.msg, 'task 3 lost: worker 2 no longer runs it');
    assert.equal(line.taskId, 3);
    assert.ok(!Number.isNaN(Date.parse(String(line.time))) && String(line.time).endsWith('Z'), `time ${String(line.time)} is ISO-8601 UTC`);
    assert.equal(c.stderr.length, 1);
    assert.equal((JSON.parse(c.stderr[0]) as { level: string }).level, 'error');
  });

  it('writes nothing below its level, and shows Nest\'s start-up chatter only at debug', () => {
    const warn = capture({ level: 'warn', format: 'json' });
    warn.logger.log('leading', 'dispatcher');
    warn.logger.debug('detail', 'dispatcher');
    warn.logger.warn('careful', 'dispatcher');
    assert.deepEqual(warn.json().map((l) => l.msg), ['careful']);
    const info = capture({ level: 'info', format: 'json' });
    info.logger.log('Mapped {/healthz, GET} route', 'RouterExplorer');
    assert.equal(info.stdout.length, 0);
    const debug = capture({ level: 'debug', format: 'json' });
    debug.logger.log('Mapped {/healthz, GET} route', 'RouterExplorer');
    assert.equal(debug.json()[0].level, 'debug');
  });

  it('writes plain single lines in the pretty format', () => {
    const c = capture({ level: 'info', format: 'pretty' });
    c.logger.warn('worker 4 refused task 8: CommandNotAllowed: no', 'dispatcher');
    assert.match(c.stdout[0], /^\d\d:\d\d:\d\d\.\d{3} WARN  \[dispatcher\] worker 4 refused task 8: CommandNotAllowed: no taskId=8 workerId=4\n$/);
  });
});
