#!/usr/bin/env node
// Runs the compiled tests (build/, from tsconfig.test.json) with Node's own test runner, tier by tier:
// unit specs next to the code, integration tests on the real MariaDB and Redis, then end-to-end tests
// with real server and worker processes. Jest is not used: it cannot load ESM-only dependencies (execa).
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

const tiers = {
  unit: () => ['shared/src', 'worker/src', 'apiserver/src'].flatMap((d) => find(join(build, d), /\.spec\.js$/)),
  integration: () => find(join(build, 'apiserver/test/integration'), /\.spec\.js$/),
  e2e: () => find(join(build, 'test/e2e'), /\.e2e-spec\.js$/),
};
// Integration and e2e files each get their own database or key prefix, but they share 2 cores:
// run them one file at a time so timing-sensitive process tests are not starved.
const concurrency = { unit: 2, integration: 1, e2e: 1 };

const wanted = process.argv.slice(2).length ? process.argv.slice(2) : Object.keys(tiers);
let failed = false;
for (const tier of wanted) {
  if (!tiers[tier]) {
    console.error(`unknown test tier '${tier}' (expected one of: ${Object.keys(tiers).join(', ')})`);
    process.exit(2);
  }
  const files = tiers[tier]();
  if (files.length === 0) {
    console.log(`# tier ${tier}: no test files`);
    continue;
  }
  console.log(`# tier ${tier}: ${files.length} file(s): ${files.map((f) => relative(build, f)).join(', ')}`);
  const r = spawnSync(
    process.execPath,
    ['--test', `--test-concurrency=${concurrency[tier]}`, '--test-reporter=spec', ...files],
    { stdio: 'inherit', cwd: root, env: { ...process.env, CRONFLEET_TEST_TIER: tier } },
  );
  if (r.status !== 0) {
    failed = true;
    console.error(`# tier ${tier}: FAILED (exit ${r.status ?? r.signal})`);
  }
}
process.exit(failed ? 1 : 0);
