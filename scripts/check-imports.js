#!/usr/bin/env node
// The import rules of the source tree, written once here, checked over the TypeScript sources and
// the bins (type-only imports count: they tie code together as much as any other). Run in the unit
// tier by scripts/check-imports.spec.ts, so `npm test` fails on a forbidden import, naming the
// file, the import and the rule.
// Usage: node scripts/check-imports.js [--graph] [ROOT]   (--graph also prints the server folders'
// import graph and its cycles; ROOT defaults to the repository)
'use strict';

// --- The rules -----------------------------------------------------------------------------------
// An import resolves to a target: a path in the repository, `npm:<package>` or `node:<module>`. A
// workspace package's entry is the source file it is built from (`@cronfleet/shared/api` is
// `shared/src/api/index.ts`: its package.json `exports`, or `main`, with dist/ read as src/), any other
// path in it that path (`@cronfleet/worker/bin/x.js` is `worker/bin/x.js`). A pattern matches a target
// equal to it or under it (`apiserver/` matches every file of the server, `npm:typeorm` the package
// and its subpaths). Rules apply to the files under `files` (or matching it, a RegExp; or, given as
// `{ reachableFrom }`, every file those files import, directly or through others), tests included
// unless `tests: false`; `forbid` lists what they may not import, `only` all they may import.
const RULES = [
  {
    id: 'kernel-is-pure',
    what: 'the scheduling kernel (schedules, cron, time zones, retry, jitter, misfire, worker choice) imports no framework and nothing else: only its own files, cron-parser and Node',
    files: 'shared/src/scheduling/',
    tests: false,
    only: ['shared/src/scheduling/', 'npm:cron-parser', 'node:'],
  },
  {
    id: 'worker-knows-no-server',
    what: 'the worker package imports nothing of the server, the CLI or the dashboard (it knows the server only through the protocol in shared/)',
    files: 'worker/',
    forbid: ['apiserver/', 'cli/', 'dashboard/'],
  },
  {
    id: 'shared-stands-alone',
    what: 'shared/ imports nothing of the server, the worker, the client, the CLI or the dashboard',
    files: 'shared/',
    forbid: ['apiserver/', 'worker/', 'client/', 'cli/', 'dashboard/'],
  },
  {
    id: 'client-runs-anywhere',
    what: "the client package imports only its own files and @cronfleet/shared/api (shared's browser-safe entry): no Node module and nothing of the server, the worker or the dashboard, so apps and browsers run it alike",
    files: 'client/src/',
    tests: false,
    only: ['client/src/', 'shared/src/api/index.ts'],
  },
  {
    id: 'browser-safe',
    what: "what browsers run (the dashboard, the client, and @cronfleet/shared/api with all it imports) imports no Node module, nothing of OpenTelemetry or yaml, neither shared's tracing nor its Node entry: the dashboard bundles it as it is",
    files: { reachableFrom: ['dashboard/src/main.tsx', 'client/src/index.ts', 'shared/src/api/index.ts'] },
    forbid: ['node:', 'npm:@opentelemetry/', 'npm:yaml', 'shared/src/tracing/tracing.ts', 'shared/src/tracing/otel-sdk.ts', 'shared/src/index.ts'],
  },
  {
    id: 'dashboard-knows-only-the-contract',
    what: 'the dashboard imports nothing of the server, the worker or the CLI: it calls the server through @cronfleet/client, typed by the schemas of @cronfleet/shared/api',
    files: 'dashboard/',
    forbid: ['apiserver/', 'worker/', 'cli/'],
  },
  {
    id: 'server-knows-no-worker',
    what: 'the server imports nothing of the worker package (it knows workers only through the protocol in shared/)',
    files: 'apiserver/',
    forbid: ['worker/'],
  },
  {
    id: 'server-knows-no-cli',
    what: 'the server imports nothing of the CLI package (what both need, such as job file checks, is in shared/)',
    files: 'apiserver/',
    forbid: ['cli/'],
  },
  {
    id: 'cli-knows-no-server',
    what: 'the CLI imports nothing of the server, the worker or the dashboard, nor Nest or TypeORM (it knows the server through its REST API, typed by shared/)',
    files: 'cli/',
    forbid: ['apiserver/', 'worker/', 'dashboard/', 'npm:@nestjs/', 'npm:typeorm'],
    exceptions: [
      {
        file: 'cli/src/optional-packages.ts',
        why: '`cronfleet server` and `cronfleet worker` run the commands of @cronfleet/apiserver and @cronfleet/worker, and `--local-worker` the worker bin: loaded at run time where Node finds them installed beside the CLI, typed by the interfaces in shared/src/commands/package-commands.ts, never compiled against or depended on',
      },
    ],
  },
  {
    id: 'composition-root-on-top',
    what: "no server folder imports the files at the top of apiserver/src (the module tree, the entity list, the server's start, the command, the package's exports): they import the folders, not the other way round",
    files: /^apiserver\/src\/[^/]+\//,
    tests: false,
    forbid: ['apiserver/src/app.module.ts', 'apiserver/src/entities.ts', 'apiserver/src/main.ts', 'apiserver/src/server-cli.ts', 'apiserver/src/index.ts'],
  },
];

