import { useCallback, useEffect, useRef, useState } from 'react';
import type { LiveEventFilters, LiveEventMessage } from '@cronfleet/client';
import { api } from '../api/client';

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

/** A live event, or `connected`: the stream is open (again), what came before may have been missed. */
export type LiveMessage = LiveEventMessage | { event: 'connected' };

/** The wait before following again after the stream ended in a refusal, doubling to the longest. */
const RETRY_FIRST_MS = 1000;
const RETRY_LONGEST_MS = 15_000;

/**
 * Subscribes to the server's live events (`GET /api/v1/sse/events`, filtered there) and calls
 * `onEvent` for each. The client reconnects a dropped stream itself (with backoff, and when the
 * stream falls silent); a stream it gives up on (a refusal, an answer that is no stream) is followed
 * again after 1 s doubling to 15 s, as long as the page is open. Every time the stream (re)opens
 * `onEvent` is called once with a `connected` message too, so a page reloads what it may have missed
 * before the subscription (or while it was down).
 */
export function useLiveEvents(filter: LiveEventFilters, onEvent: (m: LiveMessage) => void): LiveState {
  const [state, setState] = useState<LiveState>('connecting');
  const handler = useRef(onEvent);
  handler.current = onEvent;
  const key = JSON.stringify(filter);
  useEffect(() => {
    const abort = new AbortController();
    let delay = RETRY_FIRST_MS;
    let timer: number | null = null;
    const opened = (): void => {
      delay = RETRY_FIRST_MS;
      setState('live');
      handler.current({ event: 'connected' });
    };
    const follow = async (): Promise<void> => {
      setState('connecting');
      for await (const m of api.events({ ...filter, signal: abort.signal, onOpen: opened, onReconnect: () => setState('retrying') })) handler.current(m);
    };
    const start = (): void => {
      follow()
        .catch(() => undefined)
        .finally(() => {
          if (abort.signal.aborted) return;
          setState('retrying');
          timer = window.setTimeout(start, delay);
          delay = Math.min(delay * 2, RETRY_LONGEST_MS);
        });
    };
    start();
    return () => {
      abort.abort();
      if (timer !== null) window.clearTimeout(timer);
    };
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [key]);
  return state;
}
