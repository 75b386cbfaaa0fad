// @ts-check
/**
 * The `sleep` plugin runner: waits `seconds`, printing a line every `everySeconds`, then succeeds
 * (or fails with `exitCode`, to try a job's retry policy). The smallest complete plugin, as an ES
 * module whose default export is the runner itself: validate(spec), output through io.output, stop
 * and kill honoured, a RunnerResult at the end. See README.md in this folder.
 *
 *   cronfleet-worker --plugin ./examples/plugins/sleep-runner.mjs ...
 *   POST /api/v1/tasks { "runner": "sleep", "spec": { "seconds": 30, "everySeconds": 10 } }
 */

/** @typedef {import('@cronfleet/worker').PluginRunner} PluginRunner */
/** @typedef {import('@cronfleet/worker').PluginSpec} PluginSpec */
/** @typedef {import('@cronfleet/worker').RunnerResult} RunnerResult */

const FIELDS = ['seconds', 'everySeconds', 'message', 'exitCode'];

/**
 * Refuses a spec the runner cannot run, naming the field, before the worker accepts the task.
 * @param {PluginSpec} spec
 * @returns {string | null}
 */
function validate(spec) {
  const unknown = Object.keys(spec).filter((k) => !FIELDS.includes(k));
  if (unknown.length) return unknown.map((k) => `spec.${k}: unknown field (expected ${FIELDS.join(', ')})`).join('; ');
  const { seconds, everySeconds, message, exitCode } = spec;
  if (typeof seconds !== 'number' || !Number.isFinite(seconds) || seconds < 0 || seconds > 86_400) {
    return `spec.seconds: must be a number of seconds from 0 to 86400, got ${JSON.stringify(seconds)}`;
  }
  if (everySeconds !== undefined && (typeof everySeconds !== 'number' || !(everySeconds >= 0.1 && everySeconds <= 3600))) {
    return `spec.everySeconds: must be a number of seconds from 0.1 to 3600, got ${JSON.stringify(everySeconds)}`;
  }
  if (message !== undefined && (typeof message !== 'string' || message.length > 200)) return 'spec.message: must be a string of at most 200 characters';
  if (exitCode !== undefined && (!Number.isInteger(exitCode) || Number(exitCode) < 0 || Number(exitCode) > 255)) return 'spec.exitCode: must be a whole number from 0 to 255';
  return null;
}

/** @type {PluginRunner} */
const sleepRunner = {
  name: 'sleep',
  validate,
  start(task, io) {
    const seconds = /** @type {number} */ (task.spec.seconds);
    const everySeconds = /** @type {number} */ (task.spec.everySeconds ?? 1);
    const message = /** @type {string} */ (task.spec.message ?? 'sleeping');
    const exitCode = /** @type {number} */ (task.spec.exitCode ?? 0);
    const startedAt = Date.now();
    io.output(`${message}: ${seconds} s (task ${task.taskId}, attempt ${task.attempt})\n`);

    /** @type {(result: RunnerResult) => void} */
    let finish = () => {};
    /** @type {Promise<RunnerResult>} */
    const done = new Promise((resolve) => (finish = resolve));
    let ended = false;
    const end = (/** @type {RunnerResult} */ result, /** @type {string} */ line) => {
      if (ended) return;
      ended = true;
      clearInterval(ticker);
      clearTimeout(timer);
      io.output(line);
      finish(result);
    };
    const ticker = setInterval(() => io.output(`${((Date.now() - startedAt) / 1000).toFixed(1)} s\n`), everySeconds * 1000);
    const timer = setTimeout(
      () => end(exitCode === 0 ? { status: 'success', exitCode: 0 } : { status: 'failed', exitCode }, `done after ${seconds} s\n`),
      seconds * 1000,
    );

    return {
      done,
      // Nothing to clean up: a stop ends the sleep at once, well within any grace. A plugin with
      // cleanup to do would start it here and end by itself; the worker calls kill() after graceMs.
      stop: (graceMs) => end({ status: 'killed' }, `stopped (grace ${graceMs} ms)\n`),
      kill: () => end({ status: 'killed' }, 'killed\n'),
    };
  },
};

export default sleepRunner;
