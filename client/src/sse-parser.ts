/** One Server-Sent Event as it came: its name, its data text, and the stream's last event id at that point. */
export interface SseMessage {
  /** The last `id:` the stream gave, at or before this event (`''` when it gave none). */
  id: string;
  /** The `event:` name, `message` when the event gave none. */
  event: string;
  /** The `data:` lines joined with LF. */
  data: string;
}

/**
 * Splits a Server-Sent Events stream into events as its text arrives in pieces of any size, as the
 * HTML standard reads it: lines end with LF, CRLF or CR (a CR at the end of a piece may be the
 * first half of a CRLF, so it waits for the next piece); `data:` lines of one event are joined with
 * LF; one space after the colon is dropped; comments (`:` lines) are skipped; an event without
 * data is not dispatched; `id:` sets the last event id (kept for the events after it, ignored when
 * it holds NUL); `retry:` with digits sets {@link retryMs}.
 */
export class SseParser {
  /** The stream's last event id, for a reconnect's `Last-Event-ID`. */
  lastEventId: string;
  /** The reconnection time in ms the server asked for with `retry:`, or null. */
  retryMs: number | null = null;
  private buffer = '';
  private event = '';
  private data: string[] = [];
  private sawData = false;

  constructor(lastEventId = '') {
    this.lastEventId = lastEventId;
  }

  /** Takes the next piece of text; returns the events it completed, in order. */
  push(text: string): SseMessage[] {
    this.buffer += text;
    const out: SseMessage[] = [];
    const line = /\r\n|\r(?!$)|\n/g;
    let from = 0;
    let m: RegExpExecArray | null;
    while ((m = line.exec(this.buffer)) !== null) {
      this.take(this.buffer.slice(from, m.index), out);
      from = m.index + m[0].length;
    }
    this.buffer = this.buffer.slice(from);
    return out;
  }

  /** Forgets a half-received event (the connection broke mid-event); the last event id stays. */
  reset(): void {
    this.buffer = '';
    this.event = '';
    this.data = [];
    this.sawData = false;
  }

  private take(line: string, out: SseMessage[]): void {
    if (line === '') {
      if (this.sawData) out.push({ id: this.lastEventId, event: this.event || 'message', data: this.data.join('\n') });
      this.event = '';
      this.data = [];
      this.sawData = false;
      return;
    }
    if (line.startsWith(':')) return;
    const colon = line.indexOf(':');
    const field = colon === -1 ? line : line.slice(0, colon);
    let value = colon === -1 ? '' : line.slice(colon + 1);
    if (value.startsWith(' ')) value = value.slice(1);
    if (field === 'event') this.event = value;
    else if (field === 'data') {
      this.data.push(value);
      this.sawData = true;
    } else if (field === 'id' && !value.includes('\0')) this.lastEventId = value;
    else if (field === 'retry' && /^\d+$/.test(value)) this.retryMs = Number(value);
  }
}
