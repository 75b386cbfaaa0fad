import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  broadcastTargets,
  ChoiceState,
  chooseWorker,
  type DispatchableTask,
  matchesSelector,
  ROUTING_STRATEGIES,
  type RoutingStrategy,
  type WorkerSelector,
  type WorkerSnapshot,
} from './worker-choice';

let nextId = 1;
function worker(name: string, running = 0, capacity = 4, extra: Partial<WorkerSnapshot> = {}): WorkerSnapshot {
  return { id: nextId++, name, running, capacity, online: true, draining: false, runners: ['command', 'http'], labels: {}, ...extra };
}

function task(extra: Partial<DispatchableTask> = {}): DispatchableTask {
  return { runner: 'command', selector: null, routing: 'leastLoaded', routingKey: 'job-1', avoidWorkerId: null, pinnedWorkerId: null, ...extra };
}

/** mulberry32: a small seeded source, so that the random strategy is reproducible here. */
function seeded(seed: number): () => number {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 2 ** 32;
  };
}

const noRandom = (): number => {
  throw new Error('only the random strategy may draw');
};

/** The name of the chosen Worker, or undefined; a fresh state per call unless one is passed. */
function chosen(t: DispatchableTask, workers: readonly WorkerSnapshot[], state = new ChoiceState(noRandom)): string | undefined {
  return chooseWorker(t, workers, state).worker?.name;
}

function reason(t: DispatchableTask, workers: readonly WorkerSnapshot[]): string | undefined {
  return chooseWorker(t, workers, new ChoiceState(noRandom)).reason;
}

/** Every ordering of `items`, to show the choice does not depend on the order of the list. */
function permutations<T>(items: readonly T[]): T[][] {
  if (items.length <= 1) return [items.slice()];
  return items.flatMap((item, i) => permutations([...items.slice(0, i), ...items.slice(i + 1)]).map((rest) => [item, ...rest]));
}

function tally(names: (string | undefined)[]): Map<string | undefined, number> {
  const counts = new Map<string | undefined, number>();
  for (const n of names) counts.set(n, (counts.get(n) ?? 0) + 1);
  return counts;
}

const STRATEGIES: RoutingStrategy[] = ['leastLoaded', 'roundRobin', 'random', 'consistentHash'];

describe('ROUTING_STRATEGIES', () => {
  it('lists the five strategies once each', () => {
    assert.deepEqual([...ROUTING_STRATEGIES].sort(), ['broadcast', 'consistentHash', 'leastLoaded', 'random', 'roundRobin']);
  });
});

describe('matchesSelector', () => {
  const w = { name: 'w1', labels: { env: 'prod', zone: 'a', gpu: 'yes' } };
  const cases: { name: string; selector: WorkerSelector | null; matches: boolean }[] = [
    { name: 'no selector matches every worker', selector: null, matches: true },
    { name: 'an empty selector matches every worker', selector: {}, matches: true },
    { name: 'empty labels and empty names match every worker', selector: { labels: {}, names: [] }, matches: true },
    { name: 'a subset of the worker labels matches', selector: { labels: { env: 'prod', zone: 'a' } }, matches: true },
    { name: 'a label with another value does not match', selector: { labels: { env: 'staging' } }, matches: false },
    { name: 'label values are compared exactly, case included', selector: { labels: { env: 'Prod' } }, matches: false },
    { name: 'a label the worker lacks does not match', selector: { labels: { env: 'prod', arch: 'arm64' } }, matches: false },
    { name: 'a label named like an Object method is not found on a worker without it', selector: { labels: { constructor: 'x' } }, matches: false },
    { name: 'a listed name matches', selector: { names: ['w0', 'w1'] }, matches: true },
    { name: 'an unlisted name does not match', selector: { names: ['w0', 'w2'] }, matches: false },
    { name: 'names and labels both hold', selector: { labels: { zone: 'a' }, names: ['w1'] }, matches: true },
    { name: 'the right name with a wrong label does not match', selector: { labels: { zone: 'b' }, names: ['w1'] }, matches: false },
    { name: 'the right labels with a wrong name do not match', selector: { labels: { zone: 'a' }, names: ['w2'] }, matches: false },
  ];
  for (const c of cases) {
    it(c.name, () => {
      assert.equal(matchesSelector(w, c.selector), c.matches);
    });
  }
});

