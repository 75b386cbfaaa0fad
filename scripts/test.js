#!/usr/bin/env node
// Runs the compiled tests (build/, from tsconfig.test.json) with Node's own test runner, tier by tier,
// a tier by what its tests touch: unit specs next to the code (pure: no process, socket, network,
// docker engine, database or Redis, no file beyond a temp file; with scripts/check-imports.spec,
// the import rules over the sources), integration tests (apiserver/test/
// integration on the real MariaDB and Redis; worker/test/integration with real processes, signals,
// sockets, the docker engine and the disk; client/test/integration against local HTTP servers), then end-to-end tests with real server and worker
// processes. Jest is not used: it cannot load ESM-only dependencies (execa).
// Usage: node scripts/test.js [unit|integration|e2e ...]  (default: all tiers)
'use strict';
const { spawn } = require('node:child_process');
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
// Each tier is one or more runs of node --test, each with its files and how many run at once; the
// runs of a tier go side by side, each one's report printed whole when it ends. The server's
// integration and e2e files each get their own database or key prefix, but they share 2 cores: they
// run one file at a time so timing-sensitive process tests are not starved. The worker's integration
// files (its own processes, the docker engine and a socket.io stub, no database) mostly wait on
// processes and timers: they run two at a time beside the server's, as they ran beside the unit
// specs before they had a tier of their own, so that npm test is no slower for the move.
const tiers = {
  unit: () => [{ files: specs('shared/src', 'client/src', 'worker/src', 'apiserver/src', 'cli/src', 'scripts'), concurrency: 2 }],
  integration: () => [
    { files: specs('apiserver/test/integration'), concurrency: 1 },
    { files: specs('worker/test/integration', 'client/test/integration'), concurrency: 2 },
  ],
  e2e: () => [{ files: find(join(build, 'test/e2e'), /\.e2e-spec\.js$/).filter(compiledFromSource), concurrency: 1 }],
};

/** Runs node --test on one run's files; with `buffer`, its report is printed whole once it ends. Resolves to whether it passed. */
function runTests(tier, { files, concurrency }, buffer) {
  console.log(`# tier ${tier}: ${files.length} file(s), ${concurrency} at a time: ${files.map((f) => relative(build, f)).join(', ')}`);
  const child = spawn(process.execPath, ['--test', `--test-concurrency=${concurrency}`, '--test-reporter=spec', ...files], {
    stdio: buffer ? ['ignore', 'pipe', 'pipe'] : 'inherit',
    cwd: root,
    env: { ...process.env, CRONFLEET_TEST_TIER: tier },
  });
  const out = [];
  if (buffer) {
    child.stdout.on('data', (d) => out.push(d));
    child.stderr.on('data', (d) => out.push(d));
  }
  return new Promise((resolve) => {
    child.on('close', (code, signal) => {
      const where = files.map((f) => relative(build, f).split('/').slice(0, -1).join('/')).filter((d, i, all) => all.indexOf(d) === i).join(', ');
      if (buffer) process.stdout.write(`# tier ${tier}: the report of ${where}\n${Buffer.concat(out).toString()}`);
      if (code !== 0) console.error(`# tier ${tier}: ${where}: FAILED (exit ${code ?? signal})`);
      resolve(code === 0);
    });
  });
}

async function main() {
  const wanted = process.argv.slice(2).length ? process.argv.slice(2) : Object.keys(tiers);
  const unknown = wanted.filter((t) => !tiers[t]);
  if (unknown.length) {
    console.error(`unknown test tier '${unknown[0]}' (expected one of: ${Object.keys(tiers).join(', ')})`);
    return 2;
  }
  let failed = false;
  for (const tier of wanted) {
    const runs = tiers[tier]().filter((run) => run.files.length > 0);
    if (runs.length === 0) console.log(`# tier ${tier}: no test files`);
    const passed = await Promise.all(runs.map((run) => runTests(tier, run, runs.length > 1)));
    if (passed.includes(false)) failed = true;
  }
  return failed ? 1 : 0;
}

main().then((code) => process.exit(code));
