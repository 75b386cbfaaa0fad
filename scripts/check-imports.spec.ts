// The import rules of scripts/check-imports.js over the source tree, and the check itself on made-up
// trees in a temp directory. The source tree's check replaces the kernel's old kernel-imports.spec.ts:
// its allow-list is the rule kernel-is-pure.
import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';

interface ImportCheck {
  RULES: Array<{ id: string }>;
  KNOWN_CYCLES: Record<string, string[]>;
  checkImports(root: string, options?: { knownCycles?: Record<string, string[]> }): { violations: string[]; edges: Map<string, unknown[]>; cycles: string[][] };
  main(argv: string[], out?: { write(text: string): unknown }, err?: { write(text: string): unknown }): number;
}

/** The compiled spec sits in build/scripts; the repository is two levels up. */
const ROOT = join(__dirname, '../..');
const check = require(join(ROOT, 'scripts/check-imports.js')) as ImportCheck;

function run(argv: string[]): { code: number; stdout: string; stderr: string } {
  let stdout = '';
  let stderr = '';
  const code = check.main(argv, { write: (t) => (stdout += t) }, { write: (t) => (stderr += t) });
  return { code, stdout, stderr };
}

describe('the import rules of the source tree', () => {
  it('hold: no forbidden import, no new cycle between server folders, no stale rule, exception or listed cycle', () => {
    const { code, stderr } = run([ROOT]);
    assert.equal(stderr, '');
    assert.equal(code, 0);
  });

  it('see the server folders and the knots of cycles the rules list', () => {
    const { edges, cycles } = check.checkImports(ROOT);
    assert.ok(edges.size > 50, `only ${edges.size} folder edges found under ${ROOT}/apiserver/src`);
    // A knot can come apart into smaller ones as its edges go: every folder still in one is listed.
    assert.deepEqual(cycles.flat().sort(), Object.keys(check.KNOWN_CYCLES).sort());
  });
});

