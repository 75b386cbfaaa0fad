import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { describeIssues } from '@cronfleet/shared';
import { PreviewQuerySchema, previewOf } from './schedules.controller';
import { nextRunOf, preview } from './cronjobs.service';

/** The query as the pipe gives it to the controller: parsed from its strings. */
const query = (q: Record<string, string>) => PreviewQuerySchema.parse(q);

describe('GET /schedules/preview', () => {
  // A job made at 10:00:07 with `@every 30s` runs at :07 and :37 of every minute, whenever it is looked at.
  const createdAt = new Date('2026-01-01T10:00:07.250Z');
  const now = Date.parse('2026-01-01T10:05:00.000Z');
  const job = { schedule: '@every 30s', timezone: 'UTC', createdAt };

  it("previews an existing @every job on its own grid when given its createdAt as anchor, as GET /cronjobs/:id/next and the dispatcher do", () => {
    const { next } = previewOf(query({ schedule: '@every 30s', anchor: createdAt.toISOString(), count: '3' }), now);
    assert.deepEqual(next, ['2026-01-01T10:05:07.250Z', '2026-01-01T10:05:37.250Z', '2026-01-01T10:06:07.250Z']);
    // The job page's next runs (GET /cronjobs/:id/next) and the dispatcher's next due time agree.
    assert.deepEqual(preview(job.schedule, job.timezone, now, 3, createdAt.getTime()).next, next);
    assert.equal(nextRunOf(job, now)?.toISOString(), next[0]);
  });

  it('keeps the grid for an anchor long before from, and for one after it', () => {
    const old = previewOf(query({ schedule: '@every 7m', anchor: '2025-06-01T00:00:03Z', from: '2026-01-01T00:00:00Z', count: '2' }), now);
    // 2025-06-01 to 2026-01-01 is 214 days = 308160 min = 44022 × 7 min + 6 min: the next point is 1 min 3 s after from.
    assert.deepEqual(old.next, ['2026-01-01T00:01:03.000Z', '2026-01-01T00:08:03.000Z']);
    const later = previewOf(query({ schedule: '@every 1h', anchor: '2026-01-01T12:30:00Z', from: '2026-01-01T10:00:00Z', count: '1' }), now);
    assert.deepEqual(later.next, ['2026-01-01T10:30:00.000Z']);
  });

  it('counts from `from` (default now) without an anchor: a new job, whose grid starts when it is made', () => {
    assert.deepEqual(previewOf(query({ schedule: '@every 30s', count: '2' }), now).next, ['2026-01-01T10:05:30.000Z', '2026-01-01T10:06:00.000Z']);
  });

  it('leaves cron schedules to the calendar whatever the anchor', () => {
    const q = { schedule: '*/10 * * * *', timezone: 'Europe/Berlin', count: '2' };
    assert.deepEqual(previewOf(query({ ...q, anchor: createdAt.toISOString() }), now).next, previewOf(query(q), now).next);
    assert.deepEqual(previewOf(query(q), now).next, ['2026-01-01T10:10:00.000Z', '2026-01-01T10:20:00.000Z']);
  });

  it('refuses an anchor that is not an instant, naming it', () => {
    const r = PreviewQuerySchema.safeParse({ schedule: '@every 30s', anchor: 'yesterday' });
    assert.ok(!r.success);
    assert.equal(describeIssues(r.error, 'query'), 'anchor: must be an ISO-8601 instant with Z or an offset');
  });
});
