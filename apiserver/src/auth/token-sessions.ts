import { Injectable, OnModuleDestroy } from '@nestjs/common';
import { ClusterEvents } from '../cluster/cluster-events';
import type { Actor } from '@cronfleet/shared';

/** Why a held stream is being closed, sent to its client before the close. */
export interface StreamEnd {
  code: 'TokenRevoked' | 'TokenExpired';
  message: string;
}

/** setTimeout's longest delay (about 24.8 days); a later expiry is waited for in steps. */
const MAX_TIMER_MS = 2 ** 31 - 1;

/**
 * The long-lived connections an API token holds open (`/sse/events`, `output?follow=true`, the
 * `/events` socket). A request is checked once, when it arrives; a stream would outlive its token's
 * revocation or expiry without this. Revoking publishes `token.revoked` to every instance, and each
 * closes the streams of that token it holds; an expiring token's streams close on a timer here.
 * The bootstrap admin token (tokenId null) cannot be revoked: its streams are not held.
 *
 * A request's token is checked (its row read) before the stream is held, and a revocation can land
 * in between: its `token.revoked` came while there was nothing to close. So every revocation heard
 * is remembered (by id: a revoked token stays revoked, ids are never reused, and revocations are
 * few), and `hold` looks there after registering the stream. Revoking writes the row before it
 * publishes, so a revocation the check did not see is heard after the check: before the
 * registration (found here), or after it (closing the stream it finds held).
 */
@Injectable()
export class TokenSessions implements OnModuleDestroy {
  private readonly byToken = new Map<number, Set<(end: StreamEnd) => void>>();
  /** The revocations this instance heard of, by token id: the end to give a stream held after one. */
  private readonly revokedIds = new Map<number, StreamEnd>();
  private readonly unsubscribe: () => void;

  constructor(private readonly events: ClusterEvents) {
    this.unsubscribe = events.subscribe((e) => {
      if (e.type !== 'token.revoked') return;
      const end: StreamEnd = { code: 'TokenRevoked', message: `token '${e.name}' was revoked` };
      this.revokedIds.set(e.id, end);
      this.end(e.id, end);
    });
  }

  /** Tells every instance that token `id` was revoked: each closes the streams it holds for it. */
  revoked(id: number, name: string): Promise<void> {
    return this.events.publish({ type: 'token.revoked', id, name });
  }

  /**
   * Holds a stream opened by `actor` until the returned release is called (when the stream ends by
   * itself); `close` is called once, at the token's revocation or expiry. Never from inside `hold`:
   * a token revoked (or expired) already closes the stream a microtask later, once the caller has
   * kept the release.
   */
  hold(actor: Actor | undefined, close: (end: StreamEnd) => void, now = Date.now()): () => void {
    const id = actor?.tokenId;
    if (actor === undefined || id === null || id === undefined) return () => undefined;
    let timer: NodeJS.Timeout | null = null;
    let done = false;
    const release = (): void => {
      if (done) return;
      done = true;
      if (timer) clearTimeout(timer);
      const set = this.byToken.get(id);
      set?.delete(once);
      if (set?.size === 0) this.byToken.delete(id);
    };
    const once = (end: StreamEnd): void => {
      if (done) return;
      release();
      close(end);
    };
    let set = this.byToken.get(id);
    if (!set) this.byToken.set(id, (set = new Set()));
    set.add(once);
    const expiresAtMs = actor.expiresAtMs;
    if (expiresAtMs !== null && expiresAtMs !== undefined) {
      const arm = (from: number): void => {
        const wait = expiresAtMs - from;
        timer = setTimeout(
          () => (wait > MAX_TIMER_MS ? arm(Date.now()) : once({ code: 'TokenExpired', message: `token '${actor.name}' expired at ${new Date(expiresAtMs).toISOString()}` })),
          Math.max(0, Math.min(wait, MAX_TIMER_MS)),
        );
        timer.unref();
      };
      arm(now);
    }
    // Registered first, then checked: see the class comment.
    const revoked = this.revokedIds.get(id);
    if (revoked) queueMicrotask(() => once(revoked));
    return release;
  }

  /** Streams held now, for tests and metrics. */
  get size(): number {
    let n = 0;
    for (const s of this.byToken.values()) n += s.size;
    return n;
  }

  onModuleDestroy(): void {
    this.unsubscribe();
  }

  private end(id: number, end: StreamEnd): void {
    for (const close of [...(this.byToken.get(id) ?? [])]) close(end);
  }
}