// Import cycles between the server's folders (apiserver/src/<folder> -> <folder>, tests left out) that
// are allowed, each folder on one listed with the folders it imports inside its knot. Issue 19 removed
// the last of them: the list is empty, so any import that closes a cycle fails the check. (An edge
// listed here that no longer lies on a cycle fails it too, so the list can only shrink.)
const KNOWN_CYCLES = {};

// --- The check -------------------------------------------------------------------------------------
const { readdirSync, readFileSync, statSync, existsSync } = require('node:fs');
const { builtinModules } = require('node:module');
const { dirname, join, relative, resolve, sep } = require('node:path');

/** Where the sources are: each package's src/ and test/, and its bin/ (plain JavaScript). */
const SOURCE_DIRS = ['shared/src', 'client/src', 'client/test', 'worker/src', 'worker/bin', 'worker/test', 'apiserver/src', 'apiserver/bin', 'apiserver/test', 'cli/src', 'cli/bin', 'dashboard/src'];
const WORKSPACES = { '@cronfleet/shared': 'shared', '@cronfleet/client': 'client', '@cronfleet/worker': 'worker', '@cronfleet/apiserver': 'apiserver', '@cronfleet/cli': 'cli', '@cronfleet/dashboard': 'dashboard' };
const SERVER = 'apiserver/src/';

const isTest = (file) => /\.spec\.ts$/.test(file) || /(^|\/)(test|test-support)\//.test(file);

function sourceFiles(root) {
  const out = [];
  const walk = (dir) => {
    if (!existsSync(join(root, dir))) return;
    for (const name of readdirSync(join(root, dir))) {
      const p = `${dir}/${name}`;
      if (statSync(join(root, p)).isDirectory()) walk(p);
      else if (/\.(ts|tsx|js)$/.test(name) && !name.endsWith('.d.ts')) out.push(p);
    }
  };
  SOURCE_DIRS.forEach(walk);
  return out.sort();
}

