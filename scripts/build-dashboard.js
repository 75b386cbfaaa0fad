#!/usr/bin/env node
// `npm run build`'s dashboard step: type-checks and bundles dashboard/ (npm run build -w dashboard)
// only when something it is built from is newer than its last build, so a restart with nothing
// changed (npm start, npm run worker) does not spend seconds on it. Built from: dashboard/'s files
// outside dist/ (sources, index.html, vite and TypeScript configs, package.json), the sources of
// @cronfleet/client and @cronfleet/shared it bundles (client/src, shared/src) and the lockfile.
// A successful build writes dist/.built (vite empties dist/ first, so a failed build leaves none).
// Force a build: node scripts/build-dashboard.js --force.
'use strict';
const { spawnSync } = require('node:child_process');
const { readdirSync, statSync, utimesSync, writeFileSync } = require('node:fs');
const { join } = require('node:path');

const root = join(__dirname, '..');
const dashboard = join(root, 'dashboard');
const stamp = join(dashboard, 'dist', '.built');

// Directories count too (a deleted source changes its directory's time), except dashboard/ itself,
// which changes whenever the build replaces dist/.
function newestUnder(dir, self = true) {
  let newest = self ? statSync(dir).mtimeMs : 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    if (entry.name === 'dist' || entry.name === 'node_modules') continue;
    const path = join(dir, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestUnder(path) : statSync(path).mtimeMs);
  }
  return newest;
}

function builtAt() {
  try {
    return statSync(stamp).mtimeMs;
  } catch {
    return -1;
  }
}

const newest = Math.max(
  newestUnder(dashboard, false),
  newestUnder(join(root, 'client', 'src')),
  newestUnder(join(root, 'shared', 'src')),
  statSync(join(root, 'package-lock.json')).mtimeMs,
);
if (!process.argv.includes('--force') && builtAt() >= newest) process.exit(0);

// The stamp carries the time the build started: a file saved during the build is newer than it.
const started = new Date();
const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
const r = spawnSync(npm, ['run', 'build', '--silent', '-w', 'dashboard'], { cwd: root, stdio: 'inherit' });
if (r.status !== 0) process.exit(r.status ?? 1);
writeFileSync(stamp, `${started.toISOString()}\n`);
utimesSync(stamp, started, started);
