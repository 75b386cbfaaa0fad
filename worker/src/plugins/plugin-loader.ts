import { statSync } from 'node:fs';
import { createRequire, isBuiltin } from 'node:module';
import { isAbsolute, join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { isBuiltinRunner, RUNNER_NAME_PATTERN, RUNNER_NAMES } from '@cronfleet/shared';
import type { PluginContext, PluginRunner } from '../runners/runner';

/** A plugin as given: `--plugin <specifier>` or one entry of CRONFLEET_WORKER_PLUGINS. */
export interface PluginSource {
  /** A path (`./my-runner.js`, `/opt/x.mjs`, relative to the worker's cwd) or a package name resolvable from there. */
  specifier: string;
  /** How the user gave it, for messages: `--plugin` or `CRONFLEET_WORKER_PLUGINS`. */
  option: string;
}

/** A plugin loaded and checked: its runner, and the file it came from. */
export interface LoadedPlugin {
  runner: PluginRunner;
  /** The resolved file. */
  file: string;
  specifier: string;
}

/** A plugin that cannot be used: the worker does not start (exit code 2). The message names the option, the plugin and the problem. */
export class PluginError extends Error {
  readonly code = 'InvalidPlugin';
}

export interface LoadPluginsOptions {
  /** Where paths and package names are resolved from. Default: process.cwd(). */
  cwd?: string;
  /** Given to factories, with its `log` prefixed by the plugin's specifier. */
  context: Omit<PluginContext, 'log'> & { log: (line: string) => void };
  /** Most time a factory may take. Default 30 s. */
  factoryTimeoutMs?: number;
}

const NAME_RULE = "a lowercase letter, then up to 31 lowercase letters, digits or '-'";
const SHAPE = 'a runner { name, start(task, io) } or a factory (function or class) making one';

/**
 * Loads each plugin in order with a dynamic import (ESM or CommonJS): its default export (CommonJS:
 * `module.exports`) is the runner itself, or a function or class called with a {@link PluginContext}
 * that returns (or resolves to) the runner. Checks the runner's shape and name: a name must fit
 * RUNNER_NAME_PATTERN and be neither a built-in's nor another plugin's. Throws {@link PluginError}
 * at the first problem, so a worker never starts with half of its plugins.
 */
export async function loadPlugins(sources: readonly PluginSource[], options: LoadPluginsOptions): Promise<LoadedPlugin[]> {
  const cwd = options.cwd ?? process.cwd();
  const loaded: LoadedPlugin[] = [];
  for (const source of sources) {
    const label = `${source.option} ${source.specifier}`;
    const fail = (problem: string): never => {
      throw new PluginError(`${label}: ${problem}`);
    };
    const file = resolvePlugin(source.specifier, cwd, fail);
    let namespace: Record<string, unknown>;
    try {
      namespace = (await import(pathToFileURL(file).href)) as Record<string, unknown>;
    } catch (e) {
      return fail(`cannot load ${file} as a module: ${errorText(e)}`);
    }
    let runner = await runnerOf(namespace, { ...options.context, log: (line) => options.context.log(`plugin ${source.specifier}: ${line}`) }, options.factoryTimeoutMs ?? 30_000, fail);
    const name = checkShape(runner, fail);
    // `export function validate` beside the default export counts as the runner's own.
    if (runner.validate === undefined && typeof namespace.validate === 'function') {
      runner = Object.create(runner, { validate: { value: namespace.validate } }) as PluginRunner;
    }
    if (isBuiltinRunner(name)) fail(`runner name '${name}' is taken by a built-in runner (${RUNNER_NAMES.join(', ')}); choose another`);
    const clash = loaded.find((p) => p.runner.name === name);
    if (clash) fail(`runner name '${name}' is also the name of the runner of ${clash.specifier} (${clash.file}); each runner needs its own name`);
    loaded.push({ runner, file, specifier: source.specifier });
  }
  return loaded;
}

/** True when `specifier` is a path (relative to the cwd, or absolute) rather than a package name. */
function isPath(specifier: string): boolean {
  return isAbsolute(specifier) || specifier === '.' || specifier === '..' || /^\.{1,2}\//.test(specifier);
}

/**
 * The file a specifier names, resolved as `require.resolve` would from a module in `cwd`: a path
 * may leave out `.js` or name a directory (its package.json `main`, else index.js); a package name
 * is looked up in the node_modules directories from `cwd` upwards.
 */
function resolvePlugin(specifier: string, cwd: string, fail: (problem: string) => never): string {
  if (isBuiltin(specifier)) return fail(`'${specifier}' is a Node.js built-in module, not a plugin; to load a file of that name, give it as ./${specifier}`);
  const require = createRequire(join(resolve(cwd), 'noop.js'));
  try {
    return require.resolve(specifier);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (isPath(specifier)) {
      const path = resolve(cwd, specifier);
      return fail(exists(path) ? `cannot resolve ${path}: ${errorText(e)}` : `no such file: ${path}`);
    }
    if (code === 'MODULE_NOT_FOUND') {
      const hint = exists(resolve(cwd, specifier)) ? `; to load the file ${specifier} in ${cwd}, give it as ./${specifier}` : '';
      return fail(`no package '${specifier}' is installed where ${cwd} can load it (node_modules of that directory or one above)${hint}`);
    }
    if (code === 'ERR_PACKAGE_PATH_NOT_EXPORTED') {
      return fail(`package '${specifier}' exports nothing under the "require" or "default" condition; give the path of its file instead`);
    }
    return fail(`cannot resolve package '${specifier}': ${errorText(e)}`);
  }
}

/** The runner a module provides: its default export, called first when a factory. */
async function runnerOf(namespace: Record<string, unknown>, context: PluginContext, timeoutMs: number, fail: (problem: string) => never): Promise<PluginRunner> {
  let exported = namespace.default;
  // A CommonJS module compiled from ESM (TypeScript, Babel) keeps its export under `exports.default`.
  const compiled = exported as { __esModule?: unknown; default?: unknown } | null;
  if (typeof compiled === 'object' && compiled !== null && compiled.__esModule === true && 'default' in compiled) exported = compiled.default;
  if (exported === undefined) {
    return fail(`has no default export: export ${SHAPE} (ESM: export default …; CommonJS: module.exports = …)`);
  }
  if (typeof exported === 'object' && exported !== null) return exported as PluginRunner;
  if (typeof exported !== 'function') return fail(`its default export is ${describe(exported)}; expected ${SHAPE}`);

  const factory = exported as (context: PluginContext) => unknown;
  const isClass = /^class[\s{]/.test(Function.prototype.toString.call(factory));
  let made: unknown;
  try {
    made = isClass ? new (factory as unknown as new (context: PluginContext) => unknown)(context) : factory(context);
  } catch (e) {
    return fail(`its factory threw: ${errorText(e)}`);
  }
  if (typeof (made as { then?: unknown } | null)?.then === 'function') {
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new PluginError(`its factory did not resolve within ${timeoutMs / 1000} s`)), timeoutMs);
    });
    try {
      made = await Promise.race([made, late]);
    } catch (e) {
      return fail(e instanceof PluginError ? e.message : `its factory failed: ${errorText(e)}`);
    } finally {
      clearTimeout(timer);
    }
  }
  if (typeof made !== 'object' || made === null) return fail(`its factory returned ${describe(made)}; expected a runner { name, start(task, io) }`);
  return made as PluginRunner;
}