/** Every module specifier a file names: import and export from, import(), require(), require.resolve(), import('x').T. */
function importsOf(ts, file, text) {
  const sf = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, false, file.endsWith('.js') ? ts.ScriptKind.JS : file.endsWith('.tsx') ? ts.ScriptKind.TSX : ts.ScriptKind.TS);
  const found = [];
  const add = (lit, typeOnly = false) => {
    if (lit && ts.isStringLiteralLike(lit)) found.push({ specifier: lit.text, line: sf.getLineAndCharacterOfPosition(lit.getStart(sf)).line + 1, typeOnly });
  };
  /** import type { A }, import { type A, type B }, export type { A } from: gone from the compiled code. */
  const typeOnly = (node) => {
    if (ts.isExportDeclaration(node)) return node.isTypeOnly || (!!node.exportClause && ts.isNamedExports(node.exportClause) && node.exportClause.elements.length > 0 && node.exportClause.elements.every((e) => e.isTypeOnly));
    const clause = node.importClause;
    if (!clause) return false;
    if (clause.isTypeOnly) return true;
    const named = clause.namedBindings;
    return !clause.name && !!named && ts.isNamedImports(named) && named.elements.length > 0 && named.elements.every((e) => e.isTypeOnly);
  };
  const visit = (node) => {
    if (ts.isImportDeclaration(node) || ts.isExportDeclaration(node)) add(node.moduleSpecifier, typeOnly(node));
    else if (ts.isImportEqualsDeclaration(node) && ts.isExternalModuleReference(node.moduleReference)) add(node.moduleReference.expression, node.isTypeOnly);
    else if (ts.isImportTypeNode(node) && ts.isLiteralTypeNode(node.argument)) add(node.argument.literal, true);
    else if (ts.isCallExpression(node)) {
      const callee = node.expression;
      const isRequire = ts.isIdentifier(callee) && callee.text === 'require';
      const isResolve = ts.isPropertyAccessExpression(callee) && ts.isIdentifier(callee.expression) && callee.expression.text === 'require' && callee.name.text === 'resolve';
      if (callee.kind === ts.SyntaxKind.ImportKeyword || isRequire || isResolve) add(node.arguments[0]);
    }
    ts.forEachChild(node, visit);
  };
  visit(sf);
  return found;
}

/** The target of a specifier named in `file` (both relative to the repository, with / separators). */
function targetOf(root, file, specifier) {
  if (specifier.startsWith('.')) {
    const path = relative('/', resolve('/', dirname(file), specifier)).split(sep).join('/');
    return [`${path}.ts`, `${path}.tsx`, `${path}/index.ts`, `${path}/index.tsx`, path.replace(/\.js$/, '.ts')].find((p) => p !== path && existsSync(join(root, p))) ?? path;
  }
  const bare = specifier.replace(/^node:/, '');
  if (specifier.startsWith('node:') || builtinModules.includes(bare.split('/')[0])) return `node:${bare}`;
  const parts = specifier.split('/');
  const name = specifier.startsWith('@') ? parts.slice(0, 2).join('/') : parts[0];
  const rest = parts.slice(specifier.startsWith('@') ? 2 : 1).join('/');
  if (WORKSPACES[name]) return entrySource(root, WORKSPACES[name], rest) ?? `${WORKSPACES[name]}/${rest}`;
  return `npm:${specifier}`;
}

/**
 * The source file of entry `sub` ('' for the package itself) of the workspace in `folder`: what its
 * package.json `exports` (or `main`) names, dist/ read as src/ and .js as .ts; null when it names none.
 */
function entrySource(root, folder, sub) {
  let manifest;
  try {
    manifest = JSON.parse(readFileSync(join(root, folder, 'package.json'), 'utf8'));
  } catch {
    return null;
  }
  let entry = manifest.exports?.[sub ? `./${sub}` : '.'] ?? (sub ? undefined : manifest.main);
  if (entry && typeof entry === 'object') entry = entry.default;
  if (typeof entry !== 'string') return null;
  const source = `${folder}/${entry.replace(/^\.\//, '').replace(/^dist\//, 'src/').replace(/\.js$/, '.ts')}`;
  return existsSync(join(root, source)) ? source : null;
}

/**
 * The files of `all` (file -> its imports' targets) that `entries` import, directly or through others,
 * the entries included; not through a target `bad` refuses (that import is the one to report).
 */
function reachableFrom(entries, all, bad) {
  const seen = new Set();
  const stack = entries.filter((e) => all.has(e));
  while (stack.length) {
    const file = stack.pop();
    if (seen.has(file)) continue;
    seen.add(file);
    for (const target of all.get(file)) if (all.has(target) && !seen.has(target) && !bad(target)) stack.push(target);
  }
  return seen;
}

const matches = (target, pattern) => target === pattern || target.startsWith(/[/:]$/.test(pattern) ? pattern : `${pattern}/`);
/** Whether `rule` forbids importing `target`. */
const refuses = (rule, target) => (rule.only ? !rule.only.some((p) => matches(target, p)) : rule.forbid.some((p) => matches(target, p)));