describe('scripts/check-imports.js', () => {
  const dirs: string[] = [];
  after(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

  /** A source tree in a temp directory: each rule applies to one file at least, optional-packages.ts uses its exception. */
  function tree(files: Record<string, string>): string {
    const root = mkdtempSync(join(tmpdir(), 'cronfleet-imports-'));
    dirs.push(root);
    const all: Record<string, string> = {
      'shared/package.json': JSON.stringify({ name: '@cronfleet/shared', main: 'dist/index.js', exports: { '.': './dist/index.js', './api': { types: './dist/api/index.d.ts', default: './dist/api/index.js' } } }),
      'shared/src/index.ts': "export * from './api';\nexport * from './protocol';\nexport * from './tracing';\n",
      'shared/src/api/index.ts': "export * from '../protocol';\n",
      'shared/src/protocol.ts': "import { z } from 'zod';\nexport const Id = z.number();\n",
      'shared/src/tracing.ts': "import { trace } from '@opentelemetry/api';\nexport { trace };\n",
      'client/package.json': JSON.stringify({ name: '@cronfleet/client', main: 'dist/index.js' }),
      'client/src/index.ts': "export * from './create-client';\n",
      'client/src/create-client.ts': "import { fullPath } from '@cronfleet/shared/api';\nimport { sleep } from './abortable';\nexport { fullPath, sleep };\n",
      'client/src/abortable.ts': 'export const sleep = 1;\n',
      'client/src/abortable.spec.ts': "import { createServer } from 'node:http';\nexport { createServer };\n",
      'worker/src/worker.ts': "import { Id } from '@cronfleet/shared';\nimport { spawn } from 'node:child_process';\nexport { Id, spawn };\n",
      'cli/src/optional-packages.ts': "export const server = () => require('@cronfleet/apiserver');\nexport const bin = require.resolve('@cronfleet/worker/bin/cronfleet-worker.js');\n",
      'cli/src/main.ts': "import { Command } from 'commander';\nimport { server } from './optional-packages';\nexport { Command, server };\n",
      'shared/src/scheduling/retry.ts': "import { CronExpressionParser } from 'cron-parser';\nimport { jitter } from './jitter';\nexport { CronExpressionParser, jitter };\n",
      'shared/src/scheduling/jitter.ts': 'export const jitter = 1;\n',
      'dashboard/src/main.tsx': "import { createClient } from '@cronfleet/client';\nimport type { T } from './api/types';\nexport const client = createClient;\nexport type U = T;\n",
      'dashboard/src/api/types.tsx': "import type { Id } from '@cronfleet/shared/api';\nexport type T = Id;\n",
      'apiserver/src/tasks/tasks.service.ts': "import { Injectable } from '@nestjs/common';\nimport { retry } from '@cronfleet/shared';\n@Injectable() export class TasksService {}\n",
      ...files,
    };
    for (const [path, text] of Object.entries(all)) {
      mkdirSync(dirname(join(root, path)), { recursive: true });
      writeFileSync(join(root, path), text);
    }
    return root;
  }
  const none = { knownCycles: {} };

  it('passes a tree that keeps the rules', () => {
    assert.deepEqual(check.checkImports(tree({}), none).violations, []);
  });

  it('fails on a forbidden import with exit code 1, naming the file, the import and the rule', () => {
    const root = tree({ 'shared/src/protocol.ts': "import { z } from 'zod';\nimport type { WorkerConfig } from '@cronfleet/worker';\nexport const Id = z.number();\n" });
    const { code, stderr } = run([root]);
    assert.equal(code, 1);
    assert.match(
      stderr,
      /^shared\/src\/protocol\.ts:2: import '@cronfleet\/worker' \(worker\/\) breaks rule shared-stands-alone: shared\/ imports nothing of the server, the worker, the client, the CLI or the dashboard$/m,
    );
  });

  it('counts type-only, dynamic, re-exported, required and require.resolve() imports, and relative paths into another package', () => {
    const root = tree({
      'shared/src/scheduling/retry.ts': "import type { Repository } from 'typeorm';\nimport { jitter } from './jitter';\nexport { jitter };\nexport type R = Repository<object>;\n",
      'shared/src/scheduling/jitter.ts': "export * from '../../../apiserver/src/tasks/tasks.service';\nexport const jitter = 1;\n",
      'worker/src/worker.ts': "export const load = () => import('../../apiserver/src/tasks/tasks.service');\n",
      'worker/bin/cronfleet-worker.js': "require('@cronfleet/apiserver');\n",
      'apiserver/src/tasks/tasks.service.ts': "export const where = require.resolve('@cronfleet/worker/package.json');\nexport type T = import('socket.io').Socket;\n",
    });
    assert.deepEqual(check.checkImports(root, none).violations, [
      "apiserver/src/tasks/tasks.service.ts:1: import '@cronfleet/worker/package.json' (worker/package.json) breaks rule server-knows-no-worker: the server imports nothing of the worker package (it knows workers only through the protocol in shared/)",
      "shared/src/scheduling/jitter.ts:1: import '../../../apiserver/src/tasks/tasks.service' (apiserver/src/tasks/tasks.service.ts) breaks rule kernel-is-pure: the scheduling kernel (schedules, cron, time zones, retry, jitter, misfire, worker choice) imports no framework and nothing else: only its own files, cron-parser and Node",
      "shared/src/scheduling/jitter.ts:1: import '../../../apiserver/src/tasks/tasks.service' (apiserver/src/tasks/tasks.service.ts) breaks rule shared-stands-alone: shared/ imports nothing of the server, the worker, the client, the CLI or the dashboard",
      "shared/src/scheduling/retry.ts:1: import 'typeorm' (npm:typeorm) breaks rule kernel-is-pure: the scheduling kernel (schedules, cron, time zones, retry, jitter, misfire, worker choice) imports no framework and nothing else: only its own files, cron-parser and Node",
      "worker/bin/cronfleet-worker.js:1: import '@cronfleet/apiserver' (apiserver/) breaks rule worker-knows-no-server: the worker package imports nothing of the server, the CLI or the dashboard (it knows the server only through the protocol in shared/)",
      "worker/src/worker.ts:1: import '../../apiserver/src/tasks/tasks.service' (apiserver/src/tasks/tasks.service.ts) breaks rule worker-knows-no-server: the worker package imports nothing of the server, the CLI or the dashboard (it knows the server only through the protocol in shared/)",
    ]);
  });

  it('keeps the CLI off the server, the worker, Nest and TypeORM but in its one exception, and the server off the CLI', () => {
    const root = tree({
      'cli/src/main.ts': "import type { RunningServer } from '@cronfleet/apiserver/dist/main';\nexport const run = () => import('@cronfleet/worker');\nexport type S = RunningServer;\n",
      'cli/src/views.ts': "import { Repository } from 'typeorm';\nimport { Injectable } from '@nestjs/common';\nexport { Injectable, Repository };\n",
      'apiserver/src/tasks/tasks.service.ts': "import { parseTaskFile } from '@cronfleet/cli/dist/task-file';\nexport { parseTaskFile };\n",
    });
    const cliRule = 'the CLI imports nothing of the server, the worker or the dashboard, nor Nest or TypeORM (it knows the server through its REST API, typed by shared/)';
    assert.deepEqual(check.checkImports(root, none).violations, [
      "apiserver/src/tasks/tasks.service.ts:1: import '@cronfleet/cli/dist/task-file' (cli/dist/task-file) breaks rule server-knows-no-cli: the server imports nothing of the CLI package (what both need, such as job file checks, is in shared/)",
      `cli/src/main.ts:1: import '@cronfleet/apiserver/dist/main' (apiserver/dist/main) breaks rule cli-knows-no-server: ${cliRule}`,
      `cli/src/main.ts:2: import '@cronfleet/worker' (worker/) breaks rule cli-knows-no-server: ${cliRule}`,
      `cli/src/views.ts:1: import 'typeorm' (npm:typeorm) breaks rule cli-knows-no-server: ${cliRule}`,
      `cli/src/views.ts:2: import '@nestjs/common' (npm:@nestjs/common) breaks rule cli-knows-no-server: ${cliRule}`,
    ]);
  });

  it('fails on a Node module or server code in the client outside its tests', () => {
    const root = tree({
      'client/src/transport.ts': "import { request } from 'node:http';\nimport type { TaskView } from '@cronfleet/apiserver/src/tasks/dto/task.dto';\nimport { z } from 'zod';\nexport { request, z };\nexport type T = TaskView;\n",
    });
    const what =
      "the client package imports only its own files and @cronfleet/shared/api (shared's browser-safe entry): no Node module and nothing of the server, the worker or the dashboard, so apps and browsers run it alike";
    assert.deepEqual(check.checkImports(root, none).violations, [
      `client/src/transport.ts:1: import 'node:http' (node:http) breaks rule client-runs-anywhere: ${what}`,
      `client/src/transport.ts:2: import '@cronfleet/apiserver/src/tasks/dto/task.dto' (apiserver/src/tasks/dto/task.dto) breaks rule client-runs-anywhere: ${what}`,
      `client/src/transport.ts:3: import 'zod' (npm:zod) breaks rule client-runs-anywhere: ${what}`,
    ]);
  });

  it("fails on Node, OpenTelemetry, yaml or shared's Node entry anywhere browsers reach, naming the import that brings it in", () => {
    const root = tree({
      'shared/src/api/index.ts': "export * from '../protocol';\nexport * from './pattern';\n",
      'shared/src/api/pattern.ts': "import { Script } from 'node:vm';\nimport { parse } from 'yaml';\nexport { Script, parse };\n",
      'client/src/create-client.ts': "import { fullPath } from '@cronfleet/shared';\nexport { fullPath };\n",
      'dashboard/src/api/types.tsx': "import type { Id } from '@cronfleet/shared';\nexport type T = Id;\n",
      // Not reached from an entry: the Node entry's own tracing and a Node-only module of shared/src/api.
      'shared/src/api/vm-test.ts': "import { Script } from 'node:vm';\nexport { Script };\n",
    });
    const what =
      "what browsers run (the dashboard, the client, and @cronfleet/shared/api with all it imports) imports no Node module, nothing of OpenTelemetry or yaml, neither shared's tracing nor its Node entry: the dashboard bundles it as it is";
    assert.deepEqual(
      check.checkImports(root, none).violations.filter((v) => !v.includes('client-runs-anywhere')),
      [
        `client/src/create-client.ts:1: import '@cronfleet/shared' (shared/src/index.ts) breaks rule browser-safe: ${what}`,
        `dashboard/src/api/types.tsx:1: import '@cronfleet/shared' (shared/src/index.ts) breaks rule browser-safe: ${what}`,
        `shared/src/api/pattern.ts:1: import 'node:vm' (node:vm) breaks rule browser-safe: ${what}`,
        `shared/src/api/pattern.ts:2: import 'yaml' (npm:yaml) breaks rule browser-safe: ${what}`,
      ],
    );
  });

  it('fails on a new cycle between server folders, naming it, and on a listed cycle that is gone', () => {
    const root = tree({
      'apiserver/src/workers/registry.ts': "import type { TasksService } from '../tasks/tasks.service';\nexport type R = TasksService;\n",
      'apiserver/src/tasks/tasks.service.ts': "import { R } from '../workers/registry';\nexport type S = R;\n",
    });
    assert.deepEqual(check.checkImports(root, { knownCycles: { jobfiles: ['cronjobs'] } }).violations, [
      "apiserver/src/tasks/tasks.service.ts:1: import '../workers/registry' (tasks -> workers) closes the cycle tasks -> workers -> tasks between server folders, breaking rule no-new-folder-cycles: no import cycle between server folders but the ones KNOWN_CYCLES lists, and those may not grow",
      "apiserver/src/workers/registry.ts:1: import '../tasks/tasks.service' (workers -> tasks) closes the cycle workers -> tasks -> workers between server folders, breaking rule no-new-folder-cycles: no import cycle between server folders but the ones KNOWN_CYCLES lists, and those may not grow",
      'KNOWN_CYCLES lists jobfiles -> cronjobs, which no import makes any more: remove it',
    ]);
    assert.deepEqual(check.checkImports(root, { knownCycles: { tasks: ['workers'], workers: ['tasks'] } }).violations, []);
  });

  it('fails on an import of the top of apiserver/src from a folder, on an unused exception and on a rule that applies to no file', () => {
    const root = tree({
      'apiserver/src/server-cli.ts': 'export const main = 1;\n',
      'apiserver/src/tasks/tasks.service.ts': "import { main } from '../server-cli';\nexport { main };\n",
      'cli/src/optional-packages.ts': 'export const server = null;\n',
    });
    rmSync(join(root, 'shared'), { recursive: true });
    assert.deepEqual(check.checkImports(root, none).violations, [
      "apiserver/src/tasks/tasks.service.ts:1: import '../server-cli' (apiserver/src/server-cli.ts) breaks rule composition-root-on-top: no server folder imports the files at the top of apiserver/src (the module tree, the entity list, the server's start, the command, the package's exports): they import the folders, not the other way round",
      "client/src/create-client.ts:1: import '@cronfleet/shared/api' (shared/api) breaks rule client-runs-anywhere: the client package imports only its own files and @cronfleet/shared/api (shared's browser-safe entry): no Node module and nothing of the server, the worker or the dashboard, so apps and browsers run it alike",
      'rule browser-safe: its entry shared/src/api/index.ts is not a source file: the rule is stale',
      'rule kernel-is-pure applies to no file: its files pattern is stale',
      'rule shared-stands-alone applies to no file: its files pattern is stale',
      'rule cli-knows-no-server: the exception for cli/src/optional-packages.ts is no longer needed: remove it',
    ]);
  });
});
