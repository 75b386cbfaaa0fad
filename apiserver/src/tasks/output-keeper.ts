/** Stored sequence numbers of tail chunks start here; the worker's own stay far below. */
export const TAIL_SEQ = 1_000_000_000;

/** A chunk of a task's output as stored: the worker's sequence number and the text. */
export interface OutputChunk {
  seq: number;
  data: string;
}

/**
 * Keeps a task's output within `capBytes`: the first half as it arrives (stored at once), the last
 * half in a ring in memory, written when the task ends behind a marker saying how much was cut
 * between them. So a task that prints 100 MB costs the server at most `capBytes` of memory and
 * storage, and the end of its output, where errors usually are, is never lost. Sizes are UTF-8
 * bytes; a chunk split at the boundary is split on a character boundary.
 */
export class OutputKeeper {
  private readonly headCap: number;
  private readonly tailCap: number;
  private headBytes = 0;
  private tail: { seq: number; data: Buffer }[] = [];
  private tailBytes = 0;
  private cutBytes = 0;

  constructor(readonly capBytes: number) {
    this.headCap = Math.floor(capBytes / 2);
    this.tailCap = capBytes - this.headCap;
  }

  /** Bytes cut so far (dropped from the middle). */
  get cut(): number {
    return this.cutBytes;
  }

  /** Takes a chunk; returns what to store now (the part that fits in the head). */
  add(chunk: OutputChunk): OutputChunk[] {
    let bytes = Buffer.from(chunk.data, 'utf8');
    const store: OutputChunk[] = [];
    if (this.headBytes < this.headCap) {
      const room = this.headCap - this.headBytes;
      if (bytes.length <= room) {
        this.headBytes += bytes.length;
        return [chunk];
      }
      const cut = characterBoundary(bytes, room);
      store.push({ seq: chunk.seq, data: bytes.subarray(0, cut).toString('utf8') });
      this.headBytes = this.headCap;
      bytes = bytes.subarray(cut);
    }
    this.tail.push({ seq: chunk.seq, data: bytes });
    this.tailBytes += bytes.length;
    while (this.tailBytes > this.tailCap) {
      const first = this.tail[0];
      const over = this.tailBytes - this.tailCap;
      if (first.data.length <= over) {
        this.tail.shift();
        this.tailBytes -= first.data.length;
        this.cutBytes += first.data.length;
      } else {
        const from = characterBoundary(first.data, over, true);
        first.data = first.data.subarray(from);
        this.tailBytes -= from;
        this.cutBytes += from;
      }
    }
    return store;
  }

  /**
   * The task ended: the tail to store, each chunk at TAIL_SEQ + its sequence number (so it sorts
   * after every head chunk, and a chunk split at the boundary keeps both halves), the first one
   * preceded by the marker when something was cut.
   */
  finish(): OutputChunk[] {
    const out = this.tail.map((c) => ({ seq: TAIL_SEQ + c.seq, data: c.data.toString('utf8') }));
    if (this.cutBytes > 0 && out.length > 0) {
      out[0] = { seq: out[0].seq, data: `\n[cronfleet: ${this.cutBytes} bytes of output cut here; the first ${this.headCap} and the last ${this.tailCap} bytes are kept]\n${out[0].data}` };
    }
    this.tail = [];
    this.tailBytes = 0;
    return out;
  }
}

/**
 * The index at or before `at` (or at or after it, with `forward`) that does not split a UTF-8
 * character: continuation bytes are 10xxxxxx.
 */
function characterBoundary(bytes: Buffer, at: number, forward = false): number {
  let i = Math.max(0, Math.min(at, bytes.length));
  if (forward) {
    while (i < bytes.length && (bytes[i] & 0xc0) === 0x80) i++;
  } else {
    while (i > 0 && i < bytes.length && (bytes[i] & 0xc0) === 0x80) i--;
  }
  return i;
}