/** The server folder a path lies in ('tasks' for apiserver/src/tasks/x), or null for other paths and the files at the top of src/. */
function serverFolder(path) {
  if (!path.startsWith(SERVER)) return null;
  const rest = path.slice(SERVER.length).split('/');
  return rest.length > 1 ? rest[0] : null;
}

/** Strongly connected components with more than one folder (Tarjan), each sorted, sorted by first folder. */
function cyclesOf(edges) {
  const nodes = [...new Set([...edges.keys()].flatMap((k) => k.split(' -> ')))].sort();
  const next = new Map(nodes.map((n) => [n, []]));
  for (const k of edges.keys()) {
    const [a, b] = k.split(' -> ');
    next.get(a).push(b);
  }
  let index = 0;
  const idx = new Map(), low = new Map(), stack = [], onStack = new Set(), sccs = [];
  const connect = (v) => {
    idx.set(v, index); low.set(v, index); index++;
    stack.push(v); onStack.add(v);
    for (const w of next.get(v)) {
      if (!idx.has(w)) { connect(w); low.set(v, Math.min(low.get(v), low.get(w))); }
      else if (onStack.has(w)) low.set(v, Math.min(low.get(v), idx.get(w)));
    }
    if (low.get(v) === idx.get(v)) {
      const scc = [];
      let w;
      do { w = stack.pop(); onStack.delete(w); scc.push(w); } while (w !== v);
      if (scc.length > 1) sccs.push(scc.sort());
    }
  };
  nodes.forEach((n) => idx.has(n) || connect(n));
  return sccs.sort((x, y) => x[0].localeCompare(y[0]));
}

/** A shortest path of folder edges from `from` to `to`, as a list of folders, or null. */
function pathBetween(edges, from, to) {
  const prev = new Map([[from, null]]);
  const queue = [from];
  while (queue.length) {
    const v = queue.shift();
    if (v === to) break;
    for (const k of edges.keys()) {
      const [a, b] = k.split(' -> ');
      if (a === v && !prev.has(b)) { prev.set(b, v); queue.push(b); }
    }
  }
  if (!prev.has(to)) return null;
  const path = [];
  for (let v = to; v !== null; v = prev.get(v)) path.unshift(v);
  return path;
}

/**
 * Checks the tree under `root`. Returns the violations (one line each, naming the file, the import
 * and the rule), the server folders' import graph (edge 'a -> b' to the imports behind it) and its cycles.
 */
