import { daysInMonth } from './civil';

/** Reports why an expression is unusable; `detail` is the reason without the quoted input. */
export type Fail = (detail: string) => never;

/** The allowed values of one time field as lookup tables, so the walker never loops over values. */
export interface ValueTable {
  /** `next[v]`: the smallest allowed value ≥ v, or -1; defined for v from 0 to max + 1. */
  readonly next: Int8Array;
  /** `prev[v + 1]`: the largest allowed value ≤ v, or -1; defined for v from -1 to max. */
  readonly prev: Int8Array;
  /** How many values are allowed. */
  readonly count: number;
}

/**
 * A validated cron expression compiled to bitsets and tables. Day bits: bit `d - 1` stands for day
 * `d` of the month; weekday bits: bit `w` for weekday `w`, 0 = Sunday.
 */
export interface CompiledCron {
  readonly second: ValueTable;
  readonly minute: ValueTable;
  readonly hour: ValueTable;
  readonly month: ValueTable;
  /** Plain day-of-month values (without `L`). */
  readonly dayOfMonthBits: number;
  /** Day-of-month `L`: the last day of the month. */
  readonly lastDayOfMonth: boolean;
  /** Indexed by the weekday of the 1st: the days of a 31-day month on an allowed weekday. */
  readonly dayOfWeekByFirst: Int32Array;
  /** Weekdays `w` given as `wL`: the last such weekday of the month. */
  readonly lastWeekdays: number;
  /** `w#k` (the k-th weekday w of the month), each stored as `w * 8 + k`. */
  readonly nthWeekdays: readonly number[];
  /** The day-of-month field is `*` or `?`: only day-of-week restricts days (and vice versa below). */
  readonly dayOfMonthStar: boolean;
  readonly dayOfWeekStar: boolean;
  /** All 24 hours allowed: the expression follows real elapsed time across DST changes. */
  readonly everyHour: boolean;
}

/** A cron expression as `parseCron` read it. */
export interface ParsedCron {
  /** The fields joined by single spaces. */
  readonly expression: string;
  /** Six fields, the first being seconds. */
  readonly withSeconds: boolean;
  readonly compiled: CompiledCron;
}

interface FieldSpec {
  readonly label: string;
  readonly min: number;
  readonly max: number;
  /** Three-letter names, case-insensitive; the value of names[i] is i + nameBase. */
  readonly names?: readonly string[];
  readonly nameBase?: number;
}

const SECOND: FieldSpec = { label: 'second', min: 0, max: 59 };
const MINUTE: FieldSpec = { label: 'minute', min: 0, max: 59 };
const HOUR: FieldSpec = { label: 'hour', min: 0, max: 23 };
const DAY_OF_MONTH: FieldSpec = { label: 'day-of-month', min: 1, max: 31 };
const MONTH_NAMES = ['JAN', 'FEB', 'MAR', 'APR', 'MAY', 'JUN', 'JUL', 'AUG', 'SEP', 'OCT', 'NOV', 'DEC'];
const MONTH: FieldSpec = { label: 'month', min: 1, max: 12, names: MONTH_NAMES, nameBase: 1 };
const DAY_NAMES = ['SUN', 'MON', 'TUE', 'WED', 'THU', 'FRI', 'SAT'];
const DAY_OF_WEEK: FieldSpec = { label: 'day-of-week', min: 0, max: 7, names: DAY_NAMES, nameBase: 0 };
const FIELD_COUNT_HINT = 'expected 5 fields (minute hour day-of-month month day-of-week) or 6 with leading seconds';

/**
 * Reads a 5-field (minute hour day-of-month month day-of-week, second 0) or 6-field (leading
 * seconds) cron expression. Per field: `*`, `?`, numbers, names (JAN-DEC, SUN-SAT, any case), `a-b`,
 * `*\/n`, `a-b/n`, `a/n` (= a-max/n), lists; day-of-week 7 is Sunday; day-of-month `L` (last day);
 * day-of-week `wL` (last weekday w) and `w#k` (k-th weekday w, k 1-5). Calls `fail` on the first
 * problem, naming the field; `H` (hashed values) is refused: unseeded, it would differ per server.
 */
