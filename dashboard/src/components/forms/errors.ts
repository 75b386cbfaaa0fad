/**
 * The server's refusals name their fields: a 400's message is `field: problem`, several joined by
 * "; " (`retry.maxRetries: must be at most 100; notify.0.webhook.url: must be an http:// or https:// URL`).
 * These read it back into problems by field, so that a form shows each under its input.
 */

export interface FieldProblem {
  /** Dotted path as the server names it (`notify.0.webhook.url`); '' for a message that names none. */
  field: string;
  message: string;
}

const FIELD = /^([A-Za-z_$][\w$-]*(?:\.[\w$-]*)*): ([\s\S]*)$/;

/**
 * Splits a refusal's message into its problems, each with the field it names. A part that names no
 * field continues the problem before it ("…has no default; give it one"), unless it is the first.
 */
export function parseProblems(message: string): FieldProblem[] {
  const out: FieldProblem[] = [];
  for (const part of message.split('; ').filter((m) => m.trim() !== '')) {
    const hit = FIELD.exec(part);
    if (hit) out.push({ field: hit[1], message: hit[2] });
    else if (out.length) out[out.length - 1] = { ...out[out.length - 1], message: `${out[out.length - 1].message}; ${part}` };
    else out.push({ field: '', message: part });
  }
  return out;
}

/** A set of problems, asked by field. */
export class Problems {
  constructor(readonly list: readonly FieldProblem[] = []) {}

  static of(message: string | null | undefined): Problems {
    return new Problems(message ? parseProblems(message) : []);
  }

  /** Problems of `path` and of the fields inside it, as one line, each after its field's name below `path`. */
  under(path: string): string | null {
    const hits = this.list.filter((p) => inside(p.field, path));
    if (!hits.length) return null;
    return hits.map((p) => (p.field === path ? p.message : `${p.field.slice(path.length + 1)}: ${p.message}`)).join('; ');
  }

  /** Problems inside `path` that none of `shown` (paths the form shows problems under) covers. */
  restUnder(path: string, shown: readonly string[]): string | null {
    return new Problems(this.list.filter((p) => inside(p.field, path) && !shown.some((s) => inside(p.field, s)))).under(path);
  }

  /** Problems inside any of `paths` but inside none of `except`. */
  within(paths: readonly string[], except: readonly string[] = []): Problems {
    return new Problems(this.list.filter((p) => paths.some((f) => inside(p.field, f)) && !except.some((s) => inside(p.field, s))));
  }

  /** Problems whose first segment is none of `fields`: what no input shows. */
  outside(fields: readonly string[]): Problems {
    return new Problems(this.list.filter((p) => !fields.some((f) => inside(p.field, f))));
  }

  get empty(): boolean {
    return this.list.length === 0;
  }

  get text(): string {
    return this.list.map((p) => (p.field ? `${p.field}: ${p.message}` : p.message)).join('; ');
  }

  concat(other: Problems): Problems {
    return new Problems([...this.list, ...other.list]);
  }
}

function inside(field: string, path: string): boolean {
  return field === path || field.startsWith(`${path}.`);
}
