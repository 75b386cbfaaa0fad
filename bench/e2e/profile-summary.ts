// `node build/bench/e2e/profile-summary.js <file.cpuprofile> [top]`: the functions with the most self
// time in a V8 CPU profile (what `--server-node-args="--cpu-prof"` writes), and the share of time
// by package, to find a bottleneck without opening DevTools.
import { readFileSync } from 'node:fs';

interface ProfileNode {
  id: number;
  children?: number[];
  callFrame: { functionName: string; url: string; lineNumber: number };
  hitCount?: number;
}
interface Profile {
  nodes: ProfileNode[];
  startTime: number;
  endTime: number;
  samples: number[];
  timeDeltas: number[];
}

function packageOf(url: string): string {
  const m = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
  if (m) return m[1];
  if (url.startsWith('node:') || url === '') return url ? 'node internals' : '(native/gc/idle)';
  const own = /\/(apiserver|shared|worker)\/dist\//.exec(url);
  return own ? `cronfleet ${own[1]}` : url;
}

/** The summary as text: by package, by function, charged to Cronfleet functions, callers of the top 3. */
export function summariseProfile(file: string, top = 25): string {
  const out: string[] = [];
  const p = JSON.parse(readFileSync(file, 'utf8')) as Profile;
  const byId = new Map(p.nodes.map((n) => [n.id, n]));
  const selfUs = new Map<number, number>();
  p.samples.forEach((id, i) => selfUs.set(id, (selfUs.get(id) ?? 0) + (p.timeDeltas[i] ?? 0)));
  const total = p.endTime - p.startTime;
  const byFn = new Map<string, number>();
  const byPkg = new Map<string, number>();
  for (const [id, us] of selfUs) {
    const f = byId.get(id)!.callFrame;
    const key = `${f.functionName || '(anonymous)'} ${f.url.replace(/^.*node_modules\//, '').replace(/^file:\/\/.*?\/(apiserver|shared|worker)\//, '$1/')}:${f.lineNumber + 1}`;
    byFn.set(key, (byFn.get(key) ?? 0) + us);
    const pkg = f.functionName === '(idle)' ? '(idle)' : packageOf(f.url);
    byPkg.set(pkg, (byPkg.get(pkg) ?? 0) + us);
  }
  const pct = (us: number): string => `${((us / total) * 100).toFixed(1).padStart(5)} %`;
  out.push(`${file}: ${(total / 1e6).toFixed(1)} s profiled\n\nby package (self time):\n`);
  for (const [k, us] of [...byPkg].sort((a, b) => b[1] - a[1]).slice(0, 15)) out.push(`  ${pct(us)}  ${k}\n`);
  out.push(`\nfunctions (self time):\n`);
  const ranked = [...byFn].sort((a, b) => b[1] - a[1]).slice(0, top);
  for (const [k, us] of ranked) out.push(`  ${pct(us)}  ${k}\n`);

  // Natives (writeBuffer, GC) say little alone: where in our code or a package they were called from.
  const parent = new Map<number, number>();
  for (const n of p.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const label = (n: ProfileNode): string => `${n.callFrame.functionName || '(anonymous)'} ${n.callFrame.url.replace(/^.*node_modules\//, '').replace(/^file:\/\/.*?\/(apiserver|shared|worker)\//, '$1/')}:${n.callFrame.lineNumber + 1}`;
  const stackOf = (id: number, depth: number): string => {
    const out: string[] = [];
    for (let cur = parent.get(id); cur !== undefined && out.length < depth; cur = parent.get(cur)) {
      const n = byId.get(cur)!;
      if (n.callFrame.url) out.push(label(n));
    }
    return out.join(' < ');
  };
  // Time spent in packages and Node, charged to the nearest calling function of our own code.
  const ours = new Map<string, number>();
  for (const [id, us] of selfUs) {
    const n = byId.get(id)!;
    if (n.callFrame.functionName === '(idle)' || !n.callFrame.url && n.callFrame.functionName.startsWith('(')) continue;
    let cur: number | undefined = id;
    let key = '(no cronfleet frame)';
    for (; cur !== undefined; cur = parent.get(cur)) {
      const f = byId.get(cur)!.callFrame;
      if (/\/(apiserver|shared|worker)\/dist\//.test(f.url)) {
        key = label(byId.get(cur)!);
        break;
      }
    }
    ours.set(key, (ours.get(key) ?? 0) + us);
  }
  out.push('\nself time charged to the nearest cronfleet function:\n');
  for (const [k, us] of [...ours].sort((a, b) => b[1] - a[1]).slice(0, top)) out.push(`  ${pct(us)}  ${k}\n`);
  out.push('\ncallers of the top 3 non-idle functions (self time by stack):\n');
  for (const [k] of ranked.filter(([k]) => !k.startsWith('(idle)') && !k.startsWith('(garbage')).slice(0, 3)) {
    const stacks = new Map<string, number>();
    for (const [id, us] of selfUs) {
      if (label(byId.get(id)!) !== k) continue;
      const st = stackOf(id, 20).split(" < ").filter((f) => !f.includes("node:")).slice(0, 5).join(" < ");
      stacks.set(st, (stacks.get(st) ?? 0) + us);
    }
    out.push(`  ${k}\n`);
    for (const [st, us] of [...stacks].sort((a, b) => b[1] - a[1]).slice(0, 4)) out.push(`    ${pct(us)}  < ${st}\n`);
  }
  return out.join('');
}

if (require.main === module) {
  const [file, topRaw] = process.argv.slice(2);
  if (!file) throw new Error('usage: profile-summary <file.cpuprofile> [top]');
  process.stdout.write(summariseProfile(file, Number(topRaw ?? 25)));
}