describe('chooseWorker: eligibility, for every strategy', () => {
  const ok = worker('ok', 3, 4, { labels: { env: 'prod' } });
  const unusable = [
    worker('a-offline', 0, 4, { online: false, labels: { env: 'prod' } }),
    worker('b-draining', 0, 4, { draining: true, labels: { env: 'prod' } }),
    worker('c-docker-only', 0, 4, { runners: ['docker'], labels: { env: 'prod' } }),
    worker('d-staging', 0, 4, { labels: { env: 'staging' } }),
    worker('e-unlabelled', 0, 4),
    worker('e-other-namespace', 0, 4, { labels: { env: 'prod' }, namespace: 'team-b' }),
  ];
  const full = [worker('f-full', 4, 4, { labels: { env: 'prod' } }), worker('g-over', 5, 4, { labels: { env: 'prod' } }), worker('h-none', 0, 0, { labels: { env: 'prod' } })];
  const selector = { labels: { env: 'prod' } };

  for (const routing of STRATEGIES) {
    it(`${routing}: picks the one online, not draining, runner- and selector-matching worker with a free slot`, () => {
      // consistentHash ranks full workers too (and then waits for them), so it gets no full ones here.
      const pool = routing === 'consistentHash' ? [...unusable, ok] : [...unusable, ...full, ok];
      const state = new ChoiceState(seeded(7));
      for (let i = 0; i < 50; i++) {
        assert.equal(chosen(task({ routing, selector, routingKey: `job-${i}` }), pool, state), 'ok');
      }
    });

    it(`${routing}: picks nobody from an empty list or a list of unusable workers`, () => {
      assert.equal(chosen(task({ routing, selector }), [], new ChoiceState(seeded(1))), undefined);
      assert.equal(chosen(task({ routing, selector }), [...unusable, ...full], new ChoiceState(seeded(1))), undefined);
    });

    it(`${routing}: gives a reason only when it picks nobody`, () => {
      assert.equal(chooseWorker(task({ routing }), [ok], new ChoiceState(seeded(1))).reason, undefined);
      assert.equal(typeof chooseWorker(task({ routing, runner: 'docker' }), [ok], new ChoiceState(seeded(1))).reason, 'string');
    });
  }
});

describe('chooseWorker: namespaces', () => {
  const shared = worker('shared', 2, 4);
  const teamA = worker('team-a-1', 3, 4, { namespace: 'team-a' });
  const teamB = worker('team-b-1', 0, 4, { namespace: 'team-b' });

  for (const routing of STRATEGIES) {
    it(`${routing}: runs a task only on a worker serving its namespace or every namespace`, () => {
      const state = new ChoiceState(seeded(3));
      for (let i = 0; i < 30; i++) {
        const name = chosen(task({ routing, namespace: 'team-a', routingKey: `job-${i}` }), [teamB, teamA], state);
        assert.equal(name, 'team-a-1');
        assert.ok(['shared', 'team-a-1'].includes(chosen(task({ routing, namespace: 'team-a', routingKey: `job-${i}` }), [teamB, teamA, shared], state)!));
      }
    });
  }

  it('treats a task without a namespace as one of `default`, which dedicated workers of other namespaces do not run', () => {
    assert.equal(chosen(task(), [teamA, teamB]), undefined);
    assert.equal(chosen(task(), [teamA, shared]), 'shared');
    assert.equal(chosen(task({ namespace: 'default' }), [worker('dflt', 0, 4, { namespace: 'default' })]), 'dflt');
  });

  it('says the namespace when no online worker serves it, and names a pinned worker serving another', () => {
    assert.equal(reason(task({ namespace: 'ops' }), [teamA, teamB]), "no online worker serves namespace 'ops' (the 2 online serve other namespaces only)");
    assert.equal(reason(task({ namespace: 'ops', pinnedWorkerId: teamA.id }), [teamA]), "worker 'team-a-1' (pinned shard) serves namespace 'team-a' only");
  });

  it('fans a broadcast out to the workers serving the namespace only', () => {
    assert.deepEqual(broadcastTargets({ runner: 'command', selector: null, namespace: 'team-b' }, [teamA, teamB, shared]).map((w) => w.name), ['shared', 'team-b-1']);
  });
});

