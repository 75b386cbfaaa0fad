import { authHeaders, errorOf } from './client';

export interface SseMessage {
  event: string;
  data: string;
}

/**
 * Reads a Server-Sent Events stream with fetch (EventSource cannot send the Authorization header).
 * `onOpen` is called once the stream is open. Calls `onMessage` per event until the server ends the stream (resolves) or `signal` aborts it
 * (resolves); an HTTP error or a broken connection rejects.
 */
export async function readEvents(path: string, onMessage: (m: SseMessage) => void, signal: AbortSignal, onOpen?: () => void): Promise<void> {
  const res = await fetch(path, { headers: { ...authHeaders(), Accept: 'text/event-stream' }, signal });
  if (!res.ok || !res.body) throw await errorOf(res);
  onOpen?.();
  const reader = res.body.pipeThrough(new TextDecoderStream()).getReader();
  let buffer = '';
  try {
    for (;;) {
      const { value, done } = await reader.read();
      if (done) return;
      buffer += value;
      let end: number;
      while ((end = buffer.search(/\r?\n\r?\n/)) >= 0) {
        const block = buffer.slice(0, end);
        buffer = buffer.slice(end + (buffer[end] === '\r' ? 4 : 2));
        const m = parseBlock(block);
        if (m) onMessage(m);
      }
    }
  } catch (e) {
    if (signal.aborted) return;
    throw e;
  } finally {
    reader.releaseLock();
  }
}

/** One event block: `event:` and `data:` lines (several data lines join with newlines); comments skipped. */
export function parseBlock(block: string): SseMessage | null {
  let event = 'message';
  const data: string[] = [];
  for (const line of block.split(/\r?\n/)) {
    if (line === '' || line.startsWith(':')) continue;
    const i = line.indexOf(':');
    const field = i < 0 ? line : line.slice(0, i);
    const value = i < 0 ? '' : line.slice(i + 1).replace(/^ /, '');
    if (field === 'event') event = value;
    else if (field === 'data') data.push(value);
  }
  return data.length ? { event, data: data.join('\n') } : null;
}
