import { type CompiledCron, type Fail, parseCron } from './cron-expression';
import { dailyToCron, DESCRIPTORS, parseDuration, parseInstant } from './schedule-forms';
import { isKnownTimeZone } from './time-zone';
import { lastCronRunMs, nextCronRunMs } from './zoned-cron';

export { jitterMs } from './jitter';

/**
 * When a CronJob runs, after `parseSchedule` has validated it. Plain data: it can be logged,
 * compared and rebuilt from its fields.
 * - `cron`: a 5-field expression (fires at second 0) or 6 fields with leading seconds, evaluated in
 *   `timezone` (IANA name) with the daylight-saving rules described in zoned-cron.ts. `@daily` and
 *   the other descriptors, and `{ type: 'daily' }`, arrive here as the expressions they stand for.
 * - `every`: a fixed interval of `intervalMs` milliseconds (whole seconds, at least 1000) on a grid
 *   anchored by the caller; `timezone` is kept for display only.
 * - `at`: once, at the instant `atMs` (epoch ms); `timezone` is kept for display only.
 */
export type Schedule =
  | { kind: 'cron'; expression: string; withSeconds: boolean; timezone: string }
  | { kind: 'every'; intervalMs: number; timezone: string }
  | { kind: 'at'; atMs: number; timezone: string };

/**
 * A schedule as a person or a config file gives it:
 * - text: a 5- or 6-field cron expression, `@yearly`/`@annually`, `@monthly`, `@weekly`,
 *   `@daily`/`@midnight`, `@hourly`, `@every <duration>` (`30s`, `5m`, `1h30m`, `1d`; at least 1 s)
 *   or `@at <ISO-8601 instant with Z or offset>`;
 * - `{ type: 'duration', schedule: '30s' }`: the same as `@every 30s`;
 * - `{ type: 'daily', schedule: '02:00' }`: every day at HH:MM or HH:MM:SS local time in the zone;
 * - `{ type: 'cron', schedule: '*\/5 * * * *' }`: a cron expression or descriptor.
 */
export type ScheduleInput = string | { type: 'duration' | 'daily' | 'cron'; schedule: string };

/** A schedule or time zone a person typed that cannot be used; `message` says which and why. */
export class InvalidScheduleError extends Error {
  readonly code = 'InvalidSchedule';
  override readonly name = 'InvalidScheduleError';

  constructor(
    readonly field: 'schedule' | 'timezone',
    message: string,
  ) {
    super(message);
  }
}

/** The column that stores a schedule is VARCHAR(255). */
const MAX_SCHEDULE_LENGTH = 255;
const OBJECT_TYPES = ['duration', 'daily', 'cron'];

/**
 * Parses what a person typed into a validated schedule, or throws `InvalidScheduleError` naming
 * the field (`schedule` or `timezone`) and the problem. A cron expression that can never fire
 * (`0 0 30 2 *`) is refused; an `@at` instant in the past is not (the caller decides).
 */
export function parseSchedule(input: ScheduleInput, timezone = 'UTC'): Schedule {
  const zone = typeof timezone === 'string' ? timezone.trim() : '';
  if (!isKnownTimeZone(zone)) {
    const detail = "not a known IANA time zone (e.g. 'UTC', 'Europe/Berlin')";
    throw new InvalidScheduleError('timezone', `timezone ${quote(typeof timezone === 'string' ? zone : String(timezone))}: ${detail}`);
  }
  if (typeof input === 'string') {
    const text = input.trim();
    return parseText(text, zone, failWith(quote(text)));
  }
  const type: unknown = typeof input === 'object' && input !== null ? input.type : undefined;
  const body: unknown = typeof input === 'object' && input !== null ? input.schedule : undefined;
  if (typeof type !== 'string' || !OBJECT_TYPES.includes(type) || typeof body !== 'string') {
    throw new InvalidScheduleError('schedule', `schedule must be a string or { type: 'duration' | 'daily' | 'cron', schedule: string }`);
  }
  const text = body.trim();
  const fail = failWith(`${quote(text)} (type ${type})`);
  if (text === '') fail('is empty');
  if (type === 'duration') return { kind: 'every', intervalMs: parseDuration(text, fail), timezone: zone };
  if (type === 'daily') return cronSchedule(dailyToCron(text, fail), zone, fail);
  if (/^@(every|at)\b/i.test(text)) fail("type 'cron' takes a cron expression or descriptor; use type 'duration' for intervals");
  return parseText(text, zone, fail);
}

