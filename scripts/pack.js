#!/usr/bin/env node
// Packs Cronfleet's installable packages into tarballs for `npm install` on other hosts:
//   npm run pack                  build, then pack into dist-packages/
//   node scripts/pack.js [dir]    pack what is built into dir (default dist-packages/)
// A library (no bin: shared, the client) is packed as `npm pack` packs it. A package with a bin (the
// worker, the CLI) is a program installed on its own with `npm install -g`, so its tarball carries
// its whole dependency tree (bundleDependencies), as the repository's package-lock.json has it: the
// versions the tests ran with, nothing looked up in a registry at install (no @cronfleet/* name can
// reach someone else's package), an install that works on a host without registry access. npm packs
// only what is in the package's own node_modules, which a workspace has not: the program is staged
// in a temp dir with a lockfile cut from the repository's (scripts/lockfile-subset.js) and its
// workspace dependencies as tarballs, `npm ci` fills its node_modules from npm's cache, then npm packs
// it. (npm-shrinkwrap.json would pin the tree without carrying it, but npm 12 ignores it: npm/cli#9262.)
// No dependencies: node, npm and tar only.
'use strict';
const { execFileSync } = require('node:child_process');
const { createHash } = require('node:crypto');
const { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } = require('node:fs');
const { tmpdir } = require('node:os');
const { basename, join, relative, resolve } = require('node:path');
const { lockfileSubset } = require('./lockfile-subset');

/** The workspaces packed, libraries before what needs them. */
const PACKAGES = ['shared', 'client', 'worker', 'cli'];

const root = join(__dirname, '..');

/**
 * Packs each of `workspaces` into `dest` and returns what it wrote, in the order given.
 * @returns {{ workspace: string, name: string, version: string, bin: boolean, file: string, size: number }[]}
 */
