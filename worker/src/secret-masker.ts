/** Secret values shorter than this are not masked: `***` in place of every `1` or `true` would hide more than it protects. */
export const MIN_SECRET_LENGTH = 4;
export const MASK = '***';

/**
 * Replaces every occurrence of a secret value in a stream of text by `***`, also when one arrives
 * split across two writes: the end of each write that could still be the start of a secret (at most
 * the longest secret's length − 1 characters) is held back until the next write or {@link end}.
 * Where secrets overlap, the longest one starting at a position wins.
 */
export class SecretMasker {
  private readonly secrets: string[];
  private readonly pattern: RegExp | null;
  private readonly longest: number;
  private carry = '';

  constructor(values: Iterable<string>) {
    this.secrets = [...new Set(values)].filter((v) => v.length >= MIN_SECRET_LENGTH).sort((a, b) => b.length - a.length);
    this.pattern = this.secrets.length > 0 ? new RegExp(this.secrets.map(escapeRegExp).join('|'), 'g') : null;
    this.longest = this.secrets[0]?.length ?? 0;
  }

  /** True when there is nothing to mask: {@link write} then returns its input unchanged, at once. */
  get empty(): boolean {
    return this.pattern === null;
  }

  /** Every secret in a complete text (a log line, an error message) replaced. */
  mask(text: string): string {
    return this.pattern ? text.replace(this.pattern, MASK) : text;
  }

  /** The masked text that can be sent now; what might be the start of a secret waits. */
  write(text: string): string {
    if (!this.pattern) return text;
    const s = this.carry + text;
    // A match starting before `decided` fits in `s` whatever its length, so it is final.
    const decided = s.length - this.longest + 1;
    let out = '';
    let i = 0;
    this.pattern.lastIndex = 0;
    for (let m = this.pattern.exec(s); m && m.index < decided; m = this.pattern.exec(s)) {
      out += s.slice(i, m.index) + MASK;
      i = this.pattern.lastIndex;
    }
    // The last few positions, one by one: hold back from the first that a longer secret could start at.
    let p = Math.max(i, decided);
    out += s.slice(i, p);
    while (p < s.length) {
      const rest = s.slice(p);
      if (this.secrets.some((v) => v.length > rest.length && v.startsWith(rest))) break;
      const whole = this.secrets.find((v) => rest.startsWith(v));
      out += whole ? MASK : s.charAt(p);
      p += whole ? whole.length : 1;
    }
    this.carry = s.slice(p);
    return out;
  }

  /** What was held back, masked: call once the stream has ended. */
  end(): string {
    const rest = this.mask(this.carry);
    this.carry = '';
    return rest;
  }
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
