/** This package's version, sent in `worker:hello`; found by package name so it works from any build folder. */
export const WORKER_VERSION: string = (() => {
  try {
    return (require('@cronfleet/worker/package.json') as { version: string }).version;
  } catch {
    return 'unknown';
  }
})();