function checkImports(root, { rules = RULES, knownCycles = KNOWN_CYCLES } = {}) {
  const knownCycleEdges = Object.entries(knownCycles).flatMap(([from, tos]) => tos.map((to) => `${from} -> ${to}`));
  const ts = require(require.resolve('typescript', { paths: [root, __dirname] }));
  const violations = [];
  const edges = new Map();
  const ruleFiles = new Map(rules.map((r) => [r.id, 0]));
  const usedExceptions = new Set();
  const importsByFile = new Map(sourceFiles(root).map((file) => [file, importsOf(ts, file, readFileSync(join(root, file), 'utf8')).map((i) => ({ ...i, target: targetOf(root, file, i.specifier) }))]));
  const targets = new Map([...importsByFile].map(([file, imports]) => [file, imports.map((i) => i.target)]));
  const reached = new Map();
  for (const rule of rules) {
    if (!rule.files.reachableFrom) continue;
    reached.set(rule.id, reachableFrom(rule.files.reachableFrom, targets, (target) => refuses(rule, target)));
  }
  const applies = (rule, file) =>
    rule.files instanceof RegExp ? rule.files.test(file) : typeof rule.files === 'string' ? matches(file, rule.files) : reached.get(rule.id).has(file);
  for (const [file, imports] of importsByFile) {
    for (const rule of rules) {
      if (!applies(rule, file) || (rule.tests === false && isTest(file))) continue;
      ruleFiles.set(rule.id, ruleFiles.get(rule.id) + 1);
      const exception = (rule.exceptions ?? []).find((e) => e.file === file);
      for (const { specifier, line, target } of imports) {
        if (!refuses(rule, target)) continue;
        if (exception) { usedExceptions.add(`${rule.id} ${file}`); continue; }
        violations.push(`${file}:${line}: import '${specifier}' (${target}) breaks rule ${rule.id}: ${rule.what}`);
      }
    }
    const from = serverFolder(file);
    if (from && !isTest(file)) {
      for (const { specifier, line, typeOnly, target } of imports) {
        const to = serverFolder(target);
        if (!to || to === from) continue;
        const key = `${from} -> ${to}`;
        if (!edges.has(key)) edges.set(key, []);
        edges.get(key).push({ file, line, specifier, typeOnly });
      }
    }
  }
  for (const rule of rules) {
    for (const entry of rule.files.reachableFrom ?? []) if (!importsByFile.has(entry)) violations.push(`rule ${rule.id}: its entry ${entry} is not a source file: the rule is stale`);
  }
  for (const [id, n] of ruleFiles) if (n === 0) violations.push(`rule ${id} applies to no file: its files pattern is stale`);
  for (const rule of rules) {
    for (const e of rule.exceptions ?? []) {
      if (!usedExceptions.has(`${rule.id} ${e.file}`)) violations.push(`rule ${rule.id}: the exception for ${e.file} is no longer needed: remove it`);
    }
  }

  const cycles = cyclesOf(edges);
  const sccOf = new Map(cycles.flatMap((scc, i) => scc.map((f) => [f, i])));
  const onCycle = (key) => {
    const [a, b] = key.split(' -> ');
    return sccOf.has(a) && sccOf.get(a) === sccOf.get(b);
  };
  const known = new Set(knownCycleEdges);
  for (const [key, where] of edges) {
    if (!onCycle(key) || known.has(key)) continue;
    const [a, b] = key.split(' -> ');
    const cycle = [a, ...pathBetween(edges, b, a)].join(' -> ');
    for (const { file, line, specifier } of where) {
      violations.push(
        `${file}:${line}: import '${specifier}' (${key}) closes the cycle ${cycle} between server folders, breaking rule no-new-folder-cycles: ` +
          'no import cycle between server folders but the ones KNOWN_CYCLES lists, and those may not grow',
      );
    }
  }
  for (const key of knownCycleEdges) {
    if (!edges.has(key)) violations.push(`KNOWN_CYCLES lists ${key}, which no import makes any more: remove it`);
    else if (!onCycle(key)) violations.push(`KNOWN_CYCLES lists ${key}, which lies on no cycle any more: remove it`);
  }
  return { violations, edges, cycles };
}

function main(argv, out = process.stdout, err = process.stderr) {
  const graph = argv.includes('--graph');
  const root = resolve(argv.find((a) => !a.startsWith('--')) ?? join(__dirname, '..'));
  const { violations, edges, cycles } = checkImports(root);
  if (graph) {
    out.write(`server folders' import graph (apiserver/src/<folder> -> <folder>, tests left out): ${edges.size} edges\n`);
    for (const key of [...edges.keys()].sort()) {
      const types = edges.get(key).filter((w) => w.typeOnly).length;
      out.write(`  ${key} (${edges.get(key).length} imports${types ? `, ${types} of types only` : ''})\n`);
    }
    out.write(`cycles (folders importing each other, directly or around): ${cycles.length}\n`);
    for (const scc of cycles) {
      const inside = [...edges.keys()].filter((k) => k.split(' -> ').every((f) => scc.includes(f))).sort();
      out.write(`  {${scc.join(', ')}}: ${inside.join(', ')}\n`);
    }
    out.write('exceptions to the rules:\n');
    for (const rule of RULES) for (const e of rule.exceptions ?? []) out.write(`  ${rule.id}: ${e.file}: ${e.why}\n`);
  }
  for (const v of violations) err.write(`${v}\n`);
  if (violations.length) err.write(`check-imports: ${violations.length} forbidden import(s) or stale rule(s)\n`);
  return violations.length ? 1 : 0;
}

module.exports = { RULES, KNOWN_CYCLES, checkImports, main };
if (require.main === module) process.exitCode = main(process.argv.slice(2));
