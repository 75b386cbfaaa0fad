export interface SseEvent {
  event: string;
  data: string;
}

/**
 * Splits a Server-Sent Events stream into events as its text arrives in arbitrary pieces: lines
 * end with LF, CRLF or CR; `data:` lines of one event are joined with LF; comments and `id:`/`retry:`
 * fields are ignored; an event without `event:` is a `message`.
 */
export class SseParser {
  private buffer = '';
  private event = '';
  private data: string[] = [];

  push(text: string): SseEvent[] {
    this.buffer += text;
    const out: SseEvent[] = [];
    let m: RegExpExecArray | null;
    const line = /\r\n|\r(?!$)|\n/g;
    let from = 0;
    // A CR at the very end may be the first half of a CRLF still to come: keep it for the next piece.
    while ((m = line.exec(this.buffer)) !== null) {
      this.take(this.buffer.slice(from, m.index), out);
      from = m.index + m[0].length;
    }
    this.buffer = this.buffer.slice(from);
    return out;
  }

  private take(line: string, out: SseEvent[]): void {
    if (line === '') {
      if (this.data.length) out.push({ event: this.event || 'message', data: this.data.join('\n') });
      this.event = '';
      this.data = [];
      return;
    }
    if (line.startsWith(':')) return;
    const colon = line.indexOf(':');
    const field = colon === -1 ? line : line.slice(0, colon);
    let value = colon === -1 ? '' : line.slice(colon + 1);
    if (value.startsWith(' ')) value = value.slice(1);
    if (field === 'event') this.event = value;
    else if (field === 'data') this.data.push(value);
  }
}
