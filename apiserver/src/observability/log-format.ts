/**
 * Pure helpers of the server's logger (observability/app-logger.ts): turning Nest's logger calls into
 * structured entries, and pino's JSON lines into human-readable ones.
 */

export interface LogEntry {
  msg: string;
  fields: Record<string, unknown>;
}

/** "task 12", "cron job 3", "worker 7" / "worker 'b1' (id 7, host)": the first of each becomes a field. */
const ID_PATTERNS: readonly (readonly [field: string, re: RegExp])[] = [
  ['taskId', /\btask (\d+)\b/],
  ['cronjobId', /\bcron job (\d+)\b/],
  ['workerId', /\bworker (?:(\d+)\b|'[^']*' \(id (\d+)\b)/],
];

const looksLikeStack = (s: string) => /\n\s+at /.test(s);

/**
 * Nest's calls are `log(message, ...params, context?)` and `error(message, stack?, context?)`: the
 * last string param is the context (a Logger created with one always appends it), a string that
 * looks like a stack trace is the stack, objects are extra fields. The message text stays exactly
 * as it was, in `msg`; task, cron job and worker ids it names become fields too.
 */
export function toLogEntry(message: unknown, params: readonly unknown[]): LogEntry {
  const rest = [...params];
  const fields: Record<string, unknown> = {};
  if (rest.length > 0 && typeof rest[rest.length - 1] === 'string') fields.context = rest.pop();
  for (const p of rest) {
    if (typeof p === 'string') {
      if (looksLikeStack(p)) fields.stack = p;
      else fields.detail = p;
    } else if (p instanceof Error) fields.err = serializeError(p);
    else if (p && typeof p === 'object') Object.assign(fields, p);
  }
  let msg: string;
  if (typeof message === 'string') msg = message;
  else if (message instanceof Error) {
    msg = message.message;
    fields.err = serializeError(message);
  } else if (message && typeof message === 'object') {
    const { msg: m, message: mm, ...others } = message as Record<string, unknown>;
    Object.assign(fields, others);
    msg = typeof m === 'string' ? m : typeof mm === 'string' ? mm : JSON.stringify(others);
  } else msg = String(message);
  for (const [field, re] of ID_PATTERNS) {
    if (fields[field] !== undefined) continue;
    const m = re.exec(msg);
    if (m) fields[field] = Number(m[1] ?? m[2]);
  }
  return { msg, fields };
}

function serializeError(e: Error): Record<string, unknown> {
  return { type: e.name, message: e.message, ...(e.stack ? { stack: e.stack } : {}) };
}

/** Keys every line has, shown in the line's head rather than as `key=value`. */
const HEAD_KEYS = new Set(['level', 'time', 'pid', 'hostname', 'context', 'msg', 'stack', 'err']);

/**
 * One pino JSON line as one human-readable line: `12:00:01.234 WARN  [dispatcher] message key=value`
 * (UTC time), with a stack, if any, on the lines below. A line that is not JSON is returned as is.
 */
export function prettyLine(json: string): string {
  let o: Record<string, unknown>;
  try {
    o = JSON.parse(json) as Record<string, unknown>;
  } catch {
    return json;
  }
  const time = typeof o.time === 'string' ? o.time.slice(11, 23) : new Date(Number(o.time)).toISOString().slice(11, 23);
  const level = String(o.level ?? '').toUpperCase().padEnd(5);
  const context = o.context ? `[${String(o.context)}] ` : '';
  const extras = Object.entries(o)
    .filter(([k]) => !HEAD_KEYS.has(k))
    .map(([k, v]) => ` ${k}=${typeof v === 'string' && !/\s/.test(v) ? v : JSON.stringify(v)}`)
    .join('');
  const err = o.err as { stack?: string } | undefined;
  const stack = typeof o.stack === 'string' ? o.stack : err?.stack;
  return `${time} ${level} ${context}${String(o.msg ?? '')}${extras}${stack ? `\n${stack}` : ''}\n`;
}
