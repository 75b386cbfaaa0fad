import type { Command } from 'commander';
import { previewLines } from '../views';
import { type Act, positiveInt, withConnection } from './common';

/** `cronfleet preview "<schedule>" [--tz Zone] [--count N] [--from ISO]`: the server's `GET /schedules/preview`. */
export function registerPreview(program: Command, act: Act): void {
  withConnection(program.command('preview'))
    .description("a schedule's next due times, before saving it (cron, @every 30s, @daily, @at <ISO>)")
    .argument('<schedule>', "the schedule, quoted: '*/5 * * * *'")
    .option('--tz <zone>', 'IANA time zone the schedule is read in (default UTC)')
    .option('--count <n>', 'how many due times (1-100; default 5)', positiveInt('--count', 100))
    .option('--from <iso>', 'the due times after this instant (ISO-8601 with Z or an offset; default now)')
    .action(
      act(async (ctx, opts: { tz?: string; count?: number; from?: string }, schedule: string) => {
        const data = await ctx.api.schedules.preview({ query: { schedule, timezone: opts.tz, count: opts.count, from: opts.from } });
        ctx.show(data, () => previewLines(data.next, opts.tz ?? 'UTC', ctx.nowMs));
      }),
    );
}