/**
 * The text to store for `input` (at most 255 characters) such that
 * `parseSchedule(scheduleToString(input), zone)` equals `parseSchedule(input, zone)`. Text input is
 * kept as written with runs of whitespace collapsed (`MON-FRI`, `@daily` and offsets in `@at` stay
 * readable); `{ type: 'duration', schedule: '30s' }` becomes `@every 30s`; `{ type: 'daily',
 * schedule: '02:00' }` becomes `0 2 * * *` (`30 0 2 * * *` with seconds); `{ type: 'cron' }`
 * becomes its expression. Throws `InvalidScheduleError` for input `parseSchedule` would refuse.
 */
export function scheduleToString(input: ScheduleInput): string {
  parseSchedule(input);
  if (typeof input === 'string') return collapse(input);
  if (input.type === 'duration') return `@every ${input.schedule.trim()}`;
  if (input.type === 'daily') return dailyToCron(input.schedule, failWith(quote(input.schedule)));
  return collapse(input.schedule);
}

/**
 * The first fire time strictly after `afterMs`, or null if there is none.
 * `every` schedules fire at `anchorMs + k * intervalMs` for integer k, so the grid survives
 * restarts and leader changes as long as the anchor is persisted; the other kinds ignore the
 * anchor. A hand-built schedule that does not parse (or never fires) yields null rather than an
 * exception, so one bad CronJob cannot stop the dispatcher. Throws RangeError for non-finite input.
 */
export function nextRunAtMs(schedule: Schedule, afterMs: number, anchorMs = 0): number | null {
  if (!Number.isFinite(afterMs) || !Number.isFinite(anchorMs)) {
    throw new RangeError(`nextRunAtMs: afterMs (${afterMs}) and anchorMs (${anchorMs}) must be finite`);
  }
  switch (schedule.kind) {
    case 'every': {
      const interval = schedule.intervalMs;
      if (!(interval > 0)) return null;
      // Remainder rather than Math.floor(offset / interval): `%` is exact on doubles, division is not.
      const sinceGridPoint = (((afterMs - anchorMs) % interval) + interval) % interval;
      return afterMs - sinceGridPoint + interval;
    }
    case 'at':
      return schedule.atMs > afterMs ? schedule.atMs : null;
    case 'cron': {
      const cron = compiledCron(schedule.expression);
      if (cron === null) return null;
      try {
        return nextCronRunMs(cron, schedule.timezone, afterMs);
      } catch {
        return null;
      }
    }
  }
}

/**
 * The last fire time at or before `atOrBeforeMs`, or null if there is none: the mirror image of
 * `nextRunAtMs`, with the same grid, DST rules and null for unusable schedules.
 */
export function lastRunAtMs(schedule: Schedule, atOrBeforeMs: number, anchorMs = 0): number | null {
  if (!Number.isFinite(atOrBeforeMs) || !Number.isFinite(anchorMs)) {
    throw new RangeError(`lastRunAtMs: atOrBeforeMs (${atOrBeforeMs}) and anchorMs (${anchorMs}) must be finite`);
  }
  switch (schedule.kind) {
    case 'every': {
      const interval = schedule.intervalMs;
      if (!(interval > 0)) return null;
      return atOrBeforeMs - ((((atOrBeforeMs - anchorMs) % interval) + interval) % interval);
    }
    case 'at':
      return schedule.atMs <= atOrBeforeMs ? schedule.atMs : null;
    case 'cron': {
      const cron = compiledCron(schedule.expression);
      if (cron === null) return null;
      try {
        return lastCronRunMs(cron, schedule.timezone, atOrBeforeMs);
      } catch {
        return null;
      }
    }
  }
}