function packPackages(dest, workspaces = PACKAGES) {
  const byName = workspaceManifests();
  const byFolder = new Map([...byName.values()].map((w) => [w.folder, w]));
  for (const folder of workspaces) {
    const w = byFolder.get(folder);
    if (!w) throw new Error(`'${folder}' is not one of the workspaces in package.json`);
    if (w.manifest.private) throw new Error(`${w.manifest.name} (${folder}/) is private: it is not meant to be installed on its own`);
    checkBuilt(w);
  }
  mkdirSync(dest, { recursive: true });
  const work = mkdtempSync(join(tmpdir(), 'cronfleet-pack-'));
  try {
    const plain = new Map(); // folder -> tarball as npm packs it, in `work`
    const plainTarball = (folder) => {
      if (!plain.has(folder)) plain.set(folder, npmPack(['--workspace', folder], root, work));
      return plain.get(folder);
    };
    return workspaces.map((folder) => {
      const { manifest } = byFolder.get(folder);
      const bin = Boolean(manifest.bin);
      const file = bin ? packProgram(byFolder.get(folder), byName, plainTarball, work, dest) : copyInto(plainTarball(folder), dest);
      return { workspace: folder, name: manifest.name, version: manifest.version, bin, file, size: statSync(file).size };
    });
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

/** The tarball of a package with a bin, with its dependency tree inside. */
function packProgram(w, byName, plainTarball, work, dest) {
  const { manifest, folder } = w;
  const workspaceDeps = workspaceClosure(manifest, byName);
  const stage = join(work, `stage-${folder}`);
  extract(plainTarball(folder), stage);

  // The published manifest keeps what an installer reads; devDependencies would only make npm ci
  // below look for packages the lockfile rightly lacks.
  const staged = JSON.parse(readFileSync(join(stage, 'package.json'), 'utf8'));
  delete staged.devDependencies;
  writeJson(join(stage, 'package.json'), staged);
  const lock = JSON.parse(readFileSync(join(root, 'package-lock.json'), 'utf8'));
  const packages = lockfileSubset(lock, [
    { workspace: folder, location: '', entry: rootEntry(staged) },
    ...workspaceDeps.map((d) => {
      const tarball = plainTarball(d.folder);
      return { workspace: d.folder, location: `node_modules/${d.manifest.name}`, entry: { resolved: `file:${relative(stage, tarball)}`, integrity: sri(tarball) } };
    }),
  ]);
  writeJson(join(stage, 'package-lock.json'), { name: staged.name, version: staged.version, lockfileVersion: 3, requires: true, packages });
  // From npm's cache, which `npm ci` in the repository filled; the registry only for what it lacks.
  // No dependency's install script runs: a bundled package's never does where it is installed either.
  execFileSync('npm', ['ci', '--omit=dev', '--ignore-scripts', '--prefer-offline', '--no-audit', '--no-fund', '--loglevel=error'], { cwd: stage, stdio: ['ignore', 'ignore', 'inherit'] });

  pruneForRunning(join(stage, 'node_modules'));
  denyScripts(join(stage, 'node_modules'), packages);
  staged.bundleDependencies = Object.keys(staged.dependencies ?? {});
  writeJson(join(stage, 'package.json'), staged);
  const file = npmPack([], stage, dest);
  const listed = new Set(tarList(file));
  const missing = Object.keys(packages).filter((loc) => loc !== '' && !packages[loc].optional && !listed.has(`package/${loc}/package.json`));
  if (missing.length) throw new Error(`${file} lacks ${missing.length} bundled package(s), e.g. ${missing[0]}`);
  return file;
}

/**
 * Deletes from the bundled third-party packages what running them never reads (about half their
 * size), as the worker's image does: source maps and TypeScript (sources and declarations). Every
 * package.json stays, so npm finds each bundled package it expects. @cronfleet/* keep their types.
 */
function pruneForRunning(nodeModules) {
  for (const f of files(nodeModules)) {
    if (/\.(map|ts|mts|cts)$/.test(f) && !relative(nodeModules, f).startsWith('@cronfleet/')) rmSync(f);
  }
}

/**
 * The repository's package.json says whose install scripts never run here (allowScripts: false, e.g.
 * the optional native builds of ssh2 and cpu-features, half a minute of compiling that nothing
 * needs); npm runs a bundled package's scripts where the tarball is installed, so the bundled copies
 * lose theirs (gypfile: false, or npm would run node-gyp for a binding.gyp). The package installs
 * as it does in the repository, where the tests ran.
 */
function denyScripts(nodeModules, packages) {
  const { allowScripts = {} } = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
  const denied = new Set(Object.entries(allowScripts).filter(([, allowed]) => allowed === false).map(([name]) => name));
  for (const loc of Object.keys(packages)) {
    const name = loc.slice(loc.lastIndexOf('node_modules/') + 'node_modules/'.length);
    if (!denied.has(name) || !existsSync(join(nodeModules, '..', loc, 'package.json'))) continue;
    const file = join(nodeModules, '..', loc, 'package.json');
    const manifest = JSON.parse(readFileSync(file, 'utf8'));
    for (const script of ['preinstall', 'install', 'postinstall']) delete manifest.scripts?.[script];
    manifest.gypfile = false;
    writeJson(file, manifest);
  }
}

/** The lockfile's entry for the package itself, from the package.json it is packed with. */
function rootEntry(m) {
  const scripts = m.scripts ?? {};
  const entry = { name: m.name, version: m.version };
  if (scripts.preinstall || scripts.install || scripts.postinstall) entry.hasInstallScript = true;
  for (const key of ['license', 'bin', 'dependencies', 'optionalDependencies', 'peerDependencies', 'bundleDependencies', 'engines']) {
    if (m[key] !== undefined) entry[key] = m[key];
  }
  return entry;
}

/** The workspaces `manifest` depends on, directly or through another workspace. */
function workspaceClosure(manifest, byName) {
  const out = new Map();
  const visit = (m) => {
    for (const name of Object.keys({ ...m.dependencies, ...m.optionalDependencies })) {
      const w = byName.get(name);
      if (!w || out.has(name)) continue;
      if (m.dependencies?.[name] !== w.manifest.version) {
        throw new Error(`${m.name} depends on ${name}@${m.dependencies?.[name]}, but the workspace is ${w.manifest.version}: internal versions are exact`);
      }
      out.set(name, w);
      visit(w.manifest);
    }
  };
  visit(manifest);
  return [...out.values()];
}

/** name -> { folder, manifest } for each workspace of the root package.json. */
function workspaceManifests() {
  const rootManifest = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
  return new Map(
    rootManifest.workspaces.map((folder) => {
      const manifest = JSON.parse(readFileSync(join(root, folder, 'package.json'), 'utf8'));
      return [manifest.name, { folder, manifest }];
    }),
  );
}

/**
 * Refuses a package that is not built: its main, types and bins must exist, and no compiled file
 * may be left from a source that is gone (it would be shipped). Whether dist/ is as new as src/ is
 * tsc's to know: `npm run pack` builds first.
 */
function checkBuilt({ folder, manifest }) {
  const dir = join(root, folder);
  const again = `build it (npm run build), or use npm run pack`;
  const required = [manifest.main, manifest.types, ...Object.values(manifest.bin ?? {})].filter(Boolean);
  for (const f of required) if (!existsSync(join(dir, f))) throw new Error(`${folder}/${f} is missing: ${again}`);
  const src = join(dir, 'src');
  const dist = join(dir, 'dist');
  if (!existsSync(src)) return;
  const built = files(dist).filter((f) => f.endsWith('.js'));
  const orphans = built.filter((f) => !existsSync(join(src, relative(dist, f)).replace(/\.js$/, '.ts')));
  if (orphans.length) throw new Error(`${folder}/dist holds ${relative(root, orphans[0])}, whose source is gone: rm -rf ${folder}/dist, then ${again}`);
}

function files(dir) {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile())
    .map((e) => join(e.parentPath ?? e.path, e.name));
}

/** `npm pack [args]` run in `cwd` into `dest`; returns the tarball's path. */
function npmPack(args, cwd, dest) {
  const out = execFileSync('npm', ['pack', ...args, '--json', '--pack-destination', dest, '--loglevel=error'], { cwd, encoding: 'utf8' });
  const [result] = JSON.parse(out);
  return join(dest, result.filename);
}

/** The Subresource Integrity string of a file, as lockfiles give a tarball's. */
function sri(file) {
  return `sha512-${createHash('sha512').update(readFileSync(file)).digest('base64')}`;
}

function writeJson(file, value) {
  writeFileSync(file, `${JSON.stringify(value, null, 2)}\n`);
}

function extract(tarball, into) {
  mkdirSync(into, { recursive: true });
  execFileSync('tar', ['-xzf', tarball, '-C', into, '--strip-components=1']);
}

function tarList(tarball) {
  return execFileSync('tar', ['-tzf', tarball], { encoding: 'utf8', maxBuffer: 64 << 20 }).split('\n').filter(Boolean);
}

function copyInto(file, dir) {
  const to = join(dir, basename(file));
  copyFileSync(file, to);
  return to;
}

function main() {
  const dest = resolve(process.argv[2] ?? join(root, 'dist-packages'));
  let packed;
  try {
    packed = packPackages(dest);
  } catch (e) {
    console.error(`pack: ${e.message}`);
    process.exit(1);
  }
  for (const p of packed) {
    const how = p.bin ? `npm install -g ${p.file}` : 'a library: npm install it into a project';
    console.log(`${p.file}  ${(p.size / 1024).toFixed(1)} kB  (${p.name}@${p.version}; ${how})`);
  }
}

if (require.main === module) main();

module.exports = { PACKAGES, packPackages };