/** The runner's name, once its shape is right. */
function checkShape(runner: PluginRunner, fail: (problem: string) => never): string {
  const { name } = runner as { name?: unknown };
  if (name === undefined || name === null || name === '') return fail(`the runner has no name: give it a name property (${NAME_RULE}), the runner jobs will name`);
  if (typeof name !== 'string') return fail(`the runner's name is ${describe(name)}; expected a string (${NAME_RULE})`);
  if (!RUNNER_NAME_PATTERN.test(name)) return fail(`runner name '${name}' is not valid: ${NAME_RULE}`);
  if (typeof (runner as { start?: unknown }).start !== 'function') return fail(`runner '${name}' has no start(task, io) method`);
  const { validate } = runner as { validate?: unknown };
  if (validate !== undefined && typeof validate !== 'function') return fail(`runner '${name}': validate is ${describe(validate)}; expected a function validate(spec) or none`);
  return name;
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (value === undefined) return 'undefined';
  if (Array.isArray(value)) return 'an array';
  const type = typeof value;
  return type === 'object' || type === 'undefined' ? `an ${type}` : `a ${type} (${String(value).slice(0, 40)})`;
}

function errorText(e: unknown): string {
  if (e instanceof Error) return `${e.name === 'Error' ? '' : `${e.name}: `}${e.message.split('\n')[0]}`;
  return String(e);
}

function exists(path: string): boolean {
  try {
    statSync(path);
    return true;
  } catch {
    return false;
  }
}
