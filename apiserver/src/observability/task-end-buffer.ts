/**
 * Task ends recorded by this instance and not yet counted in the metrics, as two parallel arrays
 * (no object per task). A success report carries neither the runner nor the start time, and the
 * worker may be connected to another instance than the leader that sent the task, so both are read
 * from the database later, for a whole batch at once: when a batch fills, and before each scrape.
 */
export class TaskEndBuffer<S extends string = string> {
  private ids: number[] = [];
  private statuses: S[] = [];

  constructor(
    /** Ids kept before `onFull` is called (it should drain them); also the size of one drained batch. */
    readonly batchSize: number,
    private readonly onFull: () => void,
  ) {}

  get size(): number {
    return this.ids.length;
  }

  add(id: number, status: S): void {
    this.ids.push(id);
    this.statuses.push(status);
    if (this.ids.length === this.batchSize) this.onFull();
  }

  /** Takes up to one batch, oldest first. */
  take(): { ids: number[]; statuses: S[] } {
    if (this.ids.length <= this.batchSize) {
      const out = { ids: this.ids, statuses: this.statuses };
      this.ids = [];
      this.statuses = [];
      return out;
    }
    return { ids: this.ids.splice(0, this.batchSize), statuses: this.statuses.splice(0, this.batchSize) };
  }
}
