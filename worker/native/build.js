#!/usr/bin/env node
// Builds the worker's native spawner (spawn.c, see there) with node-gyp, against the headers of the
// Node that runs this script: no download. Run by `npm run build` in a checkout and, as the package's
// install script, by `npm install` of the worker's tarball; skipped when the addon is newer than its
// sources. A failure (no compiler, no headers) is one line of warning, never an error: the worker
// then starts its tasks with node:child_process, which works everywhere but costs about twice the CPU
// per task, and says so when it starts. Force a build: node <this file> --force.
'use strict';
const { spawnSync } = require('node:child_process');
const { existsSync, rmSync, statSync, writeFileSync } = require('node:fs');
const { dirname, isAbsolute, join, relative } = require('node:path');

const here = __dirname;
const addon = join(here, 'build', 'Release', 'cronfleet_spawn.node');
const sources = ['spawn.c', 'binding.gyp'].map((f) => join(here, f));
const log = join(here, 'build.log');
// This file as a person would type it: relative to a checkout's root (npm run build), else absolute
// (an install script runs in the package's folder, not where the person ran npm).
const rel = relative(process.cwd(), __filename);
const self = process.env.npm_lifecycle_event === 'install' || rel.startsWith('..') || isAbsolute(rel) ? __filename : rel;

try {
  build();
} catch (e) {
  fail(e && e.message ? e.message : String(e));
}

function build() {
  if (process.platform !== 'linux') {
    console.log('native spawner: not built (Linux only); the worker will start tasks with node:child_process');
    return;
  }
  const newest = Math.max(...sources.map((f) => statSync(f).mtimeMs));
  if (!process.argv.includes('--force') && existsSync(addon) && statSync(addon).mtimeMs >= newest) return;

  // npm hands its own node-gyp to scripts; outside npm, look beside the npm that came with this Node.
  const nodeGyp = [
    process.env.npm_config_node_gyp,
    join(dirname(process.execPath), '..', 'lib', 'node_modules', 'npm', 'node_modules', 'node-gyp', 'bin', 'node-gyp.js'),
  ].find((f) => f && existsSync(f));
  if (!nodeGyp) return fail('node-gyp not found (it comes with npm)');

  const args = [nodeGyp, 'rebuild', '--directory', here];
  // The running Node's own headers (include/node/node_api.h beside its bin/), so nothing is downloaded.
  const prefix = join(dirname(process.execPath), '..');
  if (existsSync(join(prefix, 'include', 'node', 'node_api.h'))) args.push(`--nodedir=${prefix}`);
  const started = Date.now();
  const r = spawnSync(process.execPath, args, { encoding: 'utf8' });
  if (r.status !== 0) {
    writeFileSync(log, `${r.stdout ?? ''}${r.stderr ?? ''}${r.error ? `\n${r.error.message}\n` : ''}`);
    return fail(`node-gyp exited with ${r.status ?? r.signal ?? r.error?.message}: ${reason(`${r.stdout}${r.stderr}`)}; its output is in ${log}`);
  }
  rmSync(log, { force: true });
  console.log(`native spawner: built in ${((Date.now() - started) / 1000).toFixed(1)} s (${addon})`);
}

/** What node-gyp says went wrong: its error, e.g. "not found: make" or "Could not find any Python installation to use". */
function reason(text) {
  const lines = text.split('\n');
  const stack = lines.find((l) => /^gyp ERR! stack Error: /.test(l));
  const last = lines.filter((l) => /^gyp ERR! /.test(l) && !/^gyp ERR! (not ok|cwd|node|command|System|stack  )/.test(l)).at(-1);
  return (stack ?? last ?? 'no error message').replace(/^gyp ERR! (stack Error: )?/, '').trim().slice(0, 200);
}

function fail(why) {
  // One line, as npm shows a package's install output only with --foreground-scripts or on failure.
  console.warn(`native spawner: NOT built (${why}); the worker will start tasks with node:child_process, which works but costs about twice the CPU per task. To build it, install python3, make and a C compiler, then run: node ${self} --force`);
  process.exit(0);
}