describe('chooseWorker: leastLoaded', () => {
  const leastLoaded = task({ routing: 'leastLoaded' });

  it('prefers the lowest running/capacity ratio over the fewest running tasks', () => {
    assert.equal(chosen(leastLoaded, [worker('b', 1, 2), worker('a', 3, 10)]), 'a');
  });

  it('breaks a ratio tie by fewer running tasks', () => {
    assert.equal(chosen(leastLoaded, [worker('a', 2, 8), worker('b', 1, 4)]), 'b');
  });

  it('treats ratios that are equal but not exact in floating point as equal', () => {
    // 1/3 and 3/9 both print as 0.333..., and cross-multiplying keeps them exactly equal.
    assert.equal(chosen(leastLoaded, [worker('a', 3, 9), worker('b', 1, 3)]), 'b');
  });

  it('breaks a full tie by name, comparing code units rather than locale', () => {
    assert.equal(chosen(leastLoaded, [worker('alpha', 0, 4), worker('Zeta', 0, 4)]), 'Zeta');
  });

  it('breaks a tie of equal names by id', () => {
    const first = worker('same', 1, 2);
    const second = worker('same', 1, 2);
    assert.equal(chooseWorker(leastLoaded, [second, first], new ChoiceState(noRandom)).worker, first);
  });

  it('picks the same worker whatever order the list is in', () => {
    const pool = [worker('w1', 2, 4), worker('w2', 1, 4), worker('w3', 1, 4, { online: false }), worker('w4', 0, 4, { runners: ['docker'] }), worker('w5', 2, 8)];
    assert.deepEqual([...new Set(permutations(pool).map((order) => chosen(leastLoaded, order)))], ['w2']);
  });
});

