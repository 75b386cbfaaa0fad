// Cuts a lockfile for a package, or for a project of packed packages, out of the repository's
// package-lock.json: the dependency tree `npm ci` installed and the tests ran against, re-rooted.
// scripts/pack.js writes it as the npm-shrinkwrap.json of a package with a bin (the worker, the CLI),
// so that `npm install -g` of its tarball installs exactly that tree: npm resolves locked versions
// with the abbreviated metadata `npm ci` caches, where a fresh resolution asks the registry for the
// full metadata (npm/cli#7465), which is why a lockfile-less `npm install --offline` cannot work.
// The e2e test of the packages writes one as a temp project's package-lock.json.
// No dependencies: node only.
'use strict';

const FLAGS_TO_RECOMPUTE = ['dev', 'devOptional', 'peer', 'optional', 'extraneous', 'inBundle'];

/**
 * @typedef {object} Placement
 * @property {string} workspace the workspace folder in the repository, e.g. 'shared'
 * @property {string} location where it sits in the new tree: '' for the root, else 'node_modules/<name>'
 * @property {object} [entry] fields that replace those of its entry in the repository's lockfile
 *   (the package.json it is packed with; resolved and integrity; inBundle)
 */

/**
 * The `packages` map of a lockfile whose tree holds the given workspaces where `placements` say,
 * with every registry package they need (dependencies, optional and peer dependencies, never dev),
 * each where the repository's tree has it, moved along with a workspace when it sits under one.
 * `root` is the entry for '' when no placement is the root. Throws when the moved tree would not
 * resolve a dependency to the same package as the repository's tree does.
 * @param {{ packages: Record<string, any> }} lock the repository's package-lock.json (v2 or v3)
 * @param {Placement[]} placements
 * @param {object} [root]
 */
function lockfileSubset(lock, placements, root) {
  const old = lock.packages;
  const byWorkspace = new Map(placements.map((p) => [p.workspace, p]));
  /** old location -> new location */
  const moved = new Map();
  const newLocation = (oldLoc) => {
    for (const p of placements) {
      if (oldLoc === p.workspace) return p.location;
      if (oldLoc.startsWith(`${p.workspace}/`)) return join(p.location, oldLoc.slice(p.workspace.length + 1));
    }
    return oldLoc;
  };
  const target = (loc) => (old[loc]?.link ? old[loc].resolved : loc);

  // Breadth first from each workspace, over required edges first, so that what only optional
  // edges reach is marked optional, as npm marks it.
  const required = new Set();
  const reached = new Set();
  for (const optionalToo of [false, true]) {
    const seen = optionalToo ? reached : required;
    const queue = placements.map((p) => p.workspace);
    for (const w of queue) seen.add(w);
    while (queue.length) {
      const from = queue.shift();
      for (const [name, optional] of edges(old[from], optionalToo)) {
        const found = resolve(old, from, name);
        if (found === null) {
          if (optional) continue;
          throw new Error(`${from || 'the root'} needs ${name}, which the repository's package-lock.json does not have: run npm install`);
        }
        const loc = target(found);
        if (old[found].link && !byWorkspace.has(loc)) throw new Error(`${from} needs the workspace ${loc} (${name}), which is not packed with it`);
        if (!seen.has(loc)) {
          seen.add(loc);
          queue.push(loc);
        }
      }
    }
  }

  const packages = {};
  if (root) packages[''] = root;
  for (const loc of reached) {
    const placement = byWorkspace.get(loc);
    const to = newLocation(loc);
    if (to in packages) throw new Error(`${loc} and another package would both sit at '${to}'`);
    moved.set(loc, to);
    const entry = { ...old[loc] };
    for (const flag of FLAGS_TO_RECOMPUTE) delete entry[flag];
    delete entry.devDependencies;
    if (!required.has(loc)) entry.optional = true;
    Object.assign(entry, placement?.entry);
    packages[to] = entry;
  }
  // The moved tree must resolve every dependency as the repository's does.
  for (const loc of reached) {
    for (const [name] of edges(old[loc], true)) {
      const was = resolve(old, loc, name);
      if (was === null) continue;
      const now = resolve(packages, moved.get(loc), name);
      const expected = moved.get(target(was));
      if (now !== expected) throw new Error(`${name}, needed by ${loc}, would resolve to '${now}' instead of '${expected}' in the new tree`);
    }
  }
  return Object.fromEntries(Object.entries(packages).sort(([a], [b]) => (a === '' ? -1 : b === '' ? 1 : a < b ? -1 : 1)));
}

/** [name, optional] for each runtime dependency of a lockfile entry (peer dependencies npm installs too). */
function edges(entry, optionalToo) {
  const out = Object.keys(entry.dependencies ?? {}).map((n) => [n, false]);
  for (const n of Object.keys(entry.peerDependencies ?? {})) out.push([n, Boolean(entry.peerDependenciesMeta?.[n]?.optional)]);
  if (optionalToo) for (const n of Object.keys(entry.optionalDependencies ?? {})) out.push([n, true]);
  return optionalToo ? out : out.filter(([, optional]) => !optional);
}

/** Node's lookup over lockfile locations: `<from>/node_modules/<name>`, then each folder above. */
function resolve(packages, from, name) {
  for (let dir = from; ; dir = parentPackage(dir)) {
    const loc = join(dir, `node_modules/${name}`);
    if (loc in packages) return loc;
    if (dir === '') return null;
  }
}

/** The package folder that holds `loc`: 'node_modules/a/node_modules/@s/b' -> 'node_modules/a'; a workspace -> ''. */
function parentPackage(loc) {
  const i = loc.lastIndexOf('node_modules/');
  return i <= 0 ? '' : loc.slice(0, i - 1);
}

function join(a, b) {
  return a === '' ? b : `${a}/${b}`;
}

module.exports = { lockfileSubset };
