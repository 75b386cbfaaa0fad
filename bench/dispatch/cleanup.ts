// What a run must undo however it ends: servers to stop, databases to drop, Redis keys to delete.
// Actions run newest first, once, on normal exit, on failure and on Ctrl-C.

type Action = { what: string; run: () => Promise<void> };

const actions: Action[] = [];
let running: Promise<void> | null = null;

/** Registers an undo step; returns a function that runs it now and unregisters it. */
export function onCleanup(what: string, run: () => Promise<void>): () => Promise<void> {
  const action: Action = { what, run };
  actions.push(action);
  return async () => {
    const i = actions.indexOf(action);
    if (i < 0) return;
    actions.splice(i, 1);
    await action.run();
  };
}

/** Runs every registered step, newest first; failures are reported, not thrown, so the rest still run. */
export function cleanupAll(): Promise<void> {
  running ??= (async () => {
    while (actions.length > 0) {
      const a = actions.pop()!;
      try {
        await a.run();
      } catch (e) {
        process.stderr.write(`cleanup: ${a.what} failed: ${e instanceof Error ? e.message : String(e)}\n`);
      }
    }
  })();
  return running;
}

/** Ctrl-C or SIGTERM: clean up, then exit with the conventional status. */
export function cleanupOnSignals(): void {
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => {
      process.stderr.write(`\n${signal}: cleaning up (servers, databases, Redis keys)...\n`);
      void cleanupAll().finally(() => process.exit(signal === 'SIGINT' ? 130 : 143));
    });
  }
}
