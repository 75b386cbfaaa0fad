// The cron jobs the bench seeds. Every next_run_at is a real due time of its job's schedule
// (for `@every` on the grid anchored at created_at, for crons on their minute/hour/day grid),
// so what the server computes after the first run continues the same schedule.
import type { JobRow } from './backend';
import { mulberry32 } from '../../test/support/seeded-random';

const MIN = 60_000;
const HOUR = 60 * MIN;
const DAY = 24 * HOUR;


const EVERY_SECONDS = [60, 120, 300, 600, 900, 1800, 3600];
/** Zones with whole-hour offsets, so minute and hour crons fall on the same instants as in UTC. */
const ZONES = ['Europe/Berlin', 'America/New_York', 'Asia/Tokyo', 'Australia/Sydney'];

/** The mix, for the report. */
export const START_MIX =
  '70% `@every 60s`…`@every 3600s` (7 periods, equal shares); 30% crons: `*/5 * * * *` 10%, `0 * * * *` 8%, ' +
  '`*/15 * * * *` 7%, `15 3 * * *` 5% (UTC). Time zones: half UTC, half Europe/Berlin, America/New_York, Asia/Tokyo, ' +
  'Australia/Sydney. Runner `command`, spec `{"command":"true","args":[],"env":{}}`, policy columns at their defaults.';

const ceilTo = (ms: number, step: number): number => Math.ceil(ms / step) * step;

/**
 * Rows for the start scenario. Due times are spread uniformly over one hour starting `leadMs` after
 * `nowMs` (rounded up to the cron's grid), so no job comes due, and none is a misfire, during the
 * start measurements.
 */
export function startJobs(nowMs: number, leadMs: number, seed = 0xc0ffee): (i: number) => JobRow {
  const rand = mulberry32(seed);
  const windowStart = nowMs + leadMs;
  return (i) => {
    const target = windowStart + Math.floor(rand() * HOUR);
    const zone = rand() < 0.5 ? 'UTC' : ZONES[Math.floor(rand() * ZONES.length)];
    const name = `bench-${i + 1}`;
    const r = rand();
    if (r < 0.7) {
      const periodMs = EVERY_SECONDS[Math.floor(rand() * EVERY_SECONDS.length)] * 1000;
      // Created some whole number of periods before its next due time, and before now.
      const createdAtMs = target - periodMs * (Math.ceil((target - nowMs) / periodMs) + Math.floor(rand() * 1000));
      return { name, schedule: `@every ${periodMs / 1000}s`, timezone: zone, nextRunAtMs: target, createdAtMs };
    }
    const createdAtMs = nowMs - Math.floor(rand() * 30 * DAY);
    if (r < 0.8) return { name, schedule: '*/5 * * * *', timezone: zone, nextRunAtMs: ceilTo(target, 5 * MIN), createdAtMs };
    if (r < 0.88) return { name, schedule: '0 * * * *', timezone: zone, nextRunAtMs: ceilTo(target, HOUR), createdAtMs };
    if (r < 0.95) return { name, schedule: '*/15 * * * *', timezone: zone, nextRunAtMs: ceilTo(target, 15 * MIN), createdAtMs };
    return { name, schedule: '15 3 * * *', timezone: 'UTC', nextRunAtMs: ceilTo(target - (3 * HOUR + 15 * MIN), DAY) + 3 * HOUR + 15 * MIN, createdAtMs };
  };
}

/**
 * Rows for the lag scenario: `count` jobs `@every 1s` whose anchors (created_at) are spread evenly
 * over one second, job i at offset floor(i * 1000 / count) ms, so due times are spread evenly too.
 * The first due time of job i is `firstDueMs + offset`.
 */
export function everySecondJobs(count: number, firstDueMs: number): (i: number) => JobRow {
  const anchorMs = firstDueMs - HOUR;
  return (i) => {
    const offset = Math.floor((i * 1000) / count);
    return { name: `bench-${i + 1}`, schedule: '@every 1s', timezone: 'UTC', nextRunAtMs: firstDueMs + offset, createdAtMs: anchorMs + offset };
  };
}
