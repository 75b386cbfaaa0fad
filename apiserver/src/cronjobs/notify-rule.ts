import type { NotifyEvent } from '@cronfleet/shared';

// A job's own (its entity stores it); notifications/ reads it when a task ends.
/** One entry of a job's `notify` list, as stored (header values included). */
export interface NotifyRule {
  on: NotifyEvent[];
  webhook?: { url: string; headers?: Record<string, string> };
  email?: { to: string[] };
}
