import { randomUUID } from 'node:crypto';
import { ATTEMPT_TIMEOUT_MS, classifyHttpStatus, signBody } from './core/delivery-policy';
import type { NotificationPayload } from './core/notification-message';
import type { Delivery } from './delivery-queue';

/**
 * A webhook delivery: POST of the JSON payload, signed with the server's webhook secret. The same
 * `X-Cronfleet-Delivery` id is sent on every retry, so a receiver can drop duplicates. The job's own
 * headers go first: they cannot replace the content type or the X-Cronfleet-* headers.
 */
export function webhookDelivery(url: string, headers: Record<string, string> | undefined, payload: NotificationPayload, secret: string): Delivery {
  const body = JSON.stringify(payload);
  const id = randomUUID();
  const all: Record<string, string> = {
    ...headers,
    'content-type': 'application/json',
    'user-agent': 'cronfleet-notifier',
    'x-cronfleet-event': payload.event,
    'x-cronfleet-delivery': id,
    'x-cronfleet-signature': signBody(secret, body),
  };
  return {
    what: `webhook ${payload.event} of task ${payload.task.id} to ${safeOrigin(url)} (delivery ${id})`,
    async attempt(signal) {
      const res = await fetch(url, {
        method: 'POST',
        headers: all,
        body,
        redirect: 'manual',
        signal: AbortSignal.any([signal, AbortSignal.timeout(ATTEMPT_TIMEOUT_MS)]),
      });
      await res.body?.cancel().catch(() => undefined);
      return { outcome: classifyHttpStatus(res.status), detail: `HTTP ${res.status}` };
    },
  };
}

/** Scheme, host and port only: paths and queries of webhook URLs often carry tokens. */
function safeOrigin(url: string): string {
  try {
    return new URL(url).origin;
  } catch {
    return '(invalid url)';
  }
}