export function parseCron(text: string, fail: Fail): ParsedCron {
  const parts = text.trim().split(/\s+/);
  if (parts.length !== 5 && parts.length !== 6) fail(`${FIELD_COUNT_HINT}, got ${parts.length}`);
  const withSeconds = parts.length === 6;
  const [second, minute, hour, dayOfMonth, month, dayOfWeek] = withSeconds ? parts : ['0', ...parts];
  const seconds = parseField(SECOND, second, fail);
  const minutes = parseField(MINUTE, minute, fail);
  const hours = parseField(HOUR, hour, fail);
  const days = parseField(DAY_OF_MONTH, dayOfMonth, fail);
  const months = parseField(MONTH, month, fail);
  const weekdays = parseField(DAY_OF_WEEK, dayOfWeek, fail);
  let dayOfMonthBits = 0;
  for (const d of days.values) dayOfMonthBits |= 1 << (d - 1);
  let weekdayBits = 0;
  for (const w of weekdays.values) weekdayBits |= 1 << w;
  const dayOfWeekByFirst = new Int32Array(7);
  for (let first = 0; first < 7; first++) {
    for (let d = 1; d <= 31; d++) if (weekdayBits & (1 << ((first + d - 1) % 7))) dayOfWeekByFirst[first] |= 1 << (d - 1);
  }
  const compiled: CompiledCron = {
    second: valueTable(seconds.values, 59),
    minute: valueTable(minutes.values, 59),
    hour: valueTable(hours.values, 23),
    month: valueTable(months.values, 12),
    dayOfMonthBits,
    lastDayOfMonth: days.last,
    dayOfWeekByFirst,
    lastWeekdays: weekdays.lastWeekdays,
    nthWeekdays: weekdays.nth,
    dayOfMonthStar: days.wildcard,
    dayOfWeekStar: weekdays.wildcard,
    everyHour: hours.values.size === 24,
  };
  if (!firesInSomeMonth(compiled)) {
    if (weekdays.wildcard && !days.last) {
      const inMonths = months.values.size > 1 ? `any of the months ${month}` : `month ${month}`;
      fail(`never fires: day-of-month ${dayOfMonth} does not occur in ${inMonths}`);
    }
    fail('never fires');
  }
  return { expression: parts.join(' '), withSeconds, compiled };
}

/**
 * Whether some month of a full 400-year Gregorian cycle has a matching day. Every time field has at
 * least one value, so this decides "ever fires" exactly, independent of the time zone.
 */
function firesInSomeMonth(cron: CompiledCron): boolean {
  for (let year = 2000; year < 2400; year++) {
    for (let month = cron.month.next[1]; month > 0; month = cron.month.next[month + 1]) {
      if (dayBitsOf(cron, year, month) !== 0) return true;
    }
  }
  return false;
}

/** Bits of every day of a month with `dim` days (bit 30 for day 31). */
const ALL_DAYS = [0, 1, 3, 7, 15, 31, 63, 127, 255, 511, 1023, 2047, 4095, 8191, 16_383, 32_767, 65_535,
  131_071, 262_143, 524_287, 1_048_575, 2_097_151, 4_194_303, 8_388_607, 16_777_215, 33_554_431, 67_108_863,
  134_217_727, 268_435_455, 536_870_911, 1_073_741_823, 2_147_483_647];

/**
 * The days of `year`-`month` the expression allows, as day bits. When both day fields are
 * restricted a day matches either (POSIX, Vixie); when one is `*` or `?`, only the other counts.
 */
export function dayBitsOf(cron: CompiledCron, year: number, month: number): number {
  const dim = daysInMonth(year, month);
  const all = ALL_DAYS[dim];
  if (cron.dayOfMonthStar && cron.dayOfWeekStar) return all;
  const firstWeekday = weekdayOfFirst(year, month);
  let byDate = cron.dayOfMonthBits;
  if (cron.lastDayOfMonth) byDate |= 1 << (dim - 1);
  let byWeekday = cron.dayOfWeekByFirst[firstWeekday];
  if (cron.lastWeekdays !== 0) {
    const lastWeekday = (firstWeekday + dim - 1) % 7;
    for (let w = 0; w < 7; w++) {
      if (cron.lastWeekdays & (1 << w)) byWeekday |= 1 << (dim - 1 - ((lastWeekday - w + 7) % 7));
    }
  }
  for (const code of cron.nthWeekdays) {
    const day = 1 + ((((code >> 3) - firstWeekday) % 7) + 7) % 7 + 7 * ((code & 7) - 1);
    if (day <= dim) byWeekday |= 1 << (day - 1);
  }
  if (cron.dayOfMonthStar) return byWeekday & all;
  if (cron.dayOfWeekStar) return byDate & all;
  return (byDate | byWeekday) & all;
}

