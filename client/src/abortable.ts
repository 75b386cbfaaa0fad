import { CronfleetApiError } from './cronfleet-api-error';

/**
 * Waits `ms` (a whole timer, cleared on abort), or rejects with an `Aborted` error as soon as
 * `signal` aborts. Leaves no timer and no listener behind either way.
 */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(aborted(signal));
    const onAbort = (): void => {
      clearTimeout(timer);
      reject(aborted(signal as AbortSignal));
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

/**
 * Aborts `target` when `source` aborts (at once if it already has), with the source's reason.
 * Returns the unlink, which removes the listener: call it when `target`'s work is over, so a
 * long-lived signal does not collect listeners.
 */
export function linkAbort(source: AbortSignal | undefined, target: AbortController): () => void {
  if (!source) return () => undefined;
  if (source.aborted) {
    target.abort(source.reason);
    return () => undefined;
  }
  const onAbort = (): void => target.abort(source.reason);
  source.addEventListener('abort', onAbort, { once: true });
  return () => source.removeEventListener('abort', onAbort);
}

/** The `Aborted` error of a call the caller's signal ended, with the signal's reason as its cause. */
export function aborted(signal: AbortSignal): CronfleetApiError {
  return new CronfleetApiError({ status: null, code: 'Aborted', message: 'the call was aborted', retryable: false, cause: signal.reason });
}
