import { useCallback, useEffect, useRef, useState } from 'react';
import { withQuery } from '../api/client';
import { readEvents, type SseMessage } from '../api/sse';

export interface Resource<T> {
  data: T | null;
  error: Error | null;
  loading: boolean;
  reload: () => void;
}

/**
 * Loads `load()` now and whenever `deps` change or `reload()` is called; a slower earlier answer
 * never overwrites a newer one. Keeps the last data while reloading, so refreshes do not flicker.
 */
export function useResource<T>(load: () => Promise<T>, deps: readonly unknown[]): Resource<T> {
  const [state, setState] = useState<{ data: T | null; error: Error | null; loading: boolean }>({ data: null, error: null, loading: true });
  const [tick, setTick] = useState(0);
  const seq = useRef(0);
  useEffect(() => {
    const mine = ++seq.current;
    setState((s) => ({ ...s, loading: true }));
    load().then(
      (data) => mine === seq.current && setState({ data, error: null, loading: false }),
      (error: Error) => mine === seq.current && setState((s) => ({ data: s.data, error, loading: false })),
    );
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [...deps, tick]);
  const reload = useCallback(() => setTick((t) => t + 1), []);
  return { ...state, reload };
}

/** Calls `fn` at most once per `ms` however often the returned function is called (trailing call kept). */
export function useThrottled(fn: () => void, ms: number): () => void {
  const last = useRef(0);
  const timer = useRef<number | null>(null);
  const fnRef = useRef(fn);
  fnRef.current = fn;
  useEffect(() => () => void (timer.current !== null && window.clearTimeout(timer.current)), []);
  return useCallback(() => {
    if (timer.current !== null) return;
    const wait = Math.max(0, last.current + ms - Date.now());
    timer.current = window.setTimeout(() => {
      timer.current = null;
      last.current = Date.now();
      fnRef.current();
    }, wait);
  }, [ms]);
}

export function useInterval(fn: () => void, ms: number): void {
  const fnRef = useRef(fn);
  fnRef.current = fn;
  useEffect(() => {
    const t = window.setInterval(() => {
      if (document.visibilityState === 'visible') fnRef.current();
    }, ms);
    return () => window.clearInterval(t);
  }, [ms]);
}

export type LiveState = 'connecting' | 'live' | 'retrying';

/**
 * Subscribes to the server's live events (`GET /api/v1/sse/events`, filtered there) and calls
 * `onEvent` for each; reconnects with backoff (1 s doubling to 15 s) if the stream breaks. Every
 * time the stream (re)opens `onEvent` is called once with a `connected` message too, so a page
 * reloads what it may have missed before the subscription (or while it was down).
 */
export function useLiveEvents(filter: { type?: string; cronjobId?: number; taskId?: number; namespace?: string }, onEvent: (m: SseMessage) => void): LiveState {
  const [state, setState] = useState<LiveState>('connecting');
  const handler = useRef(onEvent);
  handler.current = onEvent;
  const key = JSON.stringify(filter);
  useEffect(() => {
    const abort = new AbortController();
    let delay = 1000;
    let timer: number | null = null;
    const connect = (): void => {
      setState('connecting');
      const path = withQuery('/api/v1/sse/events', filter);
      readEvents(
        path,
        (m) => handler.current(m),
        abort.signal,
        () => {
          delay = 1000;
          setState('live');
          handler.current({ event: 'connected', data: '' });
        },
      )
        .catch(() => undefined)
        .finally(() => {
          if (abort.signal.aborted) return;
          setState('retrying');
          timer = window.setTimeout(connect, delay);
          delay = Math.min(delay * 2, 15_000);
        });
    };
    connect();
    return () => {
      abort.abort();
      if (timer !== null) window.clearTimeout(timer);
    };
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [key]);
  return state;
}
