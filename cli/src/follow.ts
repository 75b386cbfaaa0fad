import { once } from 'node:events';
import { CliError, EXIT } from './cli-error';
import type { AdminClient } from './client';

/**
 * Prints a task's output as it comes (`GET /tasks/:id/output?follow=true`: what is stored, then
 * live chunks) and resolves to the status in the stream's `end` event. A stream that breaks off
 * before `end` counts as the server becoming unreachable (exit 4); an `error` event (the server
 * dropped a client that did not keep up) is a refusal (exit 1).
 */
export async function followTaskOutput(client: AdminClient, taskId: number, out: NodeJS.WritableStream = process.stdout): Promise<string> {
  const abort = new AbortController();
  const events = await client.openEvents(`/tasks/${taskId}/output`, { follow: true }, abort.signal);
  try {
    for await (const ev of events) {
      const data = JSON.parse(ev.data) as { data?: string; status?: string; code?: string; message?: string };
      if (ev.event === 'output' && typeof data.data === 'string') {
        // Backpressure: a slow reader of our stdout slows our reading, not our memory.
        if (!out.write(data.data)) await once(out, 'drain');
      } else if (ev.event === 'end') {
        return data.status ?? 'unknown';
      } else if (ev.event === 'error') {
        throw new CliError(EXIT.refused, `task ${taskId}: the output stream ended with ${data.code ?? 'an error'}: ${data.message ?? ''}`.trimEnd());
      }
    }
  } finally {
    abort.abort();
  }
  throw new CliError(EXIT.unreachable, `the server at ${client.baseUrl} closed the output stream of task ${taskId} before the task ended; follow it again to see the rest`);
}
