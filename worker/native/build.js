#!/usr/bin/env node
// Builds the worker's native spawner (spawn.c, see there) with node-gyp, against the headers of the
// Node that runs this script: no download. Part of `npm run build`; skipped when the addon is newer
// than its sources. A failure (no compiler, say) is a warning, not an error: the worker then starts
// its tasks with node:child_process, which works everywhere but costs about twice the CPU per task.
// Force a build: node worker/native/build.js --force.
'use strict';
const { spawnSync } = require('node:child_process');
const { existsSync, statSync } = require('node:fs');
const { dirname, join } = require('node:path');

const here = __dirname;
const addon = join(here, 'build', 'Release', 'cronfleet_spawn.node');
const sources = ['spawn.c', 'binding.gyp'].map((f) => join(here, f));

if (process.platform !== 'linux') {
  console.log('native spawner: not built (Linux only); the worker uses node:child_process');
  process.exit(0);
}
const newest = Math.max(...sources.map((f) => statSync(f).mtimeMs));
if (!process.argv.includes('--force') && existsSync(addon) && statSync(addon).mtimeMs >= newest) process.exit(0);

// npm hands its own node-gyp to scripts; outside npm, look beside the npm that came with this Node.
const nodeGyp = [
  process.env.npm_config_node_gyp,
  join(dirname(process.execPath), '..', 'lib', 'node_modules', 'npm', 'node_modules', 'node-gyp', 'bin', 'node-gyp.js'),
].find((f) => f && existsSync(f));
if (!nodeGyp) fail('node-gyp not found (it comes with npm)');

const args = [nodeGyp, 'rebuild', '--directory', here];
// The running Node's own headers (include/node/node_api.h beside its bin/), so nothing is downloaded.
const prefix = join(dirname(process.execPath), '..');
if (existsSync(join(prefix, 'include', 'node', 'node_api.h'))) args.push(`--nodedir=${prefix}`);
const started = Date.now();
const r = spawnSync(process.execPath, args, { encoding: 'utf8' });
if (r.status !== 0) fail(`node-gyp exited with ${r.status ?? r.signal}:\n${tail(`${r.stdout}${r.stderr}`)}`);
console.log(`native spawner: built in ${((Date.now() - started) / 1000).toFixed(1)} s (${addon})`);

function tail(text) {
  return text.trim().split('\n').slice(-15).join('\n');
}

function fail(why) {
  console.warn(`native spawner: NOT built: ${why}`);
  console.warn('The worker will start tasks with node:child_process (slower). To build it, install python3, make and a C compiler, then run: node worker/native/build.js');
  process.exit(0);
}