/** Most fire times `previewRunsMs` gives. */
export const MAX_PREVIEW_RUNS = 100;

/**
 * Up to `count` fire times strictly after `fromMs`, in order; fewer if the schedule ends (`@at`).
 * Throws RangeError unless `count` is a whole number from 0 to 100.
 */
export function previewRunsMs(schedule: Schedule, fromMs: number, count: number, anchorMs = 0): number[] {
  if (!Number.isInteger(count) || count < 0 || count > MAX_PREVIEW_RUNS) {
    throw new RangeError(`previewRunsMs: count (${count}) must be a whole number from 0 to ${MAX_PREVIEW_RUNS}`);
  }
  const runs: number[] = [];
  for (let after = fromMs; runs.length < count; ) {
    const next = nextRunAtMs(schedule, after, anchorMs);
    if (next === null) break;
    runs.push(next);
    after = next;
  }
  return runs;
}

function parseText(text: string, zone: string, fail: Fail): Schedule {
  if (text === '') fail('is empty; expected a cron expression such as "*/5 * * * *" or "@every 30s"');
  if (text.length > MAX_SCHEDULE_LENGTH) fail(`is longer than ${MAX_SCHEDULE_LENGTH} characters`);
  if (!text.startsWith('@')) return cronSchedule(text, zone, fail);
  const [keyword] = text.split(/\s/, 1);
  const rest = text.slice(keyword.length);
  switch (keyword.toLowerCase()) {
    case '@every':
      return { kind: 'every', intervalMs: parseDuration(rest, fail), timezone: zone };
    case '@at':
      return { kind: 'at', atMs: parseInstant(rest, fail), timezone: zone };
  }
  const expression = DESCRIPTORS[keyword.toLowerCase()];
  if (expression === undefined) {
    const forms = '@yearly, @monthly, @weekly, @daily, @hourly, @every <duration>, @at <ISO-8601 instant>';
    return fail(`unknown macro ${quote(keyword)}; use ${forms} or a 5- or 6-field cron expression`);
  }
  if (rest.trim() !== '') fail(`${keyword} takes nothing after it`);
  return cronSchedule(expression, zone, fail);
}

function cronSchedule(text: string, zone: string, fail: Fail): Schedule {
  // Compiling costs ~15 µs and start-up parses every CronJob: a known-good expression skips it.
  const known = compiledByExpression.has(text) ? text : collapse(text);
  if (compiledByExpression.get(known)) {
    return { kind: 'cron', expression: known, withSeconds: known.split(' ').length === 6, timezone: zone };
  }
  const { expression, withSeconds, compiled } = parseCron(text, fail);
  remember(expression, compiled);
  return { kind: 'cron', expression, withSeconds, timezone: zone };
}

/**
 * Compiled expressions by text, shared by every CronJob with the same expression (1M jobs use a
 * few thousand distinct ones). Null remembers an expression that does not compile.
 */
const compiledByExpression = new Map<string, CompiledCron | null>();
const MAX_COMPILED = 10_000;

function compiledCron(expression: string): CompiledCron | null {
  let compiled = compiledByExpression.get(expression);
  if (compiled === undefined) {
    try {
      compiled = parseCron(expression, (detail) => {
        throw new Error(detail);
      }).compiled;
    } catch {
      compiled = null;
    }
    remember(expression, compiled);
  }
  return compiled;
}

function remember(expression: string, compiled: CompiledCron | null): void {
  if (compiledByExpression.size >= MAX_COMPILED) compiledByExpression.delete(compiledByExpression.keys().next().value ?? '');
  compiledByExpression.set(expression, compiled);
}

function failWith(quoted: string): Fail {
  return (detail) => {
    throw new InvalidScheduleError('schedule', `schedule ${quoted}: ${detail}`);
  };
}

function collapse(text: string): string {
  return text.trim().replace(/\s+/g, ' ');
}

/** Quotes user input for a message, cut short so a pasted novel does not become the message. */
function quote(input: string): string {
  return `'${input.length > 80 ? `${input.slice(0, 77)}...` : input}'`;
}