describe('chooseWorker: roundRobin', () => {
  const rr = (routingKey = 'job-1', extra: Partial<DispatchableTask> = {}): DispatchableTask => task({ routing: 'roundRobin', routingKey, ...extra });

  it('rotates in name order whatever order the list is in, ignoring load', () => {
    const state = new ChoiceState(noRandom);
    const pool = [worker('w3', 0, 4), worker('w1', 3, 4), worker('w2', 1, 4)];
    assert.deepEqual(Array.from({ length: 7 }, () => chosen(rr(), pool, state)), ['w1', 'w2', 'w3', 'w1', 'w2', 'w3', 'w1']);
  });

  it('keeps a separate position per routingKey', () => {
    const state = new ChoiceState(noRandom);
    const pool = [worker('w1'), worker('w2'), worker('w3')];
    assert.equal(chosen(rr('a'), pool, state), 'w1');
    assert.equal(chosen(rr('a'), pool, state), 'w2');
    assert.equal(chosen(rr('b'), pool, state), 'w1');
    assert.equal(chosen(rr('a'), pool, state), 'w3');
    assert.equal(chosen(rr('b'), pool, state), 'w2');
  });

  it('skips a full worker and takes it back into the rotation once it has a free slot', () => {
    const state = new ChoiceState(noRandom);
    const w2 = worker('w2', 4, 4);
    const pool = [worker('w1'), w2, worker('w3')];
    assert.deepEqual(Array.from({ length: 4 }, () => chosen(rr(), pool, state)), ['w1', 'w3', 'w1', 'w3']);
    w2.running = 3;
    assert.deepEqual(Array.from({ length: 3 }, () => chosen(rr(), pool, state)), ['w1', 'w2', 'w3']);
  });

  it('continues after the last chosen name when workers join or leave', () => {
    const state = new ChoiceState(noRandom);
    const [w1, w2, w4] = [worker('w1'), worker('w2'), worker('w4')];
    assert.equal(chosen(rr(), [w1, w2, w4], state), 'w1');
    assert.equal(chosen(rr(), [w1, w2, w4], state), 'w2');
    assert.equal(chosen(rr(), [w1, w4, worker('w3')], state), 'w3', 'w3 joined and comes next after w2');
    assert.equal(chosen(rr(), [w1, w2], state), 'w1', 'w4 left, so the rotation wraps');
  });

  it('is fair over many calls: every worker gets exactly its share', () => {
    const state = new ChoiceState(noRandom);
    const pool = Array.from({ length: 10 }, (_, i) => worker(`w${i}`));
    const counts = tally(Array.from({ length: 10_000 }, () => chosen(rr(), pool, state)));
    assert.deepEqual([...counts.values()], new Array(10).fill(1000));
  });

  it('shares fairly among the workers with a free slot when slots come and go', () => {
    const state = new ChoiceState(noRandom);
    const rand = seeded(3);
    const pool = Array.from({ length: 5 }, (_, i) => worker(`w${i}`, 0, 1));
    const picks: (string | undefined)[] = [];
    for (let i = 0; i < 10_000; i++) {
      for (const w of pool) w.running = rand() < 0.3 ? 1 : 0;
      picks.push(chosen(rr(), pool, state));
    }
    for (const [name, count] of tally(picks)) {
      if (name !== undefined) assert.ok(count > 1600 && count < 2300, `${name}: ${count}`);
    }
  });

  it('remembers positions for a bounded number of keys, forgetting the least recently used', () => {
    const state = new ChoiceState(noRandom, 3);
    const pool = [worker('w1'), worker('w2'), worker('w3')];
    for (const key of ['a', 'b', 'c']) chosen(rr(key), pool, state);
    chosen(rr('a'), pool, state);
    chosen(rr('d'), pool, state);
    assert.equal(state.roundRobinKeys, 3);
    assert.equal(chosen(rr('a'), pool, state), 'w3', "'a' was used recently and kept its position");
    assert.equal(chosen(rr('b'), pool, state), 'w1', "'b' was the least recently used, so it starts over");
  });

  it('refuses a bound below 1', () => {
    for (const bad of [0, -1, 1.5, Number.NaN]) assert.throws(() => new ChoiceState(Math.random, bad), RangeError);
  });

  it('does not move the position when nobody is eligible', () => {
    const state = new ChoiceState(noRandom);
    const pool = [worker('w1'), worker('w2')];
    assert.equal(chosen(rr(), pool, state), 'w1');
    assert.equal(chosen(rr('job-1', { runner: 'docker' }), pool, state), undefined);
    assert.equal(chosen(rr(), pool, state), 'w2');
  });
});

describe('chooseWorker: random', () => {
  const random = task({ routing: 'random' });

  it('covers every eligible worker about evenly with a seeded source', () => {
    const state = new ChoiceState(seeded(42));
    const pool = [worker('w1'), worker('w2', 3, 4), worker('w3', 4, 4), worker('w4', 0, 4, { draining: true }), worker('w5'), worker('w6', 0, 8)];
    const counts = tally(Array.from({ length: 8000 }, () => chosen(random, pool, state)));
    assert.deepEqual([...counts.keys()].sort(), ['w1', 'w2', 'w5', 'w6']);
    for (const [name, count] of counts) assert.ok(count > 1800 && count < 2200, `${name}: ${count}`);
  });

  it('gives the same sequence for the same seed', () => {
    const pool = [worker('w1'), worker('w2'), worker('w3')];
    const run = (): (string | undefined)[] => {
      const state = new ChoiceState(seeded(9));
      return Array.from({ length: 20 }, () => chosen(random, pool, state));
    };
    assert.deepEqual(run(), run());
  });

  it('maps the draw onto the eligible workers in list order', () => {
    const pool = [worker('w1'), worker('w2', 4, 4), worker('w3'), worker('w4')];
    assert.equal(chosen(random, pool, new ChoiceState(() => 0)), 'w1');
    assert.equal(chosen(random, pool, new ChoiceState(() => 0.5)), 'w3');
    assert.equal(chosen(random, pool, new ChoiceState(() => 0.999_999)), 'w4');
  });

  it('still picks an eligible worker when the source strays outside [0, 1)', () => {
    const pool = [worker('w1'), worker('w2'), worker('w3', 4, 4)];
    for (const bad of [1, 7, -0.5, Number.NaN]) {
      assert.ok(['w1', 'w2'].includes(chosen(random, pool, new ChoiceState(() => bad)) ?? ''), String(bad));
    }
  });

  it('does not draw when no other worker than the avoided one is eligible', () => {
    const only = worker('w1');
    assert.equal(chosen(task({ routing: 'random', avoidWorkerId: only.id }), [only], new ChoiceState(noRandom)), 'w1');
  });
});

