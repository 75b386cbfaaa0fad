import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { findRepoRoot } from '../../../test/support/local-host';
import { TempDirs } from './gateway-stub';
import { loadPlugins, PluginError, type LoadPluginsOptions } from '../../src/plugins/plugin-loader';

const root = findRepoRoot(__dirname);
const examples = join(root, 'examples/plugins');
const dirs = new TempDirs();
after(() => dirs.removeAll());

/** Writes `files` (name → content) into a fresh directory and returns it. */
function project(files: Record<string, string>): string {
  const dir = dirs.make('cronfleet-plugin-test-');
  for (const [name, content] of Object.entries(files)) {
    mkdirSync(join(dir, name, '..'), { recursive: true });
    writeFileSync(join(dir, name), content);
  }
  return dir;
}

function options(cwd: string, logs: string[] = [], extra: Partial<LoadPluginsOptions> = {}): LoadPluginsOptions {
  return { cwd, context: { workerName: 'w1', runAs: null, log: (l) => logs.push(l), processEnv: () => ({}) }, ...extra };
}

const load = (cwd: string, ...specifiers: string[]) => loadPlugins(specifiers.map((specifier) => ({ specifier, option: '--plugin' })), options(cwd));

/** The PluginError message of loading `specifier` in `cwd`. */
async function failure(cwd: string, ...specifiers: string[]): Promise<string> {
  try {
    await load(cwd, ...specifiers);
  } catch (e) {
    assert.ok(e instanceof PluginError, `not a PluginError: ${String(e)}`);
    return e.message;
  }
  return assert.fail(`loaded ${specifiers.join(', ')}`);
}

const RUNNER = `{ name: 'echo', start(task, io) { io.output(String(task.spec.text)); return { done: Promise.resolve({ status: 'success' }), stop() {}, kill() {} }; } }`;

