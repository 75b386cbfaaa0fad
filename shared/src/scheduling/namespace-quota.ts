/**
 * The per-namespace cap on tasks running at once (`maxConcurrentTasks`), as the dispatcher applies
 * it while it hands out tasks. Framework-free: the dispatcher feeds it the quotas, the tasks it
 * knows to be running (with their namespaces) and asks, task by task, whether one more may start.
 *
 * Usage per drain: `begin(running)` counts what runs now; then for each pending task `admit(ns)`
 * answers null (it may start: counted at once) or why it waits. A namespace without a quota is never
 * counted, so with no quotas at all a drain costs nothing here.
 */
export class NamespaceQuotas {
  private limits = new Map<string, number>();
  private readonly counts = new Map<string, number>();

  /** Replaces every quota: namespace → most tasks running at once (namespaces absent: no limit). */
  setLimits(limits: ReadonlyMap<string, number>): void {
    this.limits = new Map(limits);
  }

  /** True when some namespace has a quota: only then is `begin` worth its pass over running tasks. */
  get active(): boolean {
    return this.limits.size > 0;
  }

  limitOf(namespace: string): number | undefined {
    return this.limits.get(namespace);
  }

  /** Starts a drain: counts the running tasks of each namespace that has a quota. */
  begin(runningNamespaces: Iterable<string>): void {
    this.counts.clear();
    if (!this.active) return;
    for (const ns of runningNamespaces) if (this.limits.has(ns)) this.counts.set(ns, (this.counts.get(ns) ?? 0) + 1);
  }

  /**
   * Whether one more task of `namespace` may start now: null, and it is counted, or the reason it
   * waits. Call `undo` if the task then does not start (no worker could take it).
   */
  admit(namespace: string): string | null {
    const limit = this.limits.get(namespace);
    if (limit === undefined) return null;
    const running = this.counts.get(namespace) ?? 0;
    if (running >= limit) return `namespace '${namespace}' is at its quota of ${limit} concurrent task${limit === 1 ? '' : 's'}`;
    this.counts.set(namespace, running + 1);
    return null;
  }

  /** Takes back an `admit` whose task did not start after all. */
  undo(namespace: string): void {
    const running = this.counts.get(namespace);
    if (running !== undefined && running > 0) this.counts.set(namespace, running - 1);
  }

  /** Tasks of `namespace` counted as running in this drain (those admitted included). */
  running(namespace: string): number {
    return this.counts.get(namespace) ?? 0;
  }
}