describe('chooseWorker: consistentHash', () => {
  const hash = (routingKey: string, extra: Partial<DispatchableTask> = {}): DispatchableTask => task({ routing: 'consistentHash', routingKey, ...extra });
  const keys = Array.from({ length: 10_000 }, (_, i) => String(i + 1));
  const assign = (pool: readonly WorkerSnapshot[]): (string | undefined)[] => keys.map((k) => chosen(hash(k), pool));
  const pool10 = (): WorkerSnapshot[] => Array.from({ length: 10 }, (_, i) => worker(`w${i + 1}`, 0, 1_000_000));

  it('gives the same key the same worker every time and whatever the list order', () => {
    const pool = [worker('w1'), worker('w2'), worker('w3'), worker('w4')];
    for (const key of ['job-1', 'job-2', '17', 'nightly-backup']) {
      const names = new Set(permutations(pool).map((order) => chosen(hash(key), order)));
      assert.equal(names.size, 1, key);
    }
  });

  it('keeps the worker of known keys (changing the hash would move every job on upgrade)', () => {
    const pool = [worker('w1'), worker('w2'), worker('w3'), worker('w4')];
    assert.deepEqual(['1', '2', '3', 'job-42', 'nightly-backup'].map((k) => chosen(hash(k), pool)), ['w3', 'w4', 'w1', 'w2', 'w3']);
  });

  it('spreads 10,000 keys over 10 workers evenly: each gets 5% to 15%', () => {
    const counts = tally(assign(pool10()));
    assert.equal(counts.size, 10);
    for (const [name, count] of counts) assert.ok(count >= 500 && count <= 1500, `${name}: ${count}`);
  });

  it('moves only the keys of a removed worker, spread over the others', () => {
    const pool = pool10();
    const before = assign(pool);
    const after = assign(pool.filter((w) => w.name !== 'w4'));
    const moved = keys.filter((_, i) => before[i] !== after[i]);
    assert.ok(moved.every((k) => before[keys.indexOf(k)] === 'w4'));
    assert.equal(moved.length, before.filter((n) => n === 'w4').length);
    const receivers = tally(moved.map((k) => after[keys.indexOf(k)]));
    assert.equal(receivers.size, 9);
    for (const [name, count] of receivers) assert.ok(count > moved.length / 9 / 2, `${name}: ${count} of ${moved.length}`);
  });

  it('moves about 1/n of the keys, all to the new worker, when one is added', () => {
    const pool = pool10();
    const before = assign(pool);
    const after = assign([...pool, worker('w11', 0, 1_000_000)]);
    const moved = keys.filter((_, i) => before[i] !== after[i]);
    assert.ok(moved.every((k) => after[keys.indexOf(k)] === 'w11'));
    assert.ok(moved.length > 10_000 / 11 / 2 && moved.length < (10_000 / 11) * 1.5, `moved ${moved.length}`);
  });

  it('treats an offline or draining worker as removed, and gives its keys back when it returns', () => {
    const pool = pool10();
    const before = assign(pool);
    const w4 = pool[3];
    for (const state of [{ online: false }, { draining: true }]) {
      Object.assign(w4, state);
      const during = assign(pool);
      assert.ok(keys.every((_, i) => (before[i] === 'w4' ? during[i] !== 'w4' : during[i] === before[i])));
      Object.assign(w4, { online: true, draining: false });
      assert.deepEqual(assign(pool), before);
    }
  });

  it('ignores load: the owner takes the key while it has any free slot', () => {
    const pool = [worker('w1'), worker('w2'), worker('w3')];
    const owner = pool.find((w) => w.name === chosen(hash('job-7'), pool))!;
    owner.running = owner.capacity - 1;
    assert.equal(chosen(hash('job-7'), pool), owner.name);
  });

  it('waits for a full owner rather than moving the key', () => {
    const pool = [worker('w1'), worker('w2'), worker('w3')];
    const owner = pool.find((w) => w.name === chosen(hash('job-7'), pool))!;
    owner.running = owner.capacity;
    const choice = chooseWorker(hash('job-7'), pool, new ChoiceState(noRandom));
    assert.equal(choice.worker, null);
    assert.equal(choice.reason, `consistentHash worker '${owner.name}' is at capacity`);
  });

  it('ranks only the workers that match runner and selector', () => {
    const pool = [worker('w1', 0, 4, { labels: { env: 'prod' } }), worker('w2'), worker('w3', 0, 4, { labels: { env: 'prod' }, runners: ['docker'] })];
    for (const key of ['a', 'b', 'c', 'd', 'e', 'f']) {
      assert.equal(chosen(hash(key, { selector: { labels: { env: 'prod' } } }), pool), 'w1');
      assert.equal(chosen(hash(key, { runner: 'docker' }), pool), 'w3');
    }
  });
});

