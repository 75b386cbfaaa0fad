/**
 * The ids of the tasks this worker finished lately, so that a `task:run` the server sends again
 * after the result was delivered (a resend whose read raced the result, found by the long chaos run)
 * is acknowledged, not run a second time. A task id runs at most once anywhere: a retry is a new
 * task. Bounded: the oldest ids are forgotten first, long after any resend could arrive (a resend
 * follows one ack timeout after the claim).
 */
export class FinishedTasks {
  private readonly ids = new Set<number>();

  constructor(private readonly limit = 65_536) {}

  add(taskId: number): void {
    this.ids.delete(taskId);
    this.ids.add(taskId);
    if (this.ids.size > this.limit) this.ids.delete(this.ids.values().next().value as number);
  }

  has(taskId: number): boolean {
    return this.ids.has(taskId);
  }

  get size(): number {
    return this.ids.size;
  }
}
