import { once } from 'node:events';
import type { Api } from './client';

/**
 * Prints a task's output as it comes (the client's `followOutput`: what is stored, then live chunks)
 * and resolves to the status in the stream's `end` event. A stream that breaks off before `end`
 * counts as the server becoming unreachable (exit 4); an `error` event (the server dropped a client
 * that did not keep up) is a refusal (exit 1): both worded by the CLI's client (client.ts).
 */
export async function followTaskOutput(api: Api, taskId: number, out: NodeJS.WritableStream = process.stdout): Promise<string> {
  for await (const ev of api.followOutput(taskId)) {
    if (ev.event === 'output') {
      // Backpressure: a slow reader of our stdout slows our reading, not our memory.
      if (!out.write(ev.data.data)) await once(out, 'drain');
    } else {
      return ev.data.status;
    }
  }
  // followOutput ends only after `end`, or throws: reached only if it was aborted, which it is not here.
  return 'unknown';
}