describe('chooseWorker: avoidWorkerId (retries)', () => {
  it('leastLoaded: takes the next least loaded worker over the avoided idle one', () => {
    const idle = worker('w1', 0, 4);
    assert.equal(chosen(task({ avoidWorkerId: idle.id }), [idle, worker('w2', 3, 4)]), 'w2');
  });

  it('roundRobin: skips the avoided worker even when it is next in turn, and moves on from the one taken', () => {
    const state = new ChoiceState(noRandom);
    const pool = [worker('w1'), worker('w2'), worker('w3')];
    assert.equal(chosen(task({ routing: 'roundRobin' }), pool, state), 'w1');
    assert.equal(chosen(task({ routing: 'roundRobin', avoidWorkerId: pool[1].id }), pool, state), 'w3');
    assert.equal(chosen(task({ routing: 'roundRobin' }), pool, state), 'w1');
  });

  it('random: never draws the avoided worker while another is eligible', () => {
    const state = new ChoiceState(seeded(5));
    const pool = [worker('w1'), worker('w2'), worker('w3')];
    const counts = tally(Array.from({ length: 1000 }, () => chosen(task({ routing: 'random', avoidWorkerId: pool[0].id }), pool, state)));
    assert.deepEqual([...counts.keys()].sort(), ['w2', 'w3']);
  });

  it('consistentHash: takes the runner-up of the ranking when the owner is avoided', () => {
    const pool = [worker('w1'), worker('w2'), worker('w3')];
    for (const key of ['a', 'b', 'c', 'd', 'e', 'f', 'g', 'h']) {
      const owner = chooseWorker(task({ routing: 'consistentHash', routingKey: key }), pool, new ChoiceState(noRandom)).worker!;
      const runnerUp = chosen(task({ routing: 'consistentHash', routingKey: key }), pool.filter((w) => w !== owner));
      assert.equal(chosen(task({ routing: 'consistentHash', routingKey: key, avoidWorkerId: owner.id }), pool), runnerUp, key);
    }
  });

  it('consistentHash: stays with the avoided owner when the runner-up is full', () => {
    const pool = [worker('w1'), worker('w2')];
    const owner = chooseWorker(task({ routing: 'consistentHash' }), pool, new ChoiceState(noRandom)).worker!;
    const other = pool.find((w) => w !== owner)!;
    other.running = other.capacity;
    assert.equal(chosen(task({ routing: 'consistentHash', avoidWorkerId: owner.id }), pool), owner.name);
  });

  for (const routing of STRATEGIES) {
    it(`${routing}: uses the avoided worker when it is the only eligible one`, () => {
      const failed = worker('w1');
      const pool = [failed, worker('w2', 4, 4), worker('w3', 0, 4, { online: false })];
      assert.equal(chosen(task({ routing, avoidWorkerId: failed.id }), pool, new ChoiceState(seeded(2))), 'w1');
    });

    it(`${routing}: is unaffected by an avoided worker that is not in the list`, () => {
      const pool = [worker('w1'), worker('w2')];
      const plain = chosen(task({ routing }), pool, new ChoiceState(() => 0.3));
      assert.equal(chosen(task({ routing, avoidWorkerId: 999_999 }), pool, new ChoiceState(() => 0.3)), plain);
    });
  }
});