/** Weekday (0 = Sunday) of the 1st of a month, by Zeller-style arithmetic without day counts. */
function weekdayOfFirst(year: number, month: number): number {
  const y = month < 3 ? year - 1 : year;
  const t = [0, 3, 2, 5, 0, 3, 5, 1, 4, 6, 2, 4];
  return (y + Math.floor(y / 4) - Math.floor(y / 100) + Math.floor(y / 400) + t[month - 1] + 1) % 7;
}

function valueTable(values: ReadonlySet<number>, max: number): ValueTable {
  const next = new Int8Array(max + 2).fill(-1);
  const prev = new Int8Array(max + 2).fill(-1);
  for (let v = max, best = -1; v >= 0; v--) {
    if (values.has(v)) best = v;
    next[v] = best;
  }
  for (let v = 0, best = -1; v <= max; v++) {
    if (values.has(v)) best = v;
    prev[v + 1] = best;
  }
  return { next, prev, count: values.size };
}

interface ParsedField {
  /** Plain values, day-of-week 7 folded to 0. */
  values: Set<number>;
  /** The field is exactly `*` or `?`. */
  wildcard: boolean;
  /** Day-of-month `L`. */
  last: boolean;
  /** Day-of-week `wL`, as weekday bits. */
  lastWeekdays: number;
  /** Day-of-week `w#k`, as `w * 8 + k`. */
  nth: number[];
}

function parseField(spec: FieldSpec, text: string, fail: Fail): ParsedField {
  const field: ParsedField = { values: new Set(), wildcard: text === '*' || text === '?', last: false, lastWeekdays: 0, nth: [] };
  const value = (token: string): number => {
    const named = spec.names?.indexOf(token.toUpperCase()) ?? -1;
    if (named >= 0) return named + (spec.nameBase ?? 0);
    if (!/^\d+$/.test(token)) {
      const names = spec.names ? ` or a name ${spec.names[0]}-${spec.names[spec.names.length - 1]}` : '';
      return fail(`${spec.label} '${token}' is not a number${names}`);
    }
    const n = Number(token);
    if (n < spec.min || n > spec.max) fail(`${spec.label} ${n} is out of range ${spec.min}-${spec.max}`);
    return n;
  };
  for (const item of text.split(',')) {
    if (item === '') fail(`${spec.label} '${text}' has an empty list item`);
    if (spec === DAY_OF_MONTH && item.toUpperCase() === 'L') {
      field.last = true;
      continue;
    }
    if (spec === DAY_OF_WEEK) {
      const nth = /^(\w+)#(\w*)$/.exec(item);
      if (nth) {
        const weekday = value(nth[1]) % 7;
        if (!/^[1-5]$/.test(nth[2])) fail(`${spec.label} '${item}': occurrence after '#' must be 1-5`);
        field.nth.push(weekday * 8 + Number(nth[2]));
        continue;
      }
      const last = /^(\w+)L$/i.exec(item);
      if (last) {
        field.lastWeekdays |= 1 << (value(last[1]) % 7);
        continue;
      }
    }
    const [, range, stepText] = /^([^/]*)(?:\/(.*))?$/.exec(item) ?? fail(`${spec.label} '${item}' is not valid`);
    let step = 1;
    if (stepText !== undefined) {
      const span = spec.max - spec.min + 1;
      step = /^\d+$/.test(stepText) ? Number(stepText) : NaN;
      if (!(step >= 1 && step <= span)) fail(`${spec.label} step '${stepText}' must be a number from 1 to ${span}`);
    }
    let lo: number;
    let hi: number;
    if (range === '*' || range === '?') {
      [lo, hi] = [spec.min, spec.max];
    } else if (range.includes('-')) {
      const ends = range.split('-');
      if (ends.length !== 2) fail(`${spec.label} '${item}' is not a valid range; expected a-b`);
      [lo, hi] = [value(ends[0]), value(ends[1])];
      if (lo > hi) {
        const hint = spec === DAY_OF_WEEK && hi === 0 ? '; use 7 for Sunday at the end of a range' : '';
        fail(`${spec.label} range ${range} runs backwards (${lo} > ${hi})${hint}`);
      }
    } else {
      lo = value(range);
      hi = stepText === undefined ? lo : spec.max;
    }
    for (let v = lo; v <= hi; v += step) field.values.add(spec === DAY_OF_WEEK ? v % 7 : v);
  }
  return field;
}
