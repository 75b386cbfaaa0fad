#!/usr/bin/env node
// Runs the compiled tests (build/, from tsconfig.test.json) with Node's own test runner, tier by tier,
// a tier by what its tests touch: unit specs next to the code (pure: no process, socket, network,
// docker engine, database or Redis, no file beyond a temp file; with scripts/check-imports.spec,
// the import rules over the sources), integration tests (apiserver/test/
// integration on the real MariaDB and Redis; worker/test/integration with real processes, signals,
// sockets, the docker engine and the disk), then end-to-end tests with real server and worker
// processes. Jest is not used: it cannot load ESM-only dependencies (execa).
// Usage: node scripts/test.js [unit|integration|e2e ...]  (default: all tiers)
'use strict';
const { spawnSync } = require('node:child_process');
const { readdirSync, statSync, existsSync } = require('node:fs');
const { join, relative } = require('node:path');

const root = join(__dirname, '..');
const build = join(root, 'build');

function find(dir, re, out = []) {
  if (!existsSync(dir)) return out;
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) find(p, re, out);
    else if (re.test(name)) out.push(p);
  }
  return out.sort();
}

// tsc leaves the output of a deleted or moved source in build/: run only the specs whose source is there.
function compiledFromSource(file) {
  const source = join(root, relative(build, file)).replace(/\.js$/, '.ts');
  if (existsSync(source)) return true;
  console.log(`# skipping ${relative(root, file)}: its source ${relative(root, source)} is gone (a stale build file)`);
  return false;
}

const specs = (...dirs) => dirs.flatMap((d) => find(join(build, d), /\.spec\.js$/)).filter(compiledFromSource);
// Each tier is one or more runs of node --test, each with its files and how many run at once.
// The server's integration and e2e files each get their own database or key prefix, but they share
// 2 cores: they run one file at a time so timing-sensitive process tests are not starved. The
// worker's integration files (its own processes and a socket.io stub, no database) run two at a
// time, as they always have.
const tiers = {
  unit: () => [{ files: specs('shared/src', 'worker/src', 'apiserver/src', 'scripts'), concurrency: 2 }],
  integration: () => [
    { files: specs('apiserver/test/integration'), concurrency: 1 },
    { files: specs('worker/test/integration'), concurrency: 2 },
  ],
  e2e: () => [{ files: find(join(build, 'test/e2e'), /\.e2e-spec\.js$/).filter(compiledFromSource), concurrency: 1 }],
};

const wanted = process.argv.slice(2).length ? process.argv.slice(2) : Object.keys(tiers);
let failed = false;
for (const tier of wanted) {
  if (!tiers[tier]) {
    console.error(`unknown test tier '${tier}' (expected one of: ${Object.keys(tiers).join(', ')})`);
    process.exit(2);
  }
  const runs = tiers[tier]().filter((run) => run.files.length > 0);
  if (runs.length === 0) {
    console.log(`# tier ${tier}: no test files`);
    continue;
  }
  for (const { files, concurrency } of runs) {
    console.log(`# tier ${tier}: ${files.length} file(s), ${concurrency} at a time: ${files.map((f) => relative(build, f)).join(', ')}`);
    const r = spawnSync(
      process.execPath,
      ['--test', `--test-concurrency=${concurrency}`, '--test-reporter=spec', ...files],
      { stdio: 'inherit', cwd: root, env: { ...process.env, CRONFLEET_TEST_TIER: tier } },
    );
    if (r.status !== 0) {
      failed = true;
      console.error(`# tier ${tier}: FAILED (exit ${r.status ?? r.signal})`);
    }
  }
}
process.exit(failed ? 1 : 0);