describe('chooseWorker: pinned broadcast shards', () => {
  for (const routing of ROUTING_STRATEGIES) {
    it(`${routing}: runs a pinned task on that worker only, however loaded it is`, () => {
      const pool = [worker('w1', 0, 4), worker('w2', 3, 4), worker('w3', 0, 4)];
      assert.equal(chosen(task({ routing, pinnedWorkerId: pool[1].id }), pool, new ChoiceState(seeded(1))), 'w2');
    });
  }

  it('stays pinned when the pinned worker is also the one to avoid', () => {
    const pool = [worker('w1'), worker('w2')];
    assert.equal(chosen(task({ routing: 'broadcast', pinnedWorkerId: pool[0].id, avoidWorkerId: pool[0].id }), pool), 'w1');
  });

  it('waits for a pinned worker that is full instead of moving', () => {
    const pool = [worker('w1', 4, 4), worker('w2')];
    assert.equal(chosen(task({ routing: 'broadcast', pinnedWorkerId: pool[0].id }), pool), undefined);
  });
});

describe('chooseWorker: reasons', () => {
  const prodA = { labels: { zone: 'a', env: 'prod' }, names: ['w1', 'w2'] };
  const cases: { name: string; task: DispatchableTask; workers: () => WorkerSnapshot[]; reason: string }[] = [
    { name: 'no workers at all', task: task(), workers: () => [], reason: 'no worker is online' },
    {
      name: 'every worker offline',
      task: task(),
      workers: () => [worker('w1', 0, 4, { online: false }), worker('w2', 0, 4, { online: false })],
      reason: 'no worker is online (2 offline)',
    },
    { name: 'no worker with the runner', task: task({ runner: 'docker' }), workers: () => [worker('w1'), worker('w2', 0, 4, { draining: true })], reason: "no online worker supports runner 'docker'" },
    {
      name: 'the runner only on offline workers',
      task: task({ runner: 'docker' }),
      workers: () => [worker('w1'), worker('w2', 0, 4, { online: false, runners: ['docker'] })],
      reason: "no online worker supports runner 'docker' (1 offline worker does)",
    },
    {
      name: 'no worker matching the selector, labels sorted by key',
      task: task({ selector: prodA }),
      workers: () => [worker('w1', 0, 4, { labels: { env: 'prod' } }), worker('w3', 0, 4, { labels: { env: 'prod', zone: 'a' } })],
      reason: 'no online worker matches selector labels {env=prod, zone=a} names [w1, w2]',
    },
    {
      name: 'the selector only matching offline workers',
      task: task({ selector: { names: ['w2', 'w3'] } }),
      workers: () => [worker('w1'), worker('w2', 0, 4, { online: false }), worker('w3', 0, 4, { online: false })],
      reason: 'no online worker matches selector names [w2, w3] (2 offline workers do)',
    },
    {
      name: 'every matching worker draining',
      task: task({ routing: 'roundRobin' }),
      workers: () => ['w1', 'w2', 'w3'].map((n) => worker(n, 0, 4, { draining: true })),
      reason: 'all 3 matching workers are draining',
    },
    {
      name: 'the only matching worker draining, another offline',
      task: task({ routing: 'consistentHash' }),
      workers: () => [worker('w1', 0, 4, { draining: true }), worker('w2', 0, 4, { online: false })],
      reason: "the only matching worker 'w1' is draining (plus 1 offline)",
    },
    {
      name: 'every matching worker full',
      task: task({ routing: 'random' }),
      workers: () => [worker('w1', 4, 4), worker('w2', 0, 0), worker('w3', 0, 4, { runners: ['docker'] })],
      reason: 'all 2 matching workers are at capacity',
    },
    {
      name: 'the available ones full, others draining and offline',
      task: task(),
      workers: () => [worker('w1', 4, 4), worker('w2', 0, 4, { draining: true }), worker('w3', 0, 4, { online: false }), worker('w4', 2, 2)],
      reason: 'all 2 matching workers are at capacity (plus 1 draining, 1 offline)',
    },
    { name: 'the only matching worker full', task: task(), workers: () => [worker('w1', 4, 4)], reason: "the only matching worker 'w1' is at capacity" },
    { name: 'a broadcast task that was not fanned out', task: task({ routing: 'broadcast' }), workers: () => [worker('w1')], reason: 'broadcast task is not pinned to a worker (fan it out with broadcastTargets first)' },
    { name: 'an unknown strategy', task: task({ routing: 'fastest' as RoutingStrategy }), workers: () => [worker('w1')], reason: "unknown routing strategy 'fastest'" },
    { name: 'a pinned worker that is gone', task: task({ routing: 'broadcast', pinnedWorkerId: 424_242 }), workers: () => [worker('w1')], reason: 'worker #424242 (pinned shard) is offline or unknown' },
  ];
  for (const c of cases) {
    it(c.name, () => {
      assert.equal(reason(c.task, c.workers()), c.reason);
    });
  }

  const pinnedCases: { name: string; pinned: Partial<WorkerSnapshot>; task?: Partial<DispatchableTask>; reason: string }[] = [
    { name: 'offline', pinned: { online: false }, reason: "worker 'w3' (pinned shard) is offline" },
    { name: 'offline and draining: offline first', pinned: { online: false, draining: true }, reason: "worker 'w3' (pinned shard) is offline" },
    { name: 'draining', pinned: { draining: true }, reason: "worker 'w3' (pinned shard) is draining" },
    { name: 'full', pinned: { running: 4 }, reason: "worker 'w3' (pinned shard) is at capacity" },
    { name: 'without the runner', pinned: { runners: ['http'] }, reason: "worker 'w3' (pinned shard) does not support runner 'command'" },
    { name: 'no longer matching', pinned: { labels: { env: 'dev' } }, task: { selector: { labels: { env: 'prod' } } }, reason: "worker 'w3' (pinned shard) does not match selector labels {env=prod}" },
  ];
  for (const c of pinnedCases) {
    it(`a pinned worker that is ${c.name}`, () => {
      const w3 = worker('w3', 0, 4, c.pinned);
      assert.equal(reason(task({ routing: 'broadcast', pinnedWorkerId: w3.id, ...c.task }), [worker('w1'), w3]), c.reason);
    });
  }
});

describe('broadcastTargets', () => {
  it('lists every online, not draining, runner- and selector-matching worker by name then id, full ones included', () => {
    const twinB = worker('same');
    const twinA = worker('same');
    const pool = [
      worker('w2', 4, 4, { labels: { env: 'prod' } }),
      worker('w1', 0, 4, { labels: { env: 'prod' } }),
      worker('w0', 0, 4, { labels: { env: 'prod' }, online: false }),
      worker('w3', 0, 4, { labels: { env: 'prod' }, draining: true }),
      worker('w4', 0, 4, { labels: { env: 'prod' }, runners: ['docker'] }),
      worker('w5', 0, 4, { labels: { env: 'dev' } }),
    ];
    assert.deepEqual(broadcastTargets({ runner: 'command', selector: { labels: { env: 'prod' } } }, pool).map((w) => w.name), ['w1', 'w2']);
    assert.deepEqual(broadcastTargets({ runner: 'command', selector: null }, [twinA, twinB]), [twinB, twinA]);
  });

  it('is empty when no worker fits', () => {
    assert.deepEqual(broadcastTargets({ runner: 'docker', selector: null }, [worker('w1')]), []);
  });
});