describe('loadPlugins', () => {
  it('loads an ES module whose default export is the runner (the sleep example), from a path relative to the cwd', async () => {
    const [p] = await load(root, './examples/plugins/sleep-runner.mjs');
    assert.equal(p?.runner.name, 'sleep');
    assert.equal(p?.file, join(examples, 'sleep-runner.mjs'));
    assert.equal(typeof p?.runner.validate, 'function');
    assert.match(String(p?.runner.validate?.({ seconds: -1 })), /^spec\.seconds: must be a number of seconds/);
  });

  it('calls a CommonJS factory (the signed-webhook example) with the context, its log prefixed with the plugin', async () => {
    const logs: string[] = [];
    const [p] = await loadPlugins([{ specifier: join(examples, 'signed-webhook-runner.js'), option: '--plugin' }], options('/', logs));
    assert.equal(p?.runner.name, 'signed-webhook');
    assert.deepEqual(logs, [`plugin ${join(examples, 'signed-webhook-runner.js')}: ready: POSTs signed with HMAC-SHA256 (X-Cronfleet-Signature)`]);
  });

  it('resolves a package name from the cwd, scoped or not, and a path without its extension or a directory', async () => {
    const dir = project({
      'node_modules/cronfleet-echo/package.json': JSON.stringify({ name: 'cronfleet-echo', main: 'lib/main.js' }),
      'node_modules/cronfleet-echo/lib/main.js': `module.exports = ${RUNNER};`,
      'node_modules/@acme/cron-runner/package.json': JSON.stringify({ name: '@acme/cron-runner', type: 'module', exports: { '.': './index.js' } }),
      'node_modules/@acme/cron-runner/index.js': `export default { ...${RUNNER}, name: 'acme' };`,
      'runners/local.js': `module.exports = { ...${RUNNER}, name: 'local' };`,
      'runners/dir/index.js': `module.exports = { ...${RUNNER}, name: 'in-dir' };`,
    });
    const loaded = await load(dir, 'cronfleet-echo', '@acme/cron-runner', './runners/local', './runners/dir');
    assert.deepEqual(loaded.map((p) => [p.runner.name, p.file]), [
      ['echo', join(dir, 'node_modules/cronfleet-echo/lib/main.js')],
      ['acme', join(dir, 'node_modules/@acme/cron-runner/index.js')],
      ['local', join(dir, 'runners/local.js')],
      ['in-dir', join(dir, 'runners/dir/index.js')],
    ]);
  });

  it('takes a class, an async factory, a module compiled from ESM to CommonJS, and a validate exported beside the runner', async () => {
    const dir = project({
      'class.mjs': `export default class { constructor(ctx) { this.name = 'cls-' + ctx.workerName; } start() { return { done: Promise.resolve({ status: 'success' }), stop() {}, kill() {} }; } }`,
      'async.mjs': `export default async (ctx) => { await new Promise((r) => setTimeout(r, 10)); return { ...${RUNNER}, name: 'later' }; };`,
      'compiled.js': `"use strict"; Object.defineProperty(exports, "__esModule", { value: true }); exports.default = { ...${RUNNER}, name: 'compiled' };`,
      'beside.mjs': `export default { ...${RUNNER}, name: 'beside' }; export function validate(spec) { return spec.text ? null : 'spec.text: required'; }`,
    });
    const loaded = await load(dir, './class.mjs', './async.mjs', './compiled.js', './beside.mjs');
    assert.deepEqual(loaded.map((p) => p.runner.name), ['cls-w1', 'later', 'compiled', 'beside']);
    const beside = loaded[3]?.runner;
    assert.equal(beside?.validate?.({}), 'spec.text: required');
    assert.equal(beside?.validate?.({ text: 'hi' }), null);
  });

  const broken: Array<[string, Record<string, string>, string[], (dir: string) => string]> = [
    ['a file that does not exist', {}, ['./nope.js'], (d) => `--plugin ./nope.js: no such file: ${join(d, 'nope.js')}`],
    ['a package that is not installed', {}, ['cronfleet-nope'], (d) => `--plugin cronfleet-nope: no package 'cronfleet-nope' is installed where ${d} can load it (node_modules of that directory or one above)`],
    [
      'a file named without ./, which reads as a package',
      { 'mine.js': `module.exports = ${RUNNER};` },
      ['mine.js'],
      (d) => `--plugin mine.js: no package 'mine.js' is installed where ${d} can load it (node_modules of that directory or one above); to load the file mine.js in ${d}, give it as ./mine.js`,
    ],
    ['a Node.js built-in module', {}, ['http'], () => "--plugin http: 'http' is a Node.js built-in module, not a plugin; to load a file of that name, give it as ./http"],
    ['a file that is not JavaScript', { 'notes.js': 'this is { not javascript' }, ['./notes.js'], (d) => `--plugin ./notes.js: cannot load ${join(d, 'notes.js')} as a module: SyntaxError: Unexpected identifier 'is'`],
    ['a module that throws as it loads', { 'throws.mjs': `throw new Error('DATABASE_URL is not set');` }, ['./throws.mjs'], (d) => `--plugin ./throws.mjs: cannot load ${join(d, 'throws.mjs')} as a module: DATABASE_URL is not set`],
    [
      'an ES module without a default export',
      { 'named.mjs': `export const runner = ${RUNNER};` },
      ['./named.mjs'],
      () => '--plugin ./named.mjs: has no default export: export a runner { name, start(task, io) } or a factory (function or class) making one (ESM: export default …; CommonJS: module.exports = …)',
    ],
    ['a default export that is a number', { 'n.mjs': 'export default 42;' }, ['./n.mjs'], () => '--plugin ./n.mjs: its default export is a number (42); expected a runner { name, start(task, io) } or a factory (function or class) making one'],
    ['a runner without a name', { 'a.js': `module.exports = { start() {} };` }, ['./a.js'], () => "--plugin ./a.js: the runner has no name: give it a name property (a lowercase letter, then up to 31 lowercase letters, digits or '-'), the runner jobs will name"],
    ['a runner without start', { 'a.js': `module.exports = { name: 'lazy' };` }, ['./a.js'], () => "--plugin ./a.js: runner 'lazy' has no start(task, io) method"],
    ['a name that is not a runner name', { 'a.js': `module.exports = { ...${RUNNER}, name: 'My Runner' };` }, ['./a.js'], () => "--plugin ./a.js: runner name 'My Runner' is not valid: a lowercase letter, then up to 31 lowercase letters, digits or '-'"],
    ['a name that is not a string', { 'a.js': `module.exports = { ...${RUNNER}, name: 7 };` }, ['./a.js'], () => "--plugin ./a.js: the runner's name is a number (7); expected a string (a lowercase letter, then up to 31 lowercase letters, digits or '-')"],
    ['a built-in name', { 'a.js': `module.exports = { ...${RUNNER}, name: 'http' };` }, ['./a.js'], () => "--plugin ./a.js: runner name 'http' is taken by a built-in runner (command, script, docker, http); choose another"],
    [
      'a name another plugin has',
      { 'a.js': `module.exports = ${RUNNER};`, 'b.mjs': `export default ${RUNNER};` },
      ['./a.js', './b.mjs'],
      (d) => `--plugin ./b.mjs: runner name 'echo' is also the name of the runner of ./a.js (${join(d, 'a.js')}); each runner needs its own name`,
    ],
    ['a validate that is not a function', { 'a.js': `module.exports = { ...${RUNNER}, validate: true };` }, ['./a.js'], () => "--plugin ./a.js: runner 'echo': validate is a boolean (true); expected a function validate(spec) or none"],
    ['a factory that throws', { 'a.js': `module.exports = () => { throw new TypeError('no SQL_URL'); };` }, ['./a.js'], () => '--plugin ./a.js: its factory threw: TypeError: no SQL_URL'],
    ['a factory that rejects', { 'a.mjs': `export default async () => { throw new Error('cannot reach the database'); };` }, ['./a.mjs'], () => '--plugin ./a.mjs: its factory failed: cannot reach the database'],
    ['a factory that returns nothing', { 'a.js': `module.exports = function make() {};` }, ['./a.js'], () => '--plugin ./a.js: its factory returned undefined; expected a runner { name, start(task, io) }'],
  ];
  for (const [what, files, specifiers, message] of broken) {
    it(`refuses ${what}, naming the option, the plugin and the problem`, async () => {
      const dir = project(files);
      assert.equal(await failure(dir, ...specifiers), message(dir));
    });
  }

  it('refuses a factory that does not resolve in time, and names the environment variable when the plugin came from there', async () => {
    const dir = project({ 'a.mjs': 'export default () => new Promise(() => {});' });
    await assert.rejects(
      loadPlugins([{ specifier: './a.mjs', option: 'CRONFLEET_WORKER_PLUGINS' }], options(dir, [], { factoryTimeoutMs: 50 })),
      (e: unknown) => e instanceof PluginError && e.message === 'CRONFLEET_WORKER_PLUGINS ./a.mjs: its factory did not resolve within 0.05 s',
    );
  });
});
